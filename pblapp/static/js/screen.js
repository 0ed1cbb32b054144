// Projector screen: the join invitation (server-rendered), live posts a page at a time, a
// bar per question type, who has joined by organisation, the meeting's status, and the
// panels the facilitator shows. Opened by a facilitator it may send screen commands from
// the keyboard; opened by a screen link it only shows.
import { AgendaClock } from "./agenda.js";
import {
  ContributionList,
  connect,
  pageConfig,
  setQtypeClass,
  showConnection,
  showReactionCounts,
} from "./live.js";
import { request } from "./request.js";
import { listenToKeys } from "./screen-keys.js";
import { Pager } from "./screen-pager.js";
import { Panels } from "./screen-panels.js";

const config = pageConfig();
const list = document.getElementById("contributions");
const empty = document.querySelector("[data-testid=empty]");
const pinned = document.querySelector("[data-testid=pinned]");
const pager = new Pager(list, document.querySelector("[data-testid=more]"), config.more);
const clock = new AgendaClock(document.querySelector("[data-testid=agenda-clock]"), config.stepLabels);
const panels = new Panels(config, clock);

const byId = new Map();
// From meeting:state: the duplicates folded into a shown post, as duplicate id (a string
// key) -> that post's id. The server decides which; the screen only shows it.
let folded = {};
let screenState = {
  pinned_contribution_id: null,
  hide_contributions: false,
  show_goals: false,
  author_display: "name",
};
let meetingStatus = null;

function render(contribution) {
  const item = document.createElement("li");
  item.dataset.testid = "contribution";
  item.dataset.id = contribution.id;
  item.className = "contribution";
  const label = document.createElement("span");
  label.className = "qtype";
  const text = document.createElement("p");
  text.className = "text";
  const author = document.createElement("span");
  author.className = "author";
  author.dataset.testid = "author";
  // How many agreed, disagreed and built on it; shown while the facilitator switches it on.
  const reactions = document.createElement("p");
  reactions.className = "reaction-counts";
  reactions.dataset.testid = "reaction-counts";
  reactions.hidden = true;
  item.append(label, text, author, reactions);
  return item;
}

const contributions = new ContributionList(list, render, { newestFirst: true });

// The author line as the facilitator chose (screen:state.author_display): "Name (FK)",
// "P03 (FK)", or nothing. Names are isolated (<bdi>), so that a name typed with a
// right-to-left override cannot turn the organisation around.
function showAuthorLine(element, contribution) {
  const choice = screenState.author_display || "name";
  let who = null;
  if (choice === "name") who = contribution.display_name || contribution.pseudonym;
  if (choice === "pseudonym") who = contribution.pseudonym;
  element.hidden = !who;
  if (!who) {
    element.replaceChildren();
    return;
  }
  const name = document.createElement("bdi");
  name.textContent = who;
  if (!contribution.organization) {
    element.replaceChildren(name);
    return;
  }
  const organization = document.createElement("bdi");
  organization.textContent = contribution.organization;
  element.replaceChildren(name, " (", organization, ")");
}

function showPost(element, contribution) {
  setQtypeClass(element, contribution.qtype);
  element.querySelector(".qtype").textContent =
    config.qtypeLabels[contribution.qtype || "untagged"];
  element.querySelector(".text").textContent = contribution.text;
  showAuthorLine(element.querySelector(".author"), contribution);
  const counts = element.querySelector("[data-testid=reaction-counts]");
  counts.hidden = !screenState.show_reactions;
  showReactionCounts(counts, contribution.reactions, config.reactionLabels);
}

// Not on the wall: a hidden post, one waiting for the facilitator, or a folded duplicate
// (the post it is folded into shows how many it stands for).
function offWall(id) {
  const contribution = byId.get(id);
  const waiting = contribution.status && contribution.status !== "visible";
  return contribution.hidden || waiting || String(id) in folded;
}

function showFolded() {
  const counts = new Map();
  for (const into of Object.values(folded)) counts.set(into, (counts.get(into) || 0) + 1);
  for (const [id, element] of contributions.items) {
    element.hidden = offWall(id);
    let badge = element.querySelector(".duplicates");
    const count = counts.get(id) || 0;
    if (!badge && count) {
      badge = document.createElement("span");
      badge.className = "duplicates";
      badge.dataset.testid = "duplicates";
      element.append(badge);
    }
    if (badge) {
      badge.hidden = !count;
      badge.textContent = `+${count}`;
    }
  }
  const anyShown = [...list.children].some((child) => !child.hidden);
  // After the close there is no invitation to post, so no empty wall says so either.
  empty.hidden = anyShown || meetingStatus === "closed";
  pager.refresh();
}

// A pinned post takes the stage, unless all posts are hidden or a panel the facilitator
// switched on (goals, starting point, earlier questions, timeline) has something to show.
function showPinned() {
  const contribution = byId.get(screenState.pinned_contribution_id);
  pinned.hidden =
    !contribution ||
    offWall(contribution.id) ||
    screenState.hide_contributions ||
    panels.chosen();
  pinned.parentElement.classList.toggle("pinning", !pinned.hidden);
  pager.paused = !pinned.hidden || screenState.hide_contributions || screenState.show_timeline;
  if (!contribution) return;
  setQtypeClass(pinned, contribution.qtype);
  pinned.querySelector(".qtype").textContent = config.qtypeLabels[contribution.qtype || "untagged"];
  pinned.querySelector(".text").textContent = contribution.text;
  // A long post is pinned smaller, so that all of it fits the wall.
  const length = [...contribution.text].length;
  pinned.classList.toggle("long", length > 280 && length <= 900);
  pinned.classList.toggle("longer", length > 900);
  showAuthorLine(pinned.querySelector(".author"), contribution);
}

