// Projector screen: QR and join code (server-rendered), live contributions, a bar per
// question type and who has joined, by organisation.
import { AgendaClock } from "./agenda.js";
import {
  ContributionList,
  connect,
  pageConfig,
  setQtypeClass,
  showAuthor,
  showConnection,
  showReactionCounts,
} from "./live.js";

const config = pageConfig();
const list = document.getElementById("contributions");
const empty = document.querySelector("[data-testid=empty]");

function render(contribution) {
  const item = document.createElement("li");
  item.dataset.testid = "contribution";
  item.className = "contribution";
  const label = document.createElement("span");
  label.className = "qtype";
  const text = document.createElement("p");
  text.className = "text";
  text.textContent = contribution.text;
  const author = document.createElement("span");
  author.className = "author";
  showAuthor(author, contribution);
  // How many agreed, disagreed and built on it; shown while the facilitator switches it on.
  const reactions = document.createElement("p");
  reactions.className = "reaction-counts";
  reactions.dataset.testid = "reaction-counts";
  reactions.hidden = true;
  item.append(label, text, author, reactions);
  return item;
}

function showReactions() {
  for (const [id, element] of contributions.items) {
    const counts = element.querySelector("[data-testid=reaction-counts]");
    counts.hidden = !screenState.show_reactions;
    showReactionCounts(counts, byId.get(id).reactions, config.reactionLabels);
  }
}

const byId = new Map();
// From meeting:state: the duplicates folded into a shown post, as duplicate id (a string
// key) -> that post's id. The server decides which; the screen only shows it.
let folded = {};

function update(element, contribution) {
  byId.set(contribution.id, contribution);
  setQtypeClass(element, contribution.qtype);
  element.querySelector(".qtype").textContent =
    config.qtypeLabels[contribution.qtype || "untagged"];
  const counts = element.querySelector("[data-testid=reaction-counts]");
  counts.hidden = !screenState.show_reactions;
  showReactionCounts(counts, contribution.reactions, config.reactionLabels);
  showFolded();
  showPinned();
}

