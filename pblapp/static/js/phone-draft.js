// The post being written, kept on this phone (per meeting and participant) so that a reload,
// a sleeping phone or a closed tab loses neither the words nor the chosen question type.
// Sending the post clears it.
export class Draft {
  constructor(form, textField, key) {
    this.form = form;
    this.textField = textField;
    this.key = key;
    this.restore();
    form.addEventListener("input", () => this.save());
    form.addEventListener("change", () => this.save());
    // Words typed before this script ran (a slow network) are kept too: now, and again
    // whenever the page goes away.
    this.save();
    window.addEventListener("pagehide", () => this.save());
  }

  restore() {
    let draft;
    try {
      draft = JSON.parse(localStorage.getItem(this.key) || "null");
    } catch {
      draft = null;
    }
    if (!draft) return;
    if (typeof draft.text === "string" && !this.textField.value) this.textField.value = draft.text;
    const radio = [...this.form.querySelectorAll("input[name=qtype]")].find(
      (input) => input.value === (draft.qtype || ""),
    );
    if (radio) radio.checked = true;
  }

  save() {
    if (this.discarded) return;
    const text = this.textField.value;
    const qtype = this.form.querySelector("input[name=qtype]:checked")?.value || "";
    try {
      if (!text && !qtype) localStorage.removeItem(this.key);
      else localStorage.setItem(this.key, JSON.stringify({ text, qtype }));
    } catch {
      // Storage full or refused (a private window): the draft lives only in the page.
    }
  }

  // Nothing is kept from now on (the meeting closed, or the participant withdrew).
  discard() {
    this.discarded = true;
    this.clear();
  }

  clear() {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // As above: nothing was kept.
    }
  }
}
