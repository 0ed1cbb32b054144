// Facilitator console: every contribution live, as a compact card with re-tag, hide and
// "take to next meeting" sent as contribution:update, the pin on the screen, and merge,
// redaction and the case story under "More". The tools sit in tabs beside the posts.
import { agendaNotes } from "./agenda-notes.js";
import { agendaPanel } from "./agenda-panel.js";
import { caseStoryControl } from "./case-story.js";
import { copyButtons } from "./console-copy.js";
import { premoderationQueue, showFlags } from "./console-queue.js";
import { postFilters } from "./console-filters.js";
import { participantRemoval } from "./console-removal.js";
import { screenTools } from "./console-screen.js";
import { storageBanner } from "./console-storage.js";
import { meetingStatus } from "./console-status.js";
import { tabs } from "./console-tabs.js";
import { phasePanel, selfEvaluationPanel } from "./development-panels.js";
import { followupsPanel } from "./followups-panel.js";
import {
  ContributionList,
  connect,
  pageConfig,
  setQtypeClass,
  showAuthor,
  showConnection,
  showReactionCounts,
} from "./live.js";
import { request } from "./request.js";

const config = pageConfig();
const template = document.getElementById("console-item");
const list = document.getElementById("contributions");
const empty = document.querySelector("[data-testid=empty]");
const latest = new Map(); // id -> the contribution as the server last sent it
const seqOfId = new Map();

tabs(document.querySelector("[role=tablist]"));
copyButtons(config);
// Once the meeting closes, no post can be taken to the next meeting (the server refuses it).
const status = meetingStatus(config, [
  () => {
    for (const [, item] of contributions.items) showCarry(item);
  },
]);
const socket = connect(() => ({ meeting_id: config.meetingId, since_seq: 0 }));
const screen = screenTools(socket, config, showPinned);
storageBanner(socket);
const removalButton = participantRemoval(socket, config);

function ask(event, payload, show) {
  return request(socket, event, payload, { messages: config.messages, show });
}

function showCarry(item) {
  item.querySelector("[data-testid=carry-toggle]").disabled = status.closed;
}

function idOfSeq(seq) {
  for (const [id, s] of seqOfId) if (s === seq) return id;
  return null;
}

// A refusal about one post shows on that post, with its controls back at what the server has.
function refusedOn(id) {
  return (text) => {
    const item = contributions.get(id);
    if (latest.has(id)) update(item, latest.get(id));
    item.classList.add("update-failed");
    const why = item.querySelector("[data-testid=item-error]");
    why.textContent = text;
    why.hidden = false;
  };
}

// The owner's redaction: the words are replaced on the server, in the logs and minutes too.
async function redact(id, control) {
  const replacement = window.prompt(config.redact.prompt, config.redact.replacement);
  if (replacement === null) return;
  await postRedaction(id, control, replacement.trim() ? { replacement: replacement.trim() } : {});
}

// One click: only what the privacy guard flagged is replaced (with the page language's
// "[redacted]"), the rest of the post stays.
function redactFlagged(id, control) {
  return postRedaction(id, control, { only_flagged: true, replacement: config.redact.replacement });
}

async function postRedaction(id, control, body) {
  control.disabled = true;
  let answer = null;
  try {
    const response = await fetch(config.redact.url.replace("{id}", id), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.redact.csrfToken },
      body: JSON.stringify(body),
    });
    answer = await response.json();
    if (!response.ok) {
      const error = answer.error || {};
      refusedOn(id)(config.messages[error.code] || error.message || config.messages.internal_error);
      answer = null;
    }
  } catch {
    refusedOn(id)(config.messages.no_answer);
  }
  control.disabled = false;
  if (!answer) return;
  latest.set(id, answer);
  update(contributions.get(id), answer);
}

// The control keeps its focus while its change is on its way (a disabled control would lose
// it, and the keyboard its place); the answers come back in the order the changes went.
async function send(id, change) {
  const answer = await ask("contribution:update", { id, ...change }, refusedOn(id));
  if (!answer) return;
  latest.set(id, answer.contribution);
  update(contributions.get(id), answer.contribution);
}

