// The phone's own posts: written here, waiting in the outbox, delivered, re-tagged or hidden
// by the facilitator, deleted by their author. Newest first: posts not yet stored (no seq)
// on top in the order written, then the stored ones by seq, however late each arrived.
import { setQtypeClass } from "./live.js";
import { request } from "./request.js";

export class OwnPosts {
  // list: the <ol>; template: the <template> of one item; socket and config: the page's.
  // isLive: whether the meeting is live now; onDeleted: called after this phone deleted one.
  constructor(list, template, { socket, config, isLive, onDeleted }) {
    this.list = list;
    this.template = template;
    this.socket = socket;
    this.config = config;
    this.isLive = isLive;
    this.onDeleted = onDeleted;
    this.items = new Map(); // client_id -> element
  }

  // Shows a post in its state: "pending", "delivered" or "failed" (with the reason).
  show(post, state, message) {
    const item = this.itemFor(post);
    if (post.text) item.querySelector(".text").textContent = post.text;
    this.showQtype(item, post.qtype);
    item.classList.remove("state-pending", "state-delivered", "state-failed");
    item.classList.add(`state-${state}`);
    const stateLabel = item.querySelector(".state");
    stateLabel.textContent = message || this.config.status[state];
    if (state === "delivered") stateLabel.dataset.testid = "delivered";
    else delete stateLabel.dataset.testid;
    if (post.id !== undefined && post.seq !== undefined) this.stored(item, post);
    this.showModeration(item, post);
    return item;
  }

  // A change the facilitator made (contribution:updated): a new type, hidden or shown
  // again, approved.
  update(contribution) {
    const item = this.items.get(contribution.client_id);
    if (!item) return;
    this.showQtype(item, contribution.qtype);
    this.showModeration(item, contribution);
  }

  // Waiting for approval or rejected (pre-moderation), else hidden or not: a post waiting
  // is hidden from the room too, but "hidden by the facilitator" would say the wrong thing.
  showModeration(item, post) {
    if (!("hidden" in post)) return;
    const status = post.status || "visible";
    this.showHidden(item, post.hidden && status === "visible");
    const note = item.querySelector("[data-testid=own-moderation]");
    note.hidden = status === "visible";
    note.textContent = this.config.moderation[status] || "";
    item.classList.toggle("awaiting-approval", status === "pending");
    item.classList.toggle("rejected", status === "rejected");
  }

  // Gone from the meeting (deleted by its author, on this phone or another of theirs).
  remove(id) {
    for (const [clientId, item] of this.items) {
      if (item.dataset.id !== String(id)) continue;
      item.remove();
      this.items.delete(clientId);
    }
  }

  has(clientId) {
    return this.items.has(clientId);
  }

  element(clientId) {
    return this.items.get(clientId);
  }

  // Delete is offered for stored posts while the meeting is live (the server refuses
  // it otherwise).
  showActions() {
    for (const item of this.items.values()) this.showItemActions(item);
  }

  itemFor(post) {
    let item = this.items.get(post.client_id);
    if (item) return item;
    item = this.template.content.firstElementChild.cloneNode(true);
    item.dataset.clientId = post.client_id;
    // "Delete" says which post: the button is described by the post's text.
    const text = item.querySelector(".text");
    text.id = `own-text-${post.client_id}`;
    item.querySelector("[data-testid=own-delete]").setAttribute("aria-describedby", text.id);
    this.items.set(post.client_id, item);
    this.wireDelete(item);
    this.list.prepend(item);
    return item;
  }

  showQtype(item, qtype) {
    setQtypeClass(item, qtype);
    item.querySelector(".qtype").textContent = this.config.qtypeLabels[qtype || "untagged"];
  }

  // The author keeps seeing their own words; the note says that the room no longer does.
  showHidden(item, hidden) {
    item.classList.toggle("hidden-by-facilitator", Boolean(hidden));
    item.querySelector("[data-testid=own-hidden]").hidden = !hidden;
  }

  // Stored on the server: its id for deleting, and its place by seq.
  stored(item, post) {
    item.dataset.id = post.id;
    if (item.dataset.seq === String(post.seq)) return;
    item.dataset.seq = post.seq;
    const before = [...this.list.children].find(
      (other) => other !== item && other.dataset.seq && Number(other.dataset.seq) < post.seq,
    );
    this.list.insertBefore(item, before || null);
    this.showItemActions(item);
  }

  showItemActions(item) {
    const actions = item.querySelector(".own-actions");
    actions.hidden = !item.dataset.id || !this.isLive();
    if (actions.hidden) this.confirming(item, false);
  }

  confirming(item, open) {
    item.querySelector("[data-testid=own-delete]").hidden = open;
    item.querySelector("[data-testid=own-delete-confirm]").hidden = !open;
  }

  wireDelete(item) {
    const ask = item.querySelector("[data-testid=own-delete]");
    const yes = item.querySelector("[data-testid=own-delete-yes]");
    const no = item.querySelector("[data-testid=own-delete-no]");
    ask.addEventListener("click", () => {
      this.confirming(item, true);
      no.focus();
    });
    no.addEventListener("click", () => {
      this.confirming(item, false);
      ask.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      const answer = await request(
        this.socket,
        "contribution:delete",
        { id: Number(item.dataset.id) },
        { messages: this.config.messages, show: item.querySelector("[data-testid=own-error]") },
      );
      yes.disabled = false;
      if (!answer) return;
      this.remove(answer.id ?? item.dataset.id);
      this.onDeleted();
    });
  }
}
