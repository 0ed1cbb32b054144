// The participant's phone. A post goes first into an outbox kept in localStorage, so a
// sleeping phone, a reload or a dropped network loses nothing; it leaves the outbox only
// when the server acks it. A retry sends the same client_id, so the server stores it once.
import { AgendaClock } from "./agenda.js";
import { connect, pageConfig, qtypeClass } from "./live.js";
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
  if (!socket.connected || meetingStatus === "planned") return;
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
socket.on("contribution:added", (contribution) => {
  lastSeq = Math.max(lastSeq, contribution.seq);
  if (contribution.pseudonym !== config.pseudonym) return;
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
