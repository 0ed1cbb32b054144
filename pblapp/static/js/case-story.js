// The console's "case story" control on each post: a small form that marks the post as a
// case story (fallberättelse) with its coding, through POST /api/v1/groups/<gid>/cases.
// The page's session proves itself with its CSRF token; a refusal shows on the post.

const FIELDS = ["outcome", "organization", "perspective", "problem", "decisive_factor"];

async function send(url, csrfToken, body) {
  try {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    return response.ok ? { case: answer } : { error: answer.error || { code: "internal_error" } };
  } catch {
    return { error: { code: "no_answer" } };
  }
}

// Wires the control in ``item`` (a rendered post) for ``contribution``; ``refused(text)``
// shows a refusal on the post.
export function caseStoryControl(item, contribution, config, refused) {
  const details = item.querySelector("[data-testid=case-story]");
  const form = item.querySelector("[data-testid=case-story-form]");
  const saved = item.querySelector("[data-testid=case-story-saved]");
  const marked = () => {
    item.classList.add("is-case");
    saved.hidden = false;
    saved.textContent = config.caseSaved;
  };
  if ((config.markedAsCases || []).includes(contribution.id)) marked();
  details.addEventListener("toggle", () => {
    // The narrator is the author, unless the facilitator says otherwise.
    if (details.open && !form.elements.organization.value) {
      form.elements.organization.value = contribution.organization || "";
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { contribution_id: contribution.id };
    for (const field of FIELDS) {
      const value = form.elements[field].value.trim();
      if (value) body[field] = value;
    }
    if (form.dataset.busy) return; // one at a time; the button keeps its focus meanwhile
    form.dataset.busy = "1";
    const answer = await send(config.casesUrl, config.csrfToken, body);
    delete form.dataset.busy;
    if (answer.error) {
      refused(config.messages[answer.error.code] || answer.error.message || answer.error.code);
      return;
    }
    marked();
    details.open = false;
    details.querySelector("summary").focus(); // the form's button is gone; focus stays near
  });
}
