// The participant's phone. A post goes first into an outbox kept in localStorage, so a
// sleeping phone, a reload or a dropped network loses nothing; it leaves the outbox only
// when the server acks it. A retry sends the same client_id, so the server stores it once.
import { AgendaClock } from "./agenda.js";
import { ContributionList, connect, pageConfig, qtypeClass, setQtypeClass } from "./live.js";
import { request } from "./request.js";

const config = pageConfig();
const OUTBOX_KEY = `pblapp.outbox.${config.meetingId}.${config.pseudonym}`;
const form = document.getElementById("post");
const textField = document.getElementById("text");
const errorLine = form.querySelector("[data-testid=error]");
const ownList = document.getElementById("own");
const template = document.getElementById("own-item");
const connectionLine = document.querySelector("[data-testid=connection]");
const notLive = document.querySelector("[data-testid=not-live]");

const othersEmpty = document.querySelector("[data-testid=others-empty]");
const othersTemplate = document.getElementById("others-item");
const selfEvaluation = document.querySelector("[data-testid=self-evaluation]");
const seForm = document.getElementById("self-evaluation-form");
const seThanks = selfEvaluation.querySelector("[data-testid=se-thanks]");
const seError = seForm.querySelector("[data-testid=se-error]");
const SELF_EVALUATION_KEY = `pblapp.selfevaluation.${config.meetingId}.${config.pseudonym}`;
// Shown by the server when the group's consent text changed since this participant last
// consented: posts wait in the outbox until they consent again.
const consentPanel = document.querySelector("[data-testid=consent-renew]");
const RELOADED_FOR_CONSENT = `pblapp.consentreload.${config.meetingId}`;

const own = new Map(); // client_id -> element
const inFlight = new Set();
let lastSeq = 0;
let meetingStatus = notLive && !notLive.hidden ? "planned" : "live";

// crypto.randomUUID needs a secure context; a phone on the LAN uses plain http.
function uuid4() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function loadOutbox() {
  try {
    return JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]");
  } catch {
    return [];
  }
}

let outbox = loadOutbox();

function saveOutbox() {
  localStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox));
}

function showOwn(post, state, message) {
  let item = own.get(post.client_id);
  if (!item) {
    item = template.content.firstElementChild.cloneNode(true);
    item.querySelector(".text").textContent = post.text;
    own.set(post.client_id, item);
    ownList.prepend(item);
  }
  item.className = `contribution ${qtypeClass(post.qtype)} state-${state}`;
  item.querySelector(".qtype").textContent = config.qtypeLabels[post.qtype || "untagged"];
  const stateLabel = item.querySelector(".state");
  stateLabel.textContent = message || config.status[state];
  if (state === "delivered") stateLabel.dataset.testid = "delivered";
  else delete stateLabel.dataset.testid;
}

function flush() {
  // Before the start nothing can be stored yet; after the close a post may still be on the
  // server (its ack lost), and sending it again is how the phone finds out.
  if (!socket.connected || meetingStatus === "planned" || !consentPanel.hidden) return;
  for (const post of outbox) {
    if (inFlight.has(post.client_id) || post.failed) continue;
    inFlight.add(post.client_id);
    // Free to be sent again as soon as the answer is in, before anything else calls flush().
    const settled = () => inFlight.delete(post.client_id);
    request(socket, "contribution:add", post, {
      timeout: 15000,
      messages: config.messages,
      // The outbox decides for itself what these refusals mean for the post.
      handle: {
        no_answer: settled, // no ack: the post stays in the outbox and is sent again
        internal_error: settled, // the server stumbled: keep it and try again later
        // The consent text changed: keep the post, and ask for consent to the new text.
        consent_required: () => {
          settled();
          askConsent();
        },
        meeting_not_live: (text) => {
          settled();
          if (meetingStatus !== "closed") return; // keep it; it goes when the meeting is live
          // Never stored, and now it cannot be: it stays on this phone, marked, not resent.
          post.failed = true;
          saveOutbox();
          showOwn(post, "failed", text);
        },
      },
      // Any other refusal is final: the post leaves the outbox, marked with the reason.
      show: (text) => {
        settled();
        outbox = outbox.filter((p) => p.client_id !== post.client_id);
        saveOutbox();
        showOwn(post, "failed", text);
      },
    }).then((answer) => {
      if (!answer) return;
      settled();
      // Stored now, or already (a replay of the same client_id): delivered either way.
      outbox = outbox.filter((p) => p.client_id !== post.client_id);
      saveOutbox();
      showOwn({ ...post, qtype: answer.contribution.qtype }, "delivered");
    });
  }
}

