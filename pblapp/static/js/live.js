// Shared by the console, the projector screen and the phone: configuration from the
// page, a Socket.IO connection, and contributions rendered as text (never as HTML).

export function pageConfig() {
  return JSON.parse(document.getElementById("config").textContent);
}

// auth() is called on every (re)connect, so it can send the latest since_seq.
// Browsers know when the network goes: the socket ends then, rather than waiting for a
// timeout, and comes back (catching up from since_seq) when the network does.
export function connect(auth) {
  // A websocket first, one connection of its own; long-polling only where a network lets
  // no websocket through. (Polling would go over the browser's pooled connections, which a
  // phone back from sleep may hold dead.)
  const socket = window.io({
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    auth: (callback) => callback(auth()),
  });
  window.addEventListener("offline", () => socket.disconnect());
  window.addEventListener("online", () => {
    if (!socket.connected && socket.wantsNetwork !== false) socket.connect();
  });
  return socket;
}

// A status line that shows while the socket is down.
export function showConnection(socket, element, offlineText) {
  const update = () => {
    element.hidden = socket.connected;
    if (offlineText) element.textContent = offlineText;
  };
  socket.on("connect", update);
  socket.on("disconnect", update);
  socket.on("connect_error", update);
}

// "Name (FK)" or "Name · P03 (FK)" as text. The name is isolated (<bdi>), so a name typed
// with a right-to-left override cannot turn the pseudonym and organisation around.
export function showAuthor(element, contribution, { pseudonym = false } = {}) {
  const name = document.createElement("bdi");
  name.textContent = contribution.display_name;
  const organization = document.createElement("bdi");
  organization.textContent = contribution.organization;
  const middle = pseudonym ? ` · ${contribution.pseudonym} (` : " (";
  element.replaceChildren(name, middle, organization, ")");
}

// The reaction kinds in the order they are shown. (Their labels come as JSON, whose keys
// the server sorts, so the order is written here.)
export const REACTION_KINDS = ["agree", "disagree", "build_on"];

// "Agree 2 · Disagree 0 · Build on 1" for the console and the screen: how many, never who.
export function showReactionCounts(element, counts, labels) {
  element.replaceChildren(
    ...REACTION_KINDS.map((kind) => {
      const part = document.createElement("span");
      const count = (counts && counts[kind]) || 0;
      part.className = `reaction-count reaction-${kind}`;
      part.classList.toggle("zero", count === 0);
      part.dataset.kind = kind;
      const number = document.createElement("strong");
      number.textContent = count;
      part.append(`${labels[kind]} `, number);
      return part;
    }),
  );
}

export function qtypeClass(qtype) {
  return `qtype-${qtype || "untagged"}`;
}

export function setQtypeClass(element, qtype) {
  for (const name of [...element.classList]) {
    if (name.startsWith("qtype-")) element.classList.remove(name);
  }
  element.classList.add(qtypeClass(qtype));
}

// Keeps a list of contributions in seq order, one element per id.
export class ContributionList {
  constructor(listElement, render, { newestFirst = false } = {}) {
    this.list = listElement;
    this.render = render;
    this.newestFirst = newestFirst;
    this.items = new Map();
  }

  upsert(contribution) {
    let element = this.items.get(contribution.id);
    if (!element) {
      element = this.render(contribution);
      element.dataset.seq = contribution.seq;
      this.items.set(contribution.id, element);
      this.insert(element, contribution.seq);
    }
    return element;
  }

  insert(element, seq) {
    const siblings = [...this.list.children];
    const before = this.newestFirst
      ? siblings.find((other) => Number(other.dataset.seq) < seq)
      : siblings.find((other) => Number(other.dataset.seq) > seq);
    this.list.insertBefore(element, before || null);
  }

  get(id) {
    return this.items.get(id);
  }
}
