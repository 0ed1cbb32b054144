// The participant's phone. A post goes first into an outbox kept in localStorage, so a
// sleeping phone, a reload or a dropped network loses nothing; it leaves the outbox only
// when the server acks it. A retry sends the same client_id, so the server stores it once.
// The own posts, the others' posts, the self-evaluation and the draft each have a module.
import { AgendaClock } from "./agenda.js";
import { connect, pageConfig } from "./live.js";
import { Draft } from "./phone-draft.js";
import { OthersPosts } from "./phone-others.js";
import { OwnPosts } from "./phone-own.js";
import { PrivacyCheck } from "./phone-privacy.js";
import { SelfEvaluation } from "./phone-self-evaluation.js";
import { request } from "./request.js";

const config = pageConfig();
const OUTBOX_KEY = `pblapp.outbox.${config.meetingId}.${config.pseudonym}`;
const DRAFT_KEY = `pblapp.draft.${config.meetingId}.${config.pseudonym}`;
const page = document.querySelector(".phone-live");
const form = document.getElementById("post");
const textField = document.getElementById("text");
const errorLine = form.querySelector("[data-testid=error]");
const sendButton = form.querySelector("[data-testid=send]");
const postStatus = form.querySelector("[data-testid=post-status]");
const connectionLine = document.querySelector("[data-testid=connection]");
const notLive = document.querySelector("[data-testid=not-live]");
// Shown by the server when the group's consent text changed since this participant last
// consented: posts wait in the outbox until they consent again.
const consentPanel = document.querySelector("[data-testid=consent-renew]");
const RELOADED_FOR_CONSENT = `pblapp.consentreload.${config.meetingId}`;

const inFlight = new Set();
let lastSeq = 0;
let meetingStatus = notLive && !notLive.hidden ? "planned" : "live";
let lastWritten = null; // the client_id of the post written last: the status line follows it

// batch: the others' new posts, and the replay, come as lists (contributions:added).
const socket = connect(() => ({ token: config.token, since_seq: lastSeq, batch: true }));
// Removed by the facilitator (see showRemoved): nothing more can be done from this phone.
let removed = false;
const isLive = () => meetingStatus === "live" && !removed;
const own = new OwnPosts(document.getElementById("own"), document.getElementById("own-item"), {
  socket,
  config,
  isLive,
  onDeleted: () => {
    showPostStatus(config.postStatus.deleted);
    document.getElementById("own-title").focus();
  },
});
const others = new OthersPosts(
  document.getElementById("others"),
  document.getElementById("others-item"),
  document.querySelector("[data-testid=others-empty]"),
  { socket, config, isLive },
);
const selfEvaluation = new SelfEvaluation(document.querySelector("[data-testid=self-evaluation]"), {
  socket,
  config,
  isClosed: () => meetingStatus === "closed",
  busyWriting: () => document.activeElement === textField,
});
const draft = new Draft(form, textField, DRAFT_KEY);

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

function leaveOutbox(clientId) {
  if (!outbox.some((post) => post.client_id === clientId)) return;
  outbox = outbox.filter((post) => post.client_id !== clientId);
  saveOutbox();
}

// The line under Send (a polite live region): what became of the post written last.
function showPostStatus(text) {
  postStatus.textContent = text;
}

function showOwn(post, state, message) {
  own.show(post, state, message);
  if (post.client_id !== lastWritten) return;
  if (state === "failed") showPostStatus(`${config.postStatus.failed} ${message}`);
  // Stored, and waiting for the facilitator's approval before the room sees it.
  else if (state === "delivered" && post.status === "pending") {
    showPostStatus(config.moderation.postPending);
  }
  // Offline (or before the start) it waits on the phone rather than being sent.
  else if (state === "pending" && !(socket.connected && isLive())) {
    showPostStatus(config.status.pending);
  } else showPostStatus(config.postStatus[state]);
}

// One flush waiting to try the outbox again: when the server's rate limit lets posts in,
// or after a while when the server's disk was full.
let retryTimer = null;
const STORAGE_RETRY_MS = 10000;