// The page shows the new consent text when it is loaded; a change made since needs a reload
// (at most once a minute, so that a refusal the page cannot explain does not loop).
function askConsent() {
  if (!consentPanel.hidden) {
    consentPanel.scrollIntoView({ block: "start", behavior: "smooth" });
    return;
  }
  const last = Number(sessionStorage.getItem(RELOADED_FOR_CONSENT) || 0);
  if (Date.now() - last < 60000) return;
  sessionStorage.setItem(RELOADED_FOR_CONSENT, String(Date.now()));
  window.location.reload();
}
if (!consentPanel.hidden) consentPanel.scrollIntoView({ block: "start" });

// Withdrawing asks "are you sure?" first: the button opens the confirmation form.
const withdrawButton = document.querySelector("[data-testid=withdraw]");
const withdrawForm = document.querySelector("[data-testid=withdraw-confirm-form]");
withdrawButton.addEventListener("click", () => {
  withdrawForm.hidden = false;
  withdrawButton.hidden = true;
  withdrawForm.scrollIntoView({ block: "nearest", behavior: "smooth" });
});
withdrawForm.querySelector("[data-testid=withdraw-cancel]").addEventListener("click", () => {
  withdrawForm.hidden = true;
  withdrawButton.hidden = false;
});

function showError(message) {
  errorLine.textContent = message;
  errorLine.hidden = !message;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textField.value.trim();
  if (!text) return showError(config.messages.text_empty);
  // Characters as the server counts them: an emoji is one, not two UTF-16 units.
  if ([...text].length > 2000) return showError(config.messages.text_too_long);
  showError("");
  const checked = form.querySelector("input[name=qtype]:checked");
  const post = { client_id: uuid4(), text, qtype: checked && checked.value ? checked.value : null };
  outbox.push(post);
  saveOutbox();
  showOwn(post, "pending");
  own.get(post.client_id).scrollIntoView({ block: "nearest", behavior: "smooth" });
  textField.value = "";
  form.querySelector("[data-testid=qtype-none]").checked = true;
  flush();
});

// The others' posts, each with three reaction buttons. The phone shows only its own
// reaction (aria-pressed); tapping it again takes it back. No counts, no names.
const myReaction = new Map(); // contribution id -> kind or null

function renderOther(contribution) {
  const item = othersTemplate.content.firstElementChild.cloneNode(true);
  for (const button of item.querySelectorAll("button[data-kind]")) {
    button.addEventListener("click", () => react(contribution.id, button.dataset.kind, item));
  }
  return item;
}

const others = new ContributionList(document.getElementById("others"), renderOther, {
  newestFirst: true,
});

function showReaction(item, kind) {
  for (const button of item.querySelectorAll("button[data-kind]")) {
    button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
    // Reactions go to a live meeting only; the server would refuse them otherwise.
    button.disabled = item.classList.contains("busy") || meetingStatus !== "live";
  }
}

function showOther(contribution) {
  const item = others.upsert(contribution);
  // A hidden post reaches phones without its text, and a merged duplicate is reacted to
  // through the post it joined: both leave the list.
  item.hidden = contribution.hidden || contribution.merged_into_id !== null;
  if (!contribution.hidden) item.querySelector(".text").textContent = contribution.text;
  setQtypeClass(item, contribution.qtype);
  item.querySelector(".qtype").textContent = config.qtypeLabels[contribution.qtype || "untagged"];
  // Only the replay on connect says what this phone chose; live updates keep what it knows.
  if ("my_reaction" in contribution) myReaction.set(contribution.id, contribution.my_reaction);
  showReaction(item, myReaction.get(contribution.id) || null);
  othersEmpty.hidden = [...others.items.values()].some((element) => !element.hidden);
}

async function react(id, kind, item) {
  const next = (myReaction.get(id) || null) === kind ? null : kind;
  item.classList.add("busy");
  showReaction(item, myReaction.get(id) || null);
  const answer = await request(
    socket,
    "reaction:set",
    { contribution_id: id, kind: next },
    { messages: config.messages, show: item.querySelector("[data-testid=react-error]") },
  );
  item.classList.remove("busy");
  if (answer) myReaction.set(id, next);
  showReaction(item, myReaction.get(id) || null);
}

function showAllReactions() {
  for (const [id, item] of others.items) showReaction(item, myReaction.get(id) || null);
}

// The self-evaluation: shown at the top while the facilitator has it open. Answering again
// replaces the earlier answer; this phone keeps its last answers to fill the form again.
let seStatus = "not_open";
let seAnswered = false;
let seEditing = false;

function storedAnswers() {
  try {
    return JSON.parse(localStorage.getItem(SELF_EVALUATION_KEY) || "{}");
  } catch {
    return {};
  }
}