async function merge(item, id) {
  const mergeInto = item.querySelector("[data-testid=merge-into]");
  const merged = item.dataset.mergedInto;
  const target = merged ? null : idOfSeq(Number(mergeInto.value));
  if (!merged && !target) {
    // A number no post here has: the server would refuse it just the same.
    if (mergeInto.value) refusedOn(id)(config.messages.contribution_not_found);
    return;
  }
  const answer = await ask("contribution:merge", { id, into: target }, refusedOn(id));
  if (!answer) return;
  latest.set(id, answer.contribution);
  update(item, answer.contribution);
}

// "More": merge, redaction and the case story, opened under the post's controls.
function moreMenu(item, id) {
  const toggle = item.querySelector("[data-testid=more]");
  const panel = item.querySelector("[data-testid=more-panel]");
  panel.id = `more-${id}`;
  toggle.setAttribute("aria-controls", panel.id);
  const open = (opened) => {
    panel.hidden = !opened;
    toggle.setAttribute("aria-expanded", String(opened));
  };
  toggle.addEventListener("click", () => open(panel.hidden));
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    open(false);
    toggle.focus();
  });
}

// Two lines of each post; "Show all" appears where the text goes on.
const toMeasure = new Set();
function measureSoon(item) {
  toMeasure.add(item);
  if (toMeasure.size === 1) requestAnimationFrame(measure);
}
function measure() {
  for (const item of toMeasure) {
    const body = item.querySelector(".post-body");
    const button = item.querySelector("[data-testid=expand]");
    if (item.classList.contains("expanded") || !body.getClientRects().length) continue;
    button.hidden = body.scrollHeight <= body.clientHeight + 1;
  }
  toMeasure.clear();
}
function measureAll() {
  for (const item of list.children) measureSoon(item);
}
window.addEventListener("resize", measureAll);

function render(contribution) {
  const id = contribution.id;
  const item = template.content.firstElementChild.cloneNode(true);
  showAuthor(item.querySelector(".author"), contribution, { pseudonym: true });
  item.querySelector(".seq").textContent = `#${contribution.seq}`;
  const select = item.querySelector("[data-testid=qtype-select]");
  select.addEventListener("change", () => send(id, { qtype: select.value || null }));
  const hide = item.querySelector("[data-testid=hide-toggle]");
  hide.addEventListener("change", () => send(id, { hidden: hide.checked }));
  const carry = item.querySelector("[data-testid=carry-toggle]");
  carry.addEventListener("change", () => send(id, { carry_forward: carry.checked }));
  item.querySelector("[data-testid=pin-toggle]").addEventListener("click", () =>
    screen.togglePin(id, refusedOn(id)),
  );
  const expand = item.querySelector("[data-testid=expand]");
  expand.addEventListener("click", () => {
    const expanded = item.classList.toggle("expanded");
    expand.setAttribute("aria-expanded", String(expanded));
    expand.textContent = expanded ? config.showLess : config.showAll;
  });
  moreMenu(item, id);
  const redactButton = item.querySelector("[data-testid=redact]");
  if (redactButton) redactButton.addEventListener("click", () => redact(id, redactButton));
  const redactFlaggedButton = item.querySelector("[data-testid=redact-flagged]");
  if (redactFlaggedButton) {
    redactFlaggedButton.addEventListener("click", () => redactFlagged(id, redactFlaggedButton));
  }
  item
    .querySelector("[data-testid=clear-flags]")
    .addEventListener("click", () => send(id, { clear_flags: true }));
  item
    .querySelector("[data-testid=approve-rejected]")
    .addEventListener("click", () => send(id, { approved: true }));
  const mergeButton = item.querySelector("[data-testid=merge]");
  mergeButton.dataset.label = mergeButton.textContent;
  mergeButton.addEventListener("click", () => merge(item, id));
  caseStoryControl(item, contribution, config, refusedOn(id));
  removalButton(item, contribution, refusedOn(id));
  return item;
}

function showPin(item, pinned) {
  item.classList.toggle("is-pinned", pinned);
  item.querySelector("[data-testid=pinned-badge]").hidden = !pinned;
  item.querySelector("[data-testid=pin-toggle]").textContent = pinned
    ? config.unpinThis
    : config.pin;
}

function showPinned(pinnedId) {
  for (const [id, item] of contributions.items) showPin(item, id === pinnedId);
}

