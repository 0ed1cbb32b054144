// The end-of-meeting self-evaluation on a phone, shown while the facilitator has it open.
// Answering again replaces the earlier answer; the phone keeps its last answers to fill the
// form again.
import { request } from "./request.js";

export class SelfEvaluation {
  // section: the self-evaluation's <section>; isClosed: whether the meeting has closed;
  // busyWriting: whether the participant is in the middle of a post (then it does not jump).
  constructor(section, { socket, config, isClosed, busyWriting }) {
    this.section = section;
    this.form = section.querySelector("form");
    this.thanks = section.querySelector("[data-testid=se-thanks]");
    this.error = section.querySelector("[data-testid=se-error]");
    this.socket = socket;
    this.config = config;
    this.isClosed = isClosed;
    this.busyWriting = busyWriting;
    this.key = `pblapp.selfevaluation.${config.meetingId}.${config.pseudonym}`;
    this.status = "not_open";
    this.answered = false;
    this.editing = false;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.thanks.querySelector("[data-testid=se-edit]").addEventListener("click", () => {
      this.editing = true;
      this.show();
      this.form.querySelector("input, textarea").focus();
    });
    this.fill(this.stored());
  }

  // self_evaluation:state from the server.
  update(state) {
    const opening = state.status === "open" && this.status !== "open";
    this.status = state.status;
    if ("answered" in state) this.answered = state.answered;
    this.show();
    // Opened just now: bring it into view, unless the participant is in the middle of a post.
    if (opening && !this.answered && !this.busyWriting()) {
      // "auto": the stylesheet decides (a glide, none under reduced motion).
      this.section.scrollIntoView({ block: "start", behavior: "auto" });
    }
  }

  show() {
    // It closes with the meeting (the server sends no new self-evaluation state then).
    this.section.hidden = this.status !== "open" || this.isClosed();
    const done = this.answered && !this.editing;
    this.form.hidden = done;
    this.thanks.hidden = !done;
  }

  stored() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "{}");
    } catch {
      return {};
    }
  }

  fill(answers) {
    for (const [key, value] of Object.entries(answers)) {
      const radio = this.form.querySelector(`input[type=radio][name="${key}"][value="${value}"]`);
      if (radio) radio.checked = true;
      const text = this.form.querySelector(`textarea[name="${key}"]`);
      if (text && typeof value === "string") text.value = value;
    }
  }

  showError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
  }

  async submit() {
    const answers = {};
    for (const fieldset of this.form.querySelectorAll("fieldset[data-key]")) {
      const checked = fieldset.querySelector("input:checked");
      if (checked) answers[fieldset.dataset.key] = Number(checked.value);
    }
    for (const field of this.form.querySelectorAll("textarea")) {
      const text = field.value.trim();
      if ([...text].length > 2000) return this.showError(this.config.messages.change_too_long);
      if (text) answers[field.name] = text;
    }
    if (!Object.keys(answers).length) return this.showError(this.config.messages.answers_empty);
    const button = this.form.querySelector("[data-testid=se-submit]");
    button.disabled = true;
    const answer = await request(
      this.socket,
      "self_evaluation:answer",
      { answers },
      { messages: this.config.messages, show: this.error },
    );
    button.disabled = false;
    if (!answer) return;
    localStorage.setItem(this.key, JSON.stringify(answers));
    this.answered = true;
    this.editing = false;
    this.show();
    this.section.scrollIntoView({ block: "start", behavior: "auto" });
  }
}
