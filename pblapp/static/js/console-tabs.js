// The console's tabs (Agenda, Follow-ups, Screen, Development): one panel shows at a time.
// Arrow keys, Home and End move between the tabs and show each one. The tab last shown is
// kept for the session, so a form that posts and comes back (the starting point, the screen
// link, the meeting's details) lands on the tab it was sent from; a link to an element in a
// panel (…#starting-point) shows that panel.

export function tabs(list) {
  const all = [...list.querySelectorAll("[role=tab]")];
  const key = `pblapp.console-tab.${list.dataset.tabs}`;
  const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));

  function select(tab, { focus = false } = {}) {
    for (const other of all) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      panelOf(other).hidden = !selected;
    }
    if (focus) tab.focus();
    try {
      sessionStorage.setItem(key, tab.id);
    } catch {
      // Storage may be off; the tab still shows.
    }
  }

  list.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) select(tab);
  });
  list.addEventListener("keydown", (event) => {
    const index = all.indexOf(document.activeElement);
    if (index < 0) return;
    const next = {
      ArrowRight: all[(index + 1) % all.length],
      ArrowLeft: all[(index - 1 + all.length) % all.length],
      Home: all[0],
      End: all[all.length - 1],
    }[event.key];
    if (!next) return;
    event.preventDefault();
    select(next, { focus: true });
  });

  // The panel that holds an element: shown before the element is used or scrolled to.
  function reveal(element) {
    const panel = element && element.closest("[role=tabpanel]");
    const tab = panel && all.find((candidate) => panelOf(candidate) === panel);
    if (tab) select(tab);
  }

  let start = null;
  try {
    start = document.getElementById(sessionStorage.getItem(key));
  } catch {
    start = null;
  }
  if (start && all.includes(start)) select(start);
  const target = location.hash && document.getElementById(fromHash(location.hash));
  if (target) {
    reveal(target);
    target.scrollIntoView();
  }
  return { select, reveal };
}

// The element id a link's #hash names; a malformed one (#%E0) names none.
function fromHash(hash) {
  try {
    return decodeURIComponent(hash.slice(1));
  } catch {
    return "";
  }
}