function update(item, contribution) {
  setQtypeClass(item, contribution.qtype);
  item.dataset.qtype = contribution.qtype || "untagged";
  item.dataset.hidden = String(contribution.hidden);
  item.classList.toggle("is-hidden", contribution.hidden);
  item.classList.toggle("is-carried", contribution.carry_forward);
  item.classList.remove("update-failed");
  item.querySelector("[data-testid=item-error]").hidden = true;
  item.querySelector("[data-testid=qtype-select]").value = contribution.qtype || "";
  const hide = item.querySelector("[data-testid=hide-toggle]");
  hide.checked = contribution.hidden;
  // A rejected post is hidden by its rejection: approving it is the way back.
  const rejected = contribution.status === "rejected";
  hide.disabled = rejected;
  item.classList.toggle("is-rejected", rejected);
  const rejectedBadge = item.querySelector("[data-testid=rejected-badge]");
  rejectedBadge.hidden = !rejected;
  rejectedBadge.title = contribution.moderation_reason
    ? config.rejectedBecause.replace("{reason}", contribution.moderation_reason)
    : "";
  item.querySelector("[data-testid=approve-rejected]").hidden = !rejected;
  showFlags(item, contribution, config);
  item.querySelector("[data-testid=flag-tools]").hidden =
    !(contribution.flags || []).length || contribution.flags_cleared;
  item.querySelector("[data-testid=carry-toggle]").checked = contribution.carry_forward;
  showCarry(item);
  showReactionCounts(
    item.querySelector("[data-testid=reaction-counts]"),
    contribution.reactions,
    config.reactionLabels,
  );
  const merged = contribution.merged_into_id;
  item.dataset.mergedInto = merged || "";
  item.classList.toggle("is-merged", Boolean(merged));
  const note = item.querySelector("[data-testid=merged-note]");
  note.hidden = !merged;
  note.textContent = merged ? config.mergedInto.replace("{n}", seqOfId.get(merged) || "?") : "";
  item.querySelector("[data-testid=merge-into]").hidden = Boolean(merged);
  const mergeButton = item.querySelector("[data-testid=merge]");
  mergeButton.textContent = merged ? config.unmerge : mergeButton.dataset.label;
  showPin(item, contribution.id === screen.pinnedId);
  filters.apply(item);
  empty.hidden = true;
  measureSoon(item);
}

const contributions = new ContributionList(list, render, { newestFirst: true });
// Posts waiting for approval stay in the queue; the list has the others.
const queue = premoderationQueue(socket, config, { onDecided: received });
const filters = postFilters(list, config, measureAll);

showConnection(socket, document.querySelector("[data-testid=connection]"));
const agendaClock = agendaPanel(socket, config.stepLabels, config.messages, config.saved);
agendaNotes(socket, agendaClock, config);
followupsPanel(socket, config);
selfEvaluationPanel(socket, config);
phasePanel(socket, config);
socket.on("meeting:state", (state) => {
  document.querySelector("[data-testid=participant-count]").textContent = state.participants;
  status.update(state.status);
  queue.setPremoderation(state.premoderation);
});
function received(contribution) {
  seqOfId.set(contribution.id, contribution.seq);
  latest.set(contribution.id, contribution);
  if (queue.show(contribution)) return;
  update(contributions.upsert(contribution), contribution);
}
socket.on("contribution:added", received);
socket.on("contribution:updated", received);
// A participant deleted their own post: it leaves the console.
socket.on("contribution:removed", ({ id }) => {
  queue.remove(id);
  const item = contributions.get(id);
  if (!item) return;
  item.remove();
  contributions.items.delete(id);
  latest.delete(id);
  seqOfId.delete(id);
  filters.summarise();
  empty.hidden = list.children.length > 0;
});

// An image over the limit is refused here, before the upload, so the typed text stays.
const IMAGE_MAX_BYTES = 5 * 1024 * 1024; // as the server checks it
const startingPointForm = document.querySelector("[data-testid=starting-point-form] form");
startingPointForm.addEventListener("submit", (event) => {
  const file = startingPointForm.querySelector("[data-testid=starting-point-image]").files[0];
  const error = startingPointForm.querySelector("[data-testid=starting-point-error]");
  error.hidden = !file || file.size <= IMAGE_MAX_BYTES;
  if (!error.hidden) {
    event.preventDefault();
    error.textContent = config.messages.image_too_large;
  }
});

// Closing, renewing and revoking ask first (the page allows no inline handlers).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
