// Pre-moderation in the console: the switch, and the queue of posts waiting for approval.
// A waiting post is approved or rejected with a button or one key (a, r) on the post in
// focus, and several at once with "Approve selected" or "Approve all". An approved post
// leaves the queue for the list of posts; a rejected one joins that list marked rejected.
import { setQtypeClass, showAuthor } from "./live.js";
import { request } from "./request.js";

// The flags as badges ("name?"), and the flagged parts of the text marked: the console
// sees the words, and what the screen and the other phones see masked.
export function showFlags(item, contribution, config) {
  const badges = item.querySelector("[data-testid=flag-badges]");
  const flags = contribution.flags || [];
  badges.hidden = flags.length === 0;
  badges.title = config.flagTitle;
  badges.replaceChildren(
    ...flags.map((kind) => {
      const badge = document.createElement("span");
      badge.className = "flag-badge";
      badge.dataset.kind = kind;
      badge.textContent = config.flagLabels[kind] || kind;
      return badge;
    }),
  );
  item.classList.toggle("is-flagged", flags.length > 0 && !contribution.flags_cleared);
  item.classList.toggle("flags-cleared", flags.length > 0 && contribution.flags_cleared);
  showMarkedText(item.querySelector(".text"), contribution);
}

// The text with each flagged span (code-point offsets, as the server counts) in a <mark>;
// every piece goes in as text, never as markup.
function showMarkedText(element, contribution) {
  const spans = contribution.flags_cleared ? [] : contribution.flag_spans || [];
  if (!spans.length) {
    element.textContent = contribution.text;
    return;
  }
  const chars = Array.from(contribution.text);
  const parts = [];
  let at = 0;
  for (const [, start, end] of [...spans].sort((a, b) => a[1] - b[1])) {
    if (start < at) continue;
    parts.push(chars.slice(at, start).join(""));
    const mark = document.createElement("mark");
    mark.textContent = chars.slice(start, end).join("");
    parts.push(mark);
    at = end;
  }
  parts.push(chars.slice(at).join(""));
  element.replaceChildren(...parts);
}

export function premoderationQueue(socket, config, { onDecided }) {
  const section = document.querySelector("[data-testid=pending-queue]");
  const list = document.getElementById("pending");
  const template = document.getElementById("queue-item");
  const count = section.querySelector("[data-testid=pending-count]");
  const empty = section.querySelector("[data-testid=pending-empty]");
  const approveSelected = section.querySelector("[data-testid=approve-selected]");
  const approveAll = section.querySelector("[data-testid=approve-all]");
  const toggle = document.querySelector("[data-testid=premoderation-toggle]");
  const toggleError = document.querySelector("[data-testid=premoderation-error]");
  const items = new Map(); // id -> element
  let premoderation = toggle.checked;

  function refresh() {
    section.hidden = !premoderation && items.size === 0;
    empty.hidden = items.size > 0;
    count.textContent = items.size ? config.pendingCount.replace("{n}", items.size) : "";
    approveAll.disabled = items.size === 0;
    approveSelected.disabled = !list.querySelector("[data-testid=queue-select]:checked");
  }

  function refusedOn(item) {
    return (text) => {
      const why = item.querySelector("[data-testid=item-error]");
      why.textContent = text;
      why.hidden = false;
    };
  }

  // The decision for one post; its answer (the post as it now is) goes to the console's list.
  async function decide(id, approved) {
    const item = items.get(id);
    if (!item) return;
    const payload = { id, approved };
    const reason = item.querySelector("[data-testid=reject-reason]").value.trim();
    if (!approved && reason) payload.reason = reason;
    for (const button of item.querySelectorAll("button")) button.disabled = true;
    const answer = await request(socket, "contribution:update", payload, {
      messages: config.messages,
      show: refusedOn(item),
    });
    for (const button of item.querySelectorAll("button")) button.disabled = false;
    if (answer) onDecided(answer.contribution);
  }

  // The next post in the queue takes the focus, so that a run of a, a, r goes on.
  function focusAfter(item) {
    const next = item.nextElementSibling || item.previousElementSibling;
    if (next) next.focus();
    else approveAll.focus();
  }

  function render(contribution) {
    const item = template.content.firstElementChild.cloneNode(true);
    const id = contribution.id;
    item.dataset.id = id;
    item.querySelector(".seq").textContent = `#${contribution.seq}`;
    showAuthor(item.querySelector(".author"), contribution, { pseudonym: true });
    item.querySelector("[data-testid=approve]").addEventListener("click", () => decide(id, true));
    item.querySelector("[data-testid=reject]").addEventListener("click", () => decide(id, false));
    item.querySelector("[data-testid=queue-select]").addEventListener("change", refresh);
    item.addEventListener("keydown", (event) => {
      // Keys on the post itself only: typing a reason is typing.
      if (event.target !== item || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "a" || event.key === "r") {
        event.preventDefault();
        focusAfter(item);
        decide(id, event.key === "a");
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const other =
          event.key === "ArrowDown" ? item.nextElementSibling : item.previousElementSibling;
        if (other) other.focus();
      }
    });
    return item;
  }

  // A post as the server sent it: in the queue while it waits, out of it once decided.
  function show(contribution) {
    const id = contribution.id;
    let item = items.get(id);
    if (contribution.status !== "pending") {
      if (!item) return false;
      if (document.activeElement === item) focusAfter(item);
      item.remove();
      items.delete(id);
      refresh();
      return false;
    }
    if (!item) {
      item = render(contribution);
      items.set(id, item);
      // Oldest first: the queue is worked through in the order the posts came.
      const before = [...list.children].find((other) => Number(other.dataset.seq) > contribution.seq);
      item.dataset.seq = contribution.seq;
      list.insertBefore(item, before || null);
    }
    setQtypeClass(item, contribution.qtype);
    item.querySelector(".qtype").textContent = config.qtypeLabels[contribution.qtype || "untagged"];
    showFlags(item, contribution, config);
    refresh();
    return true;
  }

  function remove(id) {
    const item = items.get(id);
    if (!item) return;
    item.remove();
    items.delete(id);
    refresh();
  }

  async function approveMany(ids) {
    // One after another, in queue order: each answer moves its post to the list.
    for (const id of ids) await decide(id, true);
  }
  approveAll.addEventListener("click", () => approveMany([...items.keys()]));
  approveSelected.addEventListener("click", () =>
    approveMany(
      [...list.querySelectorAll("[data-testid=queue-select]:checked")].map((box) =>
        Number(box.closest("li").dataset.id),
      ),
    ),
  );

  toggle.addEventListener("change", async () => {
    const wanted = toggle.checked;
    const answer = await request(
      socket,
      "meeting:update",
      { premoderation: wanted },
      { messages: config.messages, show: toggleError },
    );
    if (!answer) toggle.checked = !wanted;
  });

  function setPremoderation(on) {
    premoderation = Boolean(on);
    toggle.checked = premoderation;
    refresh();
  }

  refresh();
  return { show, remove, setPremoderation };
}
