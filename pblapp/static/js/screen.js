// Projector screen: QR and join code (server-rendered), live contributions, a bar per
// question type and who has joined, by organisation.
import { AgendaClock } from "./agenda.js";
import { ContributionList, connect, pageConfig, setQtypeClass, showConnection } from "./live.js";

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
  author.textContent = `${contribution.display_name} (${contribution.organization})`;
  item.append(label, text, author);
  return item;
}

function update(element, contribution) {
  setQtypeClass(element, contribution.qtype);
  element.querySelector(".qtype").textContent =
    config.qtypeLabels[contribution.qtype || "untagged"];
  element.hidden = contribution.hidden;
  empty.hidden = [...list.children].some((child) => !child.hidden);
}

const contributions = new ContributionList(list, render, { newestFirst: true });

function showState(state) {
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

// During the report-back step the screen lists the questions the group carried here.
const REPORT_BACK_STEPS = ["report-back", "report-back-synthesise"];
const carriedPanel = document.querySelector("[data-testid=carried-questions]");
let followups = { questions: [] };

function showCarried() {
  const step = clock.current();
  const carried = followups.questions.filter(
    (question) => question.carried_from_earlier && question.status !== "answered",
  );
  carriedPanel.hidden = !step || !REPORT_BACK_STEPS.includes(step.key) || carried.length === 0;
  carriedPanel.querySelector("ol").replaceChildren(
    ...carried.map((question) => {
      const item = document.createElement("li");
      item.dataset.testid = "carried-question";
      item.textContent = question.text;
      return item;
    }),
  );
}

socket.on("agenda:state", (state) => {
  clock.update(state);
  showCarried();
});
socket.on("followups:state", (state) => {
  followups = state;
  showCarried();
});
for (const name of ["contribution:added", "contribution:updated"]) {
  socket.on(name, (contribution) => update(contributions.upsert(contribution), contribution));
}
