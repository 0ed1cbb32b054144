// The meeting's status in the console: the badge, the start and close buttons, and what a
// closed meeting no longer allows. The server refuses agenda commands and edits, follow-up
// changes and "take to next meeting" once the meeting is closed; those controls are disabled
// and a note says why. Re-tagging, hiding, merging, redaction, the screen, the starting point,
// the meeting's details and the phase stay open: the server still takes them.

export function meetingStatus(config, listeners = []) {
  const badge = document.querySelector("[data-testid=meeting-status]");
  let status = config.meetingStatus;

  function apply(next) {
    status = next;
    const closed = status === "closed";
    badge.textContent = config.statusLabels[status] || status;
    badge.className = `badge status-${status}`;
    // Each form says in which statuses it is offered (start: planned; close: planned, live).
    for (const form of document.querySelectorAll("[data-status-form]")) {
      form.hidden = !form.dataset.statusForm.split(" ").includes(status);
    }
    for (const group of document.querySelectorAll("[data-closes], fieldset.followup-columns")) {
      group.disabled = closed;
    }
    for (const note of document.querySelectorAll("[data-closed-note]")) note.hidden = !closed;
    for (const listener of listeners) listener(status);
  }

  return {
    update(next) {
      if (next && next !== status) apply(next);
    },
    get closed() {
      return status === "closed";
    },
  };
}
