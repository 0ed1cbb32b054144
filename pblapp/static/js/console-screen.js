// The console's screen tools: the projector's switches, who a post's author is shown as
// (name, pseudonym or none), and the pinned post, all sent as screen:command. A refused
// command goes back to what the screen shows.
import { request } from "./request.js";

// The switches: checkbox and screen:state field.
const SWITCHES = [
  ["screen-hide-all", "hide_contributions"],
  ["screen-show-goals", "show_goals"],
  ["screen-show-starting-point", "show_starting_point"],
  ["screen-show-carried", "show_carried_questions"],
  ["screen-show-reactions", "show_reactions"],
  ["screen-show-timeline", "show_timeline"],
];

// ``showPinned(id)`` marks the pinned post (or none) wherever the console shows posts.
export function screenTools(socket, config, showPinned) {
  const error = document.querySelector("[data-testid=screen-error]");
  const authorChoices = [...document.querySelectorAll("input[name=author_display]")];
  let state = null; // the screen as the server last sent it
  let pinnedId = null;
  // Fields whose command is on its way: a screen:state sent before the server had it (on
  // connect, or for another change) must not undo what the facilitator just clicked.
  const pending = new Map();

  function show(next) {
    state = next;
    pinnedId = next.pinned_contribution_id;
    for (const [testid, field] of SWITCHES) {
      if (!pending.has(field)) {
        document.querySelector(`[data-testid=${testid}]`).checked = next[field];
      }
    }
    if (!pending.has("author_display")) {
      const shown = next.author_display || "name"; // the default, as the server keeps it
      for (const choice of authorChoices) choice.checked = choice.value === shown;
    }
    // Goals can be added while the console is open.
    document.querySelector("[data-testid=screen-show-goals]").disabled = !next.goals_html;
    document.querySelector("[data-testid=pinned-note]").hidden = !pinnedId;
    showPinned(pinnedId);
  }

  async function command(change, showRefusal = error) {
    for (const field of Object.keys(change)) {
      pending.set(field, (pending.get(field) || 0) + 1);
    }
    const answer = await request(socket, "screen:command", change, {
      messages: config.messages,
      show: showRefusal,
    });
    for (const field of Object.keys(change)) {
      const left = pending.get(field) - 1;
      if (left) pending.set(field, left);
      else pending.delete(field);
    }
    if (answer) show(answer.screen);
    else if (state) show(state);
  }

  for (const [testid, field] of SWITCHES) {
    const box = document.querySelector(`[data-testid=${testid}]`);
    box.addEventListener("change", () => command({ [field]: box.checked }));
  }
  for (const choice of authorChoices) {
    choice.addEventListener("change", () => {
      if (choice.checked) command({ author_display: choice.value });
    });
  }
  document.querySelector("[data-testid=unpin]").addEventListener("click", () =>
    command({ pin: null }),
  );
  socket.on("screen:state", show);

  return {
    command,
    // Pin a post, or unpin it if it is the one pinned.
    togglePin(id, showRefusal) {
      return command({ pin: pinnedId === id ? null : id }, showRefusal);
    },
    get pinnedId() {
      return pinnedId;
    },
  };
}
