// The console's "Approve the minutes" form: POST /api/v1/meetings/<mid>/minutes/approve
// with the adjusters' names, the page's CSRF token in a header. On success the page is
// loaded again, so that the list of versions (rendered by the server) is current; a
// refusal shows next to the button, as text.

const form = document.querySelector("[data-testid=approval-form]");

if (form) {
  const status = form.querySelector("[data-testid=approval-status]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const adjusters = [form.elements.adjuster1.value, form.elements.adjuster2.value]
      .map((name) => name.trim())
      .filter((name) => name);
    let answer;
    try {
      const response = await fetch(form.dataset.approveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": form.dataset.csrfToken },
        body: JSON.stringify({ adjusters }),
      });
      answer = response.ok ? null : await response.json().catch(() => ({}));
    } catch {
      answer = { error: { message: "no answer" } };
    }
    if (answer === null) {
      window.location.reload();
      return;
    }
    const error = answer.error || {};
    status.textContent =
      error.code === "invalid_adjusters"
        ? form.dataset.invalid
        : form.dataset.failed.replace("{reason}", error.message || error.code || "");
  });
}