function fillAnswers(answers) {
  for (const [key, value] of Object.entries(answers)) {
    const radio = seForm.querySelector(`input[type=radio][name="${key}"][value="${value}"]`);
    if (radio) radio.checked = true;
    const text = seForm.querySelector(`textarea[name="${key}"]`);
    if (text && typeof value === "string") text.value = value;
  }
}

function showSelfEvaluation() {
  // It closes with the meeting (the server sends no new self-evaluation state then).
  selfEvaluation.hidden = seStatus !== "open" || meetingStatus === "closed";
  const done = seAnswered && !seEditing;
  seForm.hidden = done;
  seThanks.hidden = !done;
}

function showSeError(message) {
  seError.textContent = message;
  seError.hidden = !message;
}

seForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const answers = {};
  for (const fieldset of seForm.querySelectorAll("fieldset[data-key]")) {
    const checked = fieldset.querySelector("input:checked");
    if (checked) answers[fieldset.dataset.key] = Number(checked.value);
  }
  for (const field of seForm.querySelectorAll("textarea")) {
    const text = field.value.trim();
    if ([...text].length > 2000) return showSeError(config.messages.change_too_long);
    if (text) answers[field.name] = text;
  }
  if (!Object.keys(answers).length) return showSeError(config.messages.answers_empty);
  const submit = seForm.querySelector("[data-testid=se-submit]");
  submit.disabled = true;
  const answer = await request(
    socket,
    "self_evaluation:answer",
    { answers },
    { messages: config.messages, show: seError },
  );
  submit.disabled = false;
  if (!answer) return;
  localStorage.setItem(SELF_EVALUATION_KEY, JSON.stringify(answers));
  seAnswered = true;
  seEditing = false;
  showSelfEvaluation();
  selfEvaluation.scrollIntoView({ block: "start", behavior: "smooth" });
});

seThanks.querySelector("[data-testid=se-edit]").addEventListener("click", () => {
  seEditing = true;
  showSelfEvaluation();
  seForm.querySelector("input, textarea").focus();
});

fillAnswers(storedAnswers());

const socket = connect(() => ({ token: config.token, since_seq: lastSeq }));

function showConnectionState() {
  if (meetingStatus === "closed") {
    connectionLine.hidden = false;
    connectionLine.textContent = config.connection.closed;
    return;
  }
  connectionLine.hidden = socket.connected;
  connectionLine.textContent = config.connection.offline;
}

socket.on("connect", () => {
  showConnectionState();
  flush();
});
socket.on("disconnect", showConnectionState);
socket.on("connect_error", showConnectionState);
socket.on("meeting:state", (state) => {
  meetingStatus = state.status;
  if (notLive) notLive.hidden = state.status !== "planned";
  if (state.status === "closed") form.querySelector("[data-testid=send]").disabled = true;
  showAllReactions();
  showSelfEvaluation();
  showConnectionState();
  flush();
});
const clock = new AgendaClock(document.querySelector("[data-testid=agenda-clock]"), config.stepLabels);
socket.on("agenda:state", (state) => clock.update(state));
// The group's goals as the facilitator last saved them (cleaned on the server, nh3).
const goals = document.querySelector("[data-testid=goals]");
socket.on("screen:state", (state) => {
  goals.hidden = !state.goals_html;
  goals.querySelector(".markdown").innerHTML = state.goals_html;
});
socket.on("self_evaluation:state", (state) => {
  const opening = state.status === "open" && seStatus !== "open";
  seStatus = state.status;
  if ("answered" in state) seAnswered = state.answered;
  showSelfEvaluation();
  // Opened just now: bring it into view, unless the participant is in the middle of a post.
  if (opening && !seAnswered && document.activeElement !== textField) {
    selfEvaluation.scrollIntoView({ block: "start", behavior: "smooth" });
  }
});
socket.on("contribution:updated", (contribution) => {
  if (contribution.pseudonym !== config.pseudonym) showOther(contribution);
});
socket.on("contribution:added", (contribution) => {
  lastSeq = Math.max(lastSeq, contribution.seq);
  if (contribution.pseudonym !== config.pseudonym) {
    showOther(contribution);
    return;
  }
  // Stored on the server, so delivered: also a post still in the outbox whose ack was lost.
  if (outbox.some((post) => post.client_id === contribution.client_id)) {
    outbox = outbox.filter((post) => post.client_id !== contribution.client_id);
    saveOutbox();
  }
  showOwn(contribution, "delivered");
});

// Browsers know when the network goes; don't wait for a socket timeout to find out.
window.addEventListener("offline", () => {
  socket.disconnect();
  showConnectionState();
});
window.addEventListener("online", () => socket.connect());

for (const post of outbox) {
  if (post.failed) showOwn(post, "failed", config.messages.meeting_not_live);
  else showOwn(post, "pending");
}
// An ack lost on a connection that stayed up: try again now and then (same client_id).
setInterval(flush, 10000);