// A hidden post is not shown, nor a folded duplicate; the post it is folded into shows
// how many it stands for.
function showFolded() {
  const counts = new Map();
  for (const into of Object.values(folded)) counts.set(into, (counts.get(into) || 0) + 1);
  for (const [id, element] of contributions.items) {
    element.hidden = byId.get(id).hidden || String(id) in folded;
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
  empty.hidden = [...list.children].some((child) => !child.hidden);
}

let screenState = { pinned_contribution_id: null, hide_contributions: false, show_goals: false };
const pinned = document.querySelector("[data-testid=pinned]");

function showPinned() {
  const contribution = byId.get(screenState.pinned_contribution_id);
  // "Hide all contributions" hides the pinned one too; a panel the facilitator switched on
  // (goals, starting point, earlier questions) comes first, if it has something to show.
  const chosenPanel =
    screenState.show_timeline ||
    screenState.show_goals ||
    (screenState.show_starting_point && !startingPoint.hidden) ||
    (screenState.show_carried_questions && !carriedPanel.hidden);
  pinned.hidden =
    !contribution || contribution.hidden || screenState.hide_contributions || chosenPanel;
  if (!contribution) return;
  setQtypeClass(pinned, contribution.qtype);
  pinned.querySelector(".qtype").textContent = config.qtypeLabels[contribution.qtype || "untagged"];
  pinned.querySelector(".text").textContent = contribution.text;
  // A long post is pinned smaller, so that all of it fits the wall.
  pinned.classList.toggle("long", [...contribution.text].length > 280);
  showAuthor(pinned.querySelector(".author"), contribution);
}

const contributions = new ContributionList(list, render, { newestFirst: true });

function showState(state) {
  folded = state.folded;
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
  const status = document.querySelector("[data-testid=meeting-status]");
  status.className = `badge status-${state.status}`;
}

const socket = connect(() => ({ meeting_id: config.meetingId, since_seq: 0 }));
showConnection(socket, document.querySelector("[data-testid=connection]"));
socket.on("meeting:state", showState);
const clock = new AgendaClock(document.querySelector("[data-testid=agenda-clock]"), config.stepLabels);

// During a report-back step the screen lists the questions the group carried here.
const carriedPanel = document.querySelector("[data-testid=carried-questions]");
let followups = { questions: [] };

function showCarried() {
  const step = clock.current();
  const carried = followups.questions.filter(
    (question) => question.carried_from_earlier && question.status !== "answered",
  );
  const inStep = step && step.shows_carried_questions;
  carriedPanel.hidden = !(inStep || screenState.show_carried_questions) || carried.length === 0;
  carriedPanel.querySelector("ol").replaceChildren(
    ...carried.map((question) => {
      const item = document.createElement("li");
      item.dataset.testid = "carried-question";
      item.textContent = question.text;
      return item;
    }),
  );
}

// During a starting-point step the screen shows the facilitator's text and image.
const startingPoint = document.querySelector("[data-testid=starting-point]");

function showStartingPoint() {
  const step = clock.current();
  const hasContent = screenState.starting_point_html || screenState.starting_point_image;
  const inStep = step && step.shows_starting_point;
  startingPoint.hidden = !(inStep || screenState.show_starting_point) || !hasContent;
  // The server cleaned this HTML (nh3); it is the facilitator's Markdown, not a participant's.
  startingPoint.querySelector("[data-testid=starting-point-text]").innerHTML =
    screenState.starting_point_html || "";
  const image = startingPoint.querySelector("[data-testid=starting-point-image]");
  image.hidden = !screenState.starting_point_image;
  if (screenState.starting_point_image) {
    image.src = `${config.imageUrl}?v=${encodeURIComponent(screenState.starting_point_image)}`;
  }
}

function showScreen(state) {
  screenState = state;
  list.hidden = state.hide_contributions;
  document.querySelector("[data-testid=contributions-hidden]").hidden = !state.hide_contributions;
  const goals = document.querySelector("[data-testid=goals]");
  goals.hidden = !state.show_goals;
  // Cleaned on the server (nh3): the facilitator's Markdown, not a participant's text.
  goals.querySelector(".markdown").innerHTML = state.goals_html;
  showReactions();
  showTimeline();
  showPanels();
}

// The group's timeline, large, over the wall; fetched again whenever a phase of the group
// is suggested or decided (the server's timeline_version).
const timelinePanel = document.querySelector("[data-testid=timeline-panel]");
const timeline = document.querySelector("[data-testid=timeline]");

function showTimeline() {
  timelinePanel.hidden = !screenState.show_timeline;
  if (!screenState.show_timeline) return;
  const src = `${config.timelineUrl}?v=${encodeURIComponent(screenState.timeline_version)}`;
  if (timeline.getAttribute("src") !== src) timeline.setAttribute("src", src);
}

// While the self-evaluation is open: how many have answered and, from 3 answers on, the
// mean of each statement as a bar.
const selfEvaluation = document.querySelector("[data-testid=self-evaluation]");
const language = document.documentElement.lang || "sv";

let meetingStatus = null;
let selfEvaluationState = null;

function showSelfEvaluation(state) {
  selfEvaluationState = state;
  // It closes with the meeting (the server sends no new self-evaluation state then).
  selfEvaluation.hidden = state.status !== "open" || meetingStatus === "closed";
  selfEvaluation.querySelector("[data-testid=self-evaluation-count]").textContent =
    config.answered.replace("{n}", state.n);
  const scale = state.items.filter((item) => item.kind === "scale");
  const summed = scale.some((item) => item.mean !== null);
  selfEvaluation.querySelector("[data-testid=self-evaluation-waiting]").hidden = summed;
  selfEvaluation.querySelector("[data-testid=self-evaluation-means]").hidden = !summed;
  for (const item of scale) {
    const row = selfEvaluation.querySelector(`li[data-key="${item.key}"]`);
    if (!row) continue;
    row.hidden = item.mean === null && summed;
    const mean = item.mean === null ? 1 : item.mean;
    row.querySelector(".se-fill").style.width = `${(100 * (mean - 1)) / 4}%`;
    row.querySelector(".se-mean").textContent =
      item.mean === null
        ? ""
        : item.mean.toLocaleString(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  }
}

// The panels first: whether the pinned post shows depends on them.
function showPanels() {
  showStartingPoint();
  showCarried();
  showPinned();
}

socket.on("screen:state", showScreen);
socket.on("self_evaluation:state", showSelfEvaluation);
socket.on("meeting:state", (state) => {
  meetingStatus = state.status;
  if (selfEvaluationState) showSelfEvaluation(selfEvaluationState);
});
socket.on("agenda:state", (state) => {
  clock.update(state);
  showPanels();
});
socket.on("followups:state", (state) => {
  followups = state;
  showPanels();
});
for (const name of ["contribution:added", "contribution:updated"]) {
  socket.on(name, (contribution) => update(contributions.upsert(contribution), contribution));
}
