// Facilitator console: every contribution live, with re-tag, hide and
// "take to next meeting" sent as contribution:update.
import { agendaPanel } from "./agenda-panel.js";
import { caseStoryControl } from "./case-story.js";
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
const empty = document.querySelector("[data-testid=empty]");
const screenError = document.querySelector("[data-testid=screen-error]");
let socket;
let pinnedId = null;
let screenState = null; // the screen as the server last sent it
const latest = new Map(); // id -> the contribution as the server last sent it

function ask(event, payload, show) {
  return request(socket, event, payload, { messages: config.messages, show });
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
  control.disabled = true;
  let answer = null;
  try {
    const response = await fetch(config.redact.url.replace("{id}", id), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": config.redact.csrfToken },
      body: JSON.stringify(replacement.trim() ? { replacement: replacement.trim() } : {}),
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
  const item = contributions.get(id);
  item.querySelector(".text").textContent = answer.text;
  update(item, answer);
}

async function send(id, change, control) {
  control.disabled = true;
  const answer = await ask("contribution:update", { id, ...change }, refusedOn(id));
  control.disabled = false;
  if (!answer) return;
  latest.set(id, answer.contribution);
  update(contributions.get(id), answer.contribution);
}

// A refused switch goes back to what the screen shows.
// The screen's switches: checkbox and screen:state field.
const SWITCHES = [
  ["screen-hide-all", "hide_contributions"],
  ["screen-show-goals", "show_goals"],
  ["screen-show-starting-point", "show_starting_point"],
  ["screen-show-carried", "show_carried_questions"],
  ["screen-show-reactions", "show_reactions"],
  ["screen-show-timeline", "show_timeline"],
];

// Switches whose command is on its way: a screen:state sent before the server had it (on
// connect, or for another change) must not undo what the facilitator just clicked.
const pendingSwitches = new Map();

async function commandScreen(change, show = screenError) {
  for (const field of Object.keys(change)) {
    pendingSwitches.set(field, (pendingSwitches.get(field) || 0) + 1);
  }
  const answer = await ask("screen:command", change, show);
  for (const field of Object.keys(change)) {
    const left = pendingSwitches.get(field) - 1;
    if (left) pendingSwitches.set(field, left);
    else pendingSwitches.delete(field);
  }
  if (answer) showScreen(answer.screen);
  else if (screenState) showScreen(screenState);
}

function setSwitch(testid, field, value) {
  if (!pendingSwitches.has(field)) {
    document.querySelector(`[data-testid=${testid}]`).checked = value;
  }
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
    commandScreen(
      { pin: pinnedId === contribution.id ? null : contribution.id },
      refusedOn(contribution.id),
    ),
  );
  const redactButton = item.querySelector("[data-testid=redact]");
  if (redactButton) {
    redactButton.addEventListener("click", () => redact(contribution.id, redactButton));
  }
  const mergeInto = item.querySelector("[data-testid=merge-into]");
  item.querySelector("[data-testid=merge]").addEventListener("click", async () => {
    const merged = item.dataset.mergedInto;
    const target = merged ? null : idOfSeq(Number(mergeInto.value));
    if (!merged && !target) {
      // A number no post here has: the server would refuse it just the same.
      if (mergeInto.value) refusedOn(contribution.id)(config.messages.contribution_not_found);
      return;
    }
    const answer = await ask(
      "contribution:merge",
      { id: contribution.id, into: target },
      refusedOn(contribution.id),
    );
    if (!answer) return;
    latest.set(contribution.id, answer.contribution);
    update(item, answer.contribution);
  });
  caseStoryControl(item, contribution, config, refusedOn(contribution.id));
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
  showReactionCounts(
    element.querySelector("[data-testid=reaction-counts]"),
    contribution.reactions,
    config.reactionLabels,
  );
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
  screenState = state;
  pinnedId = state.pinned_contribution_id;
  for (const [testid, field] of SWITCHES) setSwitch(testid, field, state[field]);
  // Goals can be added while the console is open.
  document.querySelector("[data-testid=screen-show-goals]").disabled = !state.goals_html;
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
selfEvaluationPanel(socket, config);
phasePanel(socket, config);
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
for (const [testid, field] of SWITCHES) {
  const box = document.querySelector(`[data-testid=${testid}]`);
  box.addEventListener("change", () => commandScreen({ [field]: box.checked }));
}
document.querySelector("[data-testid=unpin]").addEventListener("click", () =>
  commandScreen({ pin: null }),
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
