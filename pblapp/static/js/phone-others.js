// The others' posts on a phone, each with three reaction buttons. The phone shows only its
// own reaction (aria-pressed); tapping it again takes it back. No counts, no names.
import { ContributionList, setQtypeClass } from "./live.js";
import { request } from "./request.js";

export class OthersPosts {
  // isLive: whether the meeting is live now (reactions go to a live meeting only).
  constructor(list, template, empty, { socket, config, isLive }) {
    this.template = template;
    this.empty = empty;
    this.socket = socket;
    this.config = config;
    this.isLive = isLive;
    this.myReaction = new Map(); // contribution id -> kind or null
    this.posts = new ContributionList(list, (contribution) => this.render(contribution), {
      newestFirst: true,
    });
  }

  render(contribution) {
    const item = this.template.content.firstElementChild.cloneNode(true);
    for (const button of item.querySelectorAll("button[data-kind]")) {
      button.addEventListener("click", () => this.react(contribution.id, button.dataset.kind, item));
    }
    return item;
  }

  show(contribution) {
    const item = this.posts.upsert(contribution);
    // A hidden post reaches phones without its text, and a merged duplicate is reacted to
    // through the post it joined: both leave the list.
    item.hidden = contribution.hidden || contribution.merged_into_id !== null;
    if (!contribution.hidden) item.querySelector(".text").textContent = contribution.text;
    setQtypeClass(item, contribution.qtype);
    item.querySelector(".qtype").textContent =
      this.config.qtypeLabels[contribution.qtype || "untagged"];
    // Only the replay on connect says what this phone chose; live updates keep what it knows.
    if ("my_reaction" in contribution) {
      this.myReaction.set(contribution.id, contribution.my_reaction);
    }
    this.showReaction(item, this.myReaction.get(contribution.id) || null);
    this.showEmpty();
  }

  // Deleted by its author: it leaves the list.
  remove(id) {
    const item = this.posts.get(id);
    if (!item) return;
    item.remove();
    this.posts.items.delete(id);
    this.myReaction.delete(id);
    this.showEmpty();
  }

  showEmpty() {
    this.empty.hidden = [...this.posts.items.values()].some((element) => !element.hidden);
  }

  showReaction(item, kind) {
    for (const button of item.querySelectorAll("button[data-kind]")) {
      button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
      button.disabled = item.classList.contains("busy") || !this.isLive();
    }
  }

  showAllReactions() {
    for (const [id, item] of this.posts.items) {
      this.showReaction(item, this.myReaction.get(id) || null);
    }
  }

  async react(id, kind, item) {
    const chosen = this.myReaction.get(id) || null;
    const next = chosen === kind ? null : kind;
    item.classList.add("busy");
    this.showReaction(item, chosen);
    const answer = await request(
      this.socket,
      "reaction:set",
      { contribution_id: id, kind: next },
      { messages: this.config.messages, show: item.querySelector("[data-testid=react-error]") },
    );
    item.classList.remove("busy");
    if (answer) this.myReaction.set(id, next);
    this.showReaction(item, this.myReaction.get(id) || null);
  }
}