function retryIn(ms) {
  if (retryTimer) return;
  retryTimer = setTimeout(
    () => {
      retryTimer = null;
      flush();
    },
    Math.max(100, ms),
  );
}

// A socket can die without a word: a phone that slept, a Wi-Fi that forgot the connection
// without closing it. Such a socket still says it is connected, and posts sent on it get no
// ack. So the page asks the server when it comes back to the front and after an ack that
// never came; no answer within a few seconds, and it connects anew (then flushes).
const ALIVE_TIMEOUT_MS = 3000;
function checkAlive() {
  if (removed) return;
  if (!socket.connected) {
    // Ended on an offline event whose online one never came (a page restored from the
    // back/forward cache, say): back to the front with a network, it connects again.
    if (navigator.onLine) socket.connect();
    return;
  }
  socket.timeout(ALIVE_TIMEOUT_MS).emit("alive", (err) => {
    if (!err) return;
    socket.disconnect();
    socket.connect();
  });
}
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") checkAlive();
});
window.addEventListener("pageshow", checkAlive);

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
        // No ack: the post stays in the outbox and is sent again; the socket may be dead.
        no_answer: () => {
          settled();
          checkAlive();
        },
        internal_error: settled, // the server stumbled: keep it and try again later
        // Too many at once: it stays in the outbox and goes when the server says (one
        // retry for the whole outbox, not one per post).
        rate_limited: (_text, error) => {
          settled();
          retryIn((error.retry_after || 1) * 1000);
        },
        // The server's disk is full, so nothing was stored: the post stays in the outbox,
        // the phone says so calmly, and tries again until the server has room.
        storage_full: (text) => {
          settled();
          own.show(post, "pending", text);
          if (postStatus.textContent !== text) showPostStatus(text);
          retryIn(STORAGE_RETRY_MS);
        },
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
        leaveOutbox(post.client_id);
        showOwn(post, "failed", text);
      },
    }).then((answer) => {
      if (!answer) return;
      settled();
      // Stored now, or already (a replay of the same client_id): delivered either way.
      leaveOutbox(post.client_id);
      showOwn({ ...post, ...answer.contribution, text: post.text }, "delivered");
    });
  }
}

// The page shows the new consent text when it is loaded; a change made since needs a reload
// (at most once a minute, so that a refusal the page cannot explain does not loop).
function askConsent() {
  if (!consentPanel.hidden) {
    // "auto": the stylesheet decides (a glide, none under reduced motion).
    consentPanel.scrollIntoView({ block: "start", behavior: "auto" });
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
  withdrawForm.scrollIntoView({ block: "nearest", behavior: "auto" });
});
// Withdrawing leaves nothing of this participant's writing on the phone.
withdrawForm.addEventListener("submit", () => draft.discard());
withdrawForm.querySelector("[data-testid=withdraw-cancel]").addEventListener("click", () => {
  withdrawForm.hidden = true;
  withdrawButton.hidden = false;
});

function showError(message) {
  errorLine.textContent = message;
  errorLine.hidden = !message;
}

const privacy = new PrivacyCheck(document.querySelector("[data-testid=privacy-warning]"), textField, {
  socket,
  config,
  onSendAnyway: () => form.requestSubmit(),
  onNoAnswer: checkAlive,
});
let checking = false;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (checking) return;
  const text = textField.value.trim();
  if (!text) return showError(config.messages.text_empty);
  // Characters as the server counts them: an emoji is one, not two UTF-16 units.
  if ([...text].length > 2000) return showError(config.messages.text_too_long);
  showError("");
  // The post is what was there when Send was tapped, whatever is typed during the check.
  const checked = form.querySelector("input[name=qtype]:checked");
  const post = { client_id: uuid4(), text, qtype: checked && checked.value ? checked.value : null };
  checking = true;
  sendButton.disabled = true;
  const allowed = await privacy.allows(text);
  checking = false;
  sendButton.disabled = meetingStatus === "closed";
  if (!allowed) return;
  outbox.push(post);
  saveOutbox();
  lastWritten = post.client_id;
  showOwn(post, "pending");
  if (textField.value.trim() === text) {
    textField.value = "";
    form.querySelector("[data-testid=qtype-none]").checked = true;
    draft.clear();
  }
  // Ready for the next post: the text box keeps the focus, and the page stays where it is.
  textField.focus({ preventScroll: true });
  textField.scrollIntoView({ block: "nearest" });
  flush();
});

