// Facilitator console: every contribution live, with re-tag, hide and
// "take to next meeting" sent as contribution:update.
import { agendaPanel } from "./agenda-panel.js";
import { followupsPanel } from "./followups-panel.js";
import {
  ContributionList,
  connect,
  pageConfig,
  refusalText,
  setQtypeClass,
  showAuthor,
  showConnection,
} from "./live.js";

const config = pageConfig();
const template = document.getElementById("console-item");
const empty = document.querySelector("[data-testid=empty]");
let socket;
let pinnedId = null;
const latest = new Map(); // id -> the contribution as the server last sent it

function emit(event, payload, onAnswer) {
  socket.timeout(10000).emit(event, payload, (err, answer) => {
    if (!err && answer.ok) onAnswer(answer);
  });
}

function send(id, change, control) {
  control.disabled = true;
  socket.timeout(10000).emit("contribution:update", { id, ...change }, (err, answer) => {
    control.disabled = false;
    const item = control.closest("li");
    if (err || !answer.ok) {
      // Put the control back to what the server has, and say why.
      if (latest.has(id)) update(item, latest.get(id));
      item.classList.add("update-failed");
      const why = item.querySelector("[data-testid=item-error]");
      why.textContent = refusalText(err, answer, config.messages);
      why.hidden = false;
      return;
    }
    latest.set(id, answer.contribution);
    update(item, answer.contribution);
  });
}

function render(contribution) {
  const item = template.content.firstElementChild.cloneNode(true);
  showAuthor(item.querySelector(".author"), contribution, { pseudonym: true });
  item.querySelector(".seq").textContent = `#${contribution.seq}`;
  item.querySelector(".text").textContent = contribution.text;
  const select = item.querySelector("[data-testid=qtype-select]");
  select.addEventListener("change", () =>
    send(contribution.id, { qtype: select.value || null }, select),
  );
  const hide = item.querySelector("[data-testid=hide-toggle]");
  hide.addEventListener("change", () => send(contribution.id, { hidden: hide.checked }, hide));
  const carry = item.querySelector("[data-testid=carry-toggle]");
  carry.addEventListener("change", () =>
    send(contribution.id, { carry_forward: carry.checked }, carry),
  );
  item.querySelector("[data-testid=pin-toggle]").addEventListener("click", () =>
    emit("screen:command", { pin: pinnedId === contribution.id ? null : contribution.id }, (a) =>
      showScreen(a.screen),
    ),
  );
  const mergeInto = item.querySelector("[data-testid=merge-into]");
  item.querySelector("[data-testid=merge]").addEventListener("click", () => {
    const merged = item.dataset.mergedInto;
    const target = merged ? null : idOfSeq(Number(mergeInto.value));
    if (!merged && !target) return;
    emit("contribution:merge", { id: contribution.id, into: target }, (a) =>
      update(contributions.get(contribution.id), a.contribution),
    );
  });
  return item;
}

function update(element, contribution) {
  setQtypeClass(element, contribution.qtype);
  element.classList.toggle("is-hidden", contribution.hidden);
  element.classList.toggle("is-carried", contribution.carry_forward);
  element.classList.remove("update-failed");
  element.querySelector("[data-testid=item-error]").hidden = true;
  element.querySelector("[data-testid=qtype-select]").value = contribution.qtype || "";
  element.querySelector("[data-testid=hide-toggle]").checked = contribution.hidden;
  element.querySelector("[data-testid=carry-toggle]").checked = contribution.carry_forward;
  const merged = contribution.merged_into_id;
  element.dataset.mergedInto = merged || "";
  element.classList.toggle("is-merged", Boolean(merged));
  const note = element.querySelector("[data-testid=merged-note]");
  note.hidden = !merged;
  note.textContent = merged
    ? config.mergedInto.replace("{n}", seqOfId.get(merged) || "?")
    : "";
  element.querySelector("[data-testid=merge-into]").hidden = Boolean(merged);
  element.querySelector("[data-testid=merge]").textContent = merged
    ? config.unmerge
    : element.querySelector("[data-testid=merge]").dataset.label;
  empty.hidden = true;
}

const seqOfId = new Map();
function idOfSeq(seq) {
  for (const [id, s] of seqOfId) if (s === seq) return id;
  return null;
}

function showScreen(state) {
  pinnedId = state.pinned_contribution_id;
  document.querySelector("[data-testid=screen-hide-all]").checked = state.hide_contributions;
  const showGoals = document.querySelector("[data-testid=screen-show-goals]");
  showGoals.checked = state.show_goals;
  showGoals.disabled = !state.goals_html; // goals can be added while the console is open
  document.querySelector("[data-testid=screen-show-starting-point]").checked =
    state.show_starting_point;
  document.querySelector("[data-testid=screen-show-carried]").checked =
    state.show_carried_questions;
  document.querySelector("[data-testid=pinned-note]").hidden = !pinnedId;
  for (const [id, element] of contributions.items) {
    element.classList.toggle("is-pinned", id === pinnedId);
  }
}

const contributions = new ContributionList(document.getElementById("contributions"), render, {
  newestFirst: true,
});

socket = connect(() => ({ meeting_id: config.meetingId, since_seq: 0 }));
showConnection(socket, document.querySelector("[data-testid=connection]"));
agendaPanel(socket, config.stepLabels, config.messages, config.saved);
followupsPanel(socket, config);
socket.on("meeting:state", (state) => {
  document.querySelector("[data-testid=participant-count]").textContent = state.participants;
});
for (const name of ["contribution:added", "contribution:updated"]) {
  socket.on(name, (contribution) => {
    seqOfId.set(contribution.id, contribution.seq);
    latest.set(contribution.id, contribution);
    const element = contributions.upsert(contribution);
    const mergeButton = element.querySelector("[data-testid=merge]");
    mergeButton.dataset.label = mergeButton.dataset.label || mergeButton.textContent;
    update(element, contribution);
  });
}
socket.on("screen:state", showScreen);
for (const [testid, field] of [
  ["screen-hide-all", "hide_contributions"],
  ["screen-show-goals", "show_goals"],
  ["screen-show-starting-point", "show_starting_point"],
  ["screen-show-carried", "show_carried_questions"],
]) {
  const box = document.querySelector(`[data-testid=${testid}]`);
  box.addEventListener("change", () =>
    emit("screen:command", { [field]: box.checked }, (a) => showScreen(a.screen)),
  );
}
document.querySelector("[data-testid=unpin]").addEventListener("click", () =>
  emit("screen:command", { pin: null }, (a) => showScreen(a.screen)),
);

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

// Closing asks first (the page allows no inline handlers).
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
