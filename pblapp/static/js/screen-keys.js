// The projector's keyboard: F full screen, → / PageDown / N the next page, ← / PageUp the
// one before (what a presentation clicker sends), ? the list of
// keys; and, on a facilitator's screen only, H hides or shows all posts and P pins the first
// post on the page or unpins. A screen opened by a screen link sends nothing to the server.

function toggleFullscreen() {
  if (document.fullscreenElement) {
    document.exitFullscreen();
  } else if (document.documentElement.requestFullscreen) {
    // Refused (for instance inside a frame): the page simply stays as it is.
    document.documentElement.requestFullscreen().catch(() => {});
  }
}

// actions: {nextPage(), previousPage(), hideAll(), pin()}; the last two only where canCommand.
export function listenToKeys(help, canCommand, actions) {
  const local = {
    f: toggleFullscreen,
    arrowright: actions.nextPage,
    pagedown: actions.nextPage,
    n: actions.nextPage,
    arrowleft: actions.previousPage,
    pageup: actions.previousPage,
    "?": () => {
      help.hidden = !help.hidden;
    },
    escape: () => {
      help.hidden = true;
    },
  };
  const commands = canCommand ? { h: actions.hideAll, p: actions.pin } : {};
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const key = event.key.toLowerCase();
    const action = local[key] || commands[key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