// Removed by the facilitator: the phone stops trying and says so (its token opens nothing
// now; the facilitator can let them back in, and they then join again with the code).
function showRemoved() {
  removed = true;
  socket.wantsNetwork = false; // coming back online does not reconnect it
  form.hidden = true;
  socket.disconnect();
  others.showAllReactions();
  own.showActions();
  showConnectionState();
}
socket.on("participant:removed", showRemoved);
socket.on("connect_error", (error) => {
  if (error && error.data && error.data.code === "participant_removed") showRemoved();
});

function showConnectionState() {
  // Whether the socket is up, for a page test to wait on (the line itself shows only when
  // it is not).
  connectionLine.dataset.connected = String(socket.connected);
  if (removed) {
    connectionLine.hidden = false;
    connectionLine.textContent = config.messages.participant_removed;
    return;
  }
  if (meetingStatus === "closed") {
    connectionLine.hidden = false;
    connectionLine.textContent = config.connection.closed;
    return;
  }
  connectionLine.hidden = socket.connected;
  connectionLine.textContent = config.connection.offline;
}

socket.on("connect", () => {
  // A new connection: no ack of a post sent on the old one can come any more, so every
  // post still in the outbox goes again (the server stores each client_id once).
  inFlight.clear();
  showConnectionState();
  flush();
});
socket.on("disconnect", showConnectionState);
socket.on("connect_error", showConnectionState);
socket.on("meeting:state", (state) => {
  meetingStatus = state.status;
  if (notLive) notLive.hidden = state.status !== "planned";
  // Closed: nothing more can be posted, so the form gives way to the posts and the thanks.
  sendButton.disabled = state.status === "closed";
  form.hidden = state.status === "closed";
  // A half-written post cannot be sent any more; it does not stay on a shared phone.
  if (state.status === "closed") draft.discard();
  page.dataset.status = state.status;
  others.showAllReactions();
  own.showActions();
  selfEvaluation.show();
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
socket.on("self_evaluation:state", (state) => selfEvaluation.update(state));
socket.on("contribution:updated", (contribution) => {
  // A re-tag or a hide of one's own post reaches its author's list; a hidden post comes
  // without its text, which this phone keeps showing to its author.
  if (own.has(contribution.client_id)) own.update(contribution);
  else if (contribution.pseudonym !== config.pseudonym) others.show(contribution);
  // Shown again after the page was reloaded while it was hidden (the replay left it out).
  else if (!contribution.hidden) showOwn(contribution, "delivered");
});
function added(contribution) {
  lastSeq = Math.max(lastSeq, contribution.seq);
  if (contribution.pseudonym !== config.pseudonym) {
    others.show(contribution);
    return;
  }
  // Stored on the server, so delivered: also a post still in the outbox whose ack was lost.
  leaveOutbox(contribution.client_id);
  // The room's copy has what the privacy guard found masked; this phone keeps the words it
  // wrote (a replay brings the author's own words).
  const known = own.has(contribution.client_id);
  showOwn(known ? { ...contribution, text: "" } : contribution, "delivered");
}
socket.on("contribution:added", added);
socket.on("contributions:added", ({ contributions }) => contributions.forEach(added));
socket.on("contribution:removed", ({ id }) => {
  own.remove(id);
  others.remove(id);
});

// The socket follows the network (live.js); the line says so at once.
window.addEventListener("offline", showConnectionState);

for (const post of outbox) {
  if (post.failed) own.show(post, "failed", config.messages.meeting_not_live);
  else own.show(post, "pending");
}
// An ack lost on a connection that stayed up: try again now and then (same client_id).
setInterval(flush, 10000);
sendButton.disabled = meetingStatus === "closed";
