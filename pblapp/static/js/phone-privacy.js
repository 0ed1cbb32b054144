// The privacy guard on the phone: before a post is sent, the server is asked what its rules
// find in it (contribution:check), so that there is one copy of the rules, the server's.
// A finding stops the post with a warning ("This looks like a personal identity number"),
// the text with the finding marked, and two ways on: Edit (the finding selected in the
// text box, ready to be typed over) or Send anyway. No answer in time, or no connection,
// and the post goes as usual: the server checks every post again and masks what it finds.
// The wait is short: a server on the LAN answers in milliseconds, and a socket that stays
// silent longer is likely dead (a phone back from sleep), which onNoAnswer looks into.
// The server sets the wait (PRIVACY_CHECK_WAIT, a second unless changed).

const CHECK_TIMEOUT_MS = 1000;

export class PrivacyCheck {
  constructor(panel, textField, { socket, config, onSendAnyway, onNoAnswer }) {
    this.onNoAnswer = onNoAnswer;
    this.panel = panel;
    this.textField = textField;
    this.socket = socket;
    this.config = config;
    this.found = panel.querySelector("[data-testid=privacy-found]");
    this.preview = panel.querySelector("[data-testid=privacy-preview]");
    this.accepted = null; // the text the participant chose to send anyway
    this.findings = [];
    panel.querySelector("[data-testid=privacy-edit]").addEventListener("click", () => this.edit());
    panel.querySelector("[data-testid=privacy-send-anyway]").addEventListener("click", () => {
      this.accepted = this.warnedText;
      this.hide();
      onSendAnyway();
    });
    // The marks are of the text as it was: a change makes them stale.
    textField.addEventListener("input", () => this.hide());
  }

  // Whether the post may go now: true, or false after showing a warning.
  async allows(text) {
    if (text === this.accepted) return true;
    if (!this.socket.connected) return true;
    const answer = await new Promise((resolve) => {
      this.socket
        .timeout(this.config.privacyCheckMs || CHECK_TIMEOUT_MS)
        .emit("contribution:check", { text }, (err, reply) => resolve(err ? null : reply));
    });
    if (!answer) this.onNoAnswer();
    if (!answer || !answer.ok || !answer.findings.length) return true;
    this.warn(text, answer.text, answer.findings);
    return false;
  }

  warn(asked, text, findings) {
    // What "Send anyway" lets through: the text as this page has it (the server's copy of
    // it, trimmed its way, may differ by an invisible character).
    this.warnedText = asked;
    this.findings = findings;
    const kinds = [...new Set(findings.map((finding) => finding.kind))];
    this.found.textContent = kinds.map((kind) => this.config.privacy[kind] || kind).join(". ");
    // The offsets are UTF-16 units, as String.prototype.slice counts.
    const parts = [];
    let at = 0;
    for (const finding of findings) {
      parts.push(text.slice(at, finding.start));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(finding.start, finding.end);
      parts.push(mark);
      at = finding.end;
    }
    parts.push(text.slice(at));
    this.preview.replaceChildren(...parts);
    this.panel.hidden = false;
    this.panel.scrollIntoView({ block: "nearest", behavior: "auto" });
  }

  // Back to the text box with the first finding selected.
  edit() {
    const first = this.findings[0];
    this.hide();
    this.textField.focus();
    if (!first) return;
    const value = this.textField.value;
    // The server counted in the trimmed text.
    const lead = value.length - value.trimStart().length;
    this.textField.setSelectionRange(lead + first.start, lead + first.end);
  }

  hide() {
    this.panel.hidden = true;
  }
}