function upsert(contribution) {
  const isNew = !contributions.get(contribution.id);
  const element = contributions.upsert(contribution);
  byId.set(contribution.id, contribution);
  unseen.delete(contribution.id);
  showPost(element, contribution);
  showFolded();
  showPinned();
  if (isNew && !offWall(contribution.id)) pager.added();
}

function remove(id) {
  const element = contributions.get(id);
  if (element) element.remove();
  contributions.items.delete(id);
  byId.delete(id);
  showFolded();
  showPinned();
}

// The status in words, live; after the close the invitation to join gives way to a note
// that the meeting is closed.
function showStatus(status) {
  meetingStatus = status;
  const badge = document.querySelector("[data-testid=meeting-status]");
  badge.className = `badge status-${status}`;
  badge.textContent = config.statusLabels[status] || status;
  const closed = status === "closed";
  document.querySelector("[data-testid=join-invitation]").hidden = closed;
  document.querySelector("[data-testid=meeting-closed]").hidden = !closed;
  panels.showMeetingStatus(status);
}

function showState(state) {
  folded = state.folded;
  showStatus(state.status);
  showFolded();
  document.querySelector("[data-testid=participant-count]").textContent = state.participants;
  const byOrg = document.querySelector("[data-testid=participants-by-organization]");
  byOrg.replaceChildren(
    ...Object.entries(state.participants_by_organization).map(([code, count]) => {
      const item = document.createElement("li");
      item.dataset.organization = code;
      item.textContent = `${code}: ${count}`;
      return item;
    }),
  );
  const counts = state.counts;
  const highest = Math.max(1, ...Object.values(counts));
  for (const [key, count] of Object.entries(counts)) {
    const label = document.querySelector(`[data-testid=qtype-count-${key}]`);
    if (label) label.textContent = count;
    const bar = document.querySelector(`[data-bar=${key}]`);
    if (bar) bar.style.width = `${(100 * count) / highest}%`;
  }
}

function showScreen(state) {
  screenState = state;
  list.hidden = state.hide_contributions;
  document.querySelector("[data-testid=contributions-hidden]").hidden = !state.hide_contributions;
  panels.showScreen(state);
  for (const [id, element] of contributions.items) showPost(element, byId.get(id));
  showPinned();
  pager.refresh();
}

// The socket: a facilitator's screen by its login, a screen link by its token. The server
// gives both what a projector may show.
const socket = connect(() =>
  config.screenToken
    ? { screen_token: config.screenToken, since_seq: 0 }
    : { meeting_id: config.meetingId, view: "screen", since_seq: 0 },
);
showConnection(socket, document.querySelector("[data-testid=connection]"));

// A refused screen link (revoked, or renewed) says so, instead of showing a stale wall.
const linkInvalid = document.querySelector("[data-testid=link-invalid]");
socket.on("connect_error", (error) => {
  if (config.screenToken && error.data && error.data.code) linkInvalid.hidden = false;
});
socket.on("disconnect", (reason) => {
  // The server ended the connection (a revoked link): ask again, and hear why.
  if (reason === "io server disconnect") setTimeout(() => socket.connect(), 500);
});

// After a reconnect the server replays every post; one it no longer sends was deleted
// meanwhile, so it leaves the wall once the replay is over. (The replay may reach the page
// just before the "connect" event, so the posts are marked when the connection drops.)
const unseen = new Set();
let sweep = null;
socket.on("disconnect", () => {
  clearTimeout(sweep);
  for (const id of byId.keys()) unseen.add(id);
});
socket.on("connect", () => {
  linkInvalid.hidden = true;
  clearTimeout(sweep);
  sweep = setTimeout(() => {
    if (!socket.connected) return;
    for (const id of unseen) remove(id);
    unseen.clear();
  }, 5000);
});

socket.on("meeting:state", showState);
socket.on("screen:state", showScreen);
socket.on("self_evaluation:state", (state) => panels.showSelfEvaluation(state));
socket.on("agenda:state", (state) => {
  clock.update(state);
  panels.showSteps();
  showPinned();
});
socket.on("followups:state", (state) => {
  panels.showFollowups(state);
  showPinned();
});
for (const name of ["contribution:added", "contribution:updated"]) socket.on(name, upsert);
socket.on("contribution:removed", (removed) => remove(removed.id));

// The keyboard. Commands go to the server, which sends every screen the new screen:state.
const refusal = document.querySelector("[data-testid=screen-error]");
let refusalTimer = null;

function command(payload) {
  request(socket, "screen:command", payload, {
    messages: config.messages,
    show: (text) => {
      refusal.textContent = text;
      refusal.hidden = false;
      clearTimeout(refusalTimer);
      refusalTimer = setTimeout(() => {
        refusal.hidden = true;
      }, 8000);
    },
  });
}

listenToKeys(document.querySelector("[data-testid=keys-help]"), config.canCommand, {
  nextPage: () => pager.next(),
  previousPage: () => pager.previous(),
  hideAll: () => command({ hide_contributions: !screenState.hide_contributions }),
  pin: () => {
    if (screenState.pinned_contribution_id !== null) {
      command({ pin: null });
      return;
    }
    const first = pager.firstOnPage();
    if (first) command({ pin: Number(first.dataset.id) });
  },
});
