// The projector's posts a page at a time. A page holds as many posts as the wall's columns
// fit, newest first; "+N more" says how many are not on it, and the next page comes by
// itself at a calm pace or by key. Nothing is dropped: every post shown comes round.
//
// The list is laid out in two CSS columns of a fixed height; a post that does not fit them
// lands in a further column to the right of the list's box: that is where the page ends.

const TURN_EVERY_MS = 12000;
const calm = window.matchMedia("(prefers-reduced-motion: reduce)");

export class Pager {
  constructor(list, more, moreText, { interval = TURN_EVERY_MS } = {}) {
    this.list = list;
    this.more = more;
    this.moreText = moreText;
    this.interval = interval;
    // The page's first post, as an index into the posts shown.
    this.start = 0;
    // Where the pages before this one started, for the previous-page key.
    this.starts = [];
    this.onPage = [];
    this.paused = false;
    this.pending = false;
    this.timer = null;
    // Panels that come and go change the list's height; so does the window.
    new ResizeObserver(() => this.refresh()).observe(list);
    this.restartTimer();
  }

  // The posts the wall shows (a hidden or folded post is hidden on its own, not by paging).
  shown() {
    return [...this.list.children].filter((item) => !item.hidden);
  }

  // Lays the page out again once the current burst of changes is over.
  refresh() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.layout();
    });
  }

  layout() {
    if (this.list.hidden) {
      // All posts hidden by the facilitator: no page, and nothing "more".
      this.onPage = [];
      this.more.classList.add("none");
      return;
    }
    const shown = this.shown();
    if (this.start >= shown.length) {
      this.start = 0;
      this.starts = [];
    }
    for (const [index, item] of shown.entries()) {
      item.classList.toggle("off-page", index < this.start);
    }
    const box = this.list.getBoundingClientRect();
    // The first post of a page always shows, even when the wall has little room.
    let end = Math.min(this.start + 1, shown.length);
    while (end < shown.length && fits(shown[end], box)) end += 1;
    for (const item of shown.slice(end)) item.classList.add("off-page");
    this.onPage = shown.slice(this.start, end);
    const waiting = shown.length - this.onPage.length;
    this.more.textContent = waiting ? this.moreText.replace("{n}", waiting) : "";
    this.more.classList.toggle("none", waiting === 0);
  }

  // The next page, or the first again after the last. Says whether the page changed.
  next() {
    if (this.list.hidden) return false; // all posts hidden: no pages to turn
    this.layout();
    const shown = this.shown();
    this.restartTimer();
    if (this.onPage.length >= shown.length) return false;
    this.starts.push(this.start);
    this.start += this.onPage.length;
    if (this.start >= shown.length) {
      this.start = 0;
      this.starts = [];
    }
    this.layout();
    this.turned();
    return true;
  }

  // The page before this one (a presentation clicker's back button); none before the first.
  previous() {
    this.restartTimer();
    if (!this.starts.length) return false;
    this.start = this.starts.pop();
    this.layout();
    this.turned();
    return true;
  }

  // A new post lands at the top of the first page. The wall stays on the page it shows, so
  // that a busy meeting still comes round to every page: the new post is on the first page
  // when the wall gets there, and "+N more" counts it meanwhile.
  added() {
    if (this.start > 0) {
      this.start += 1;
      this.starts = this.starts.map((start) => (start > 0 ? start + 1 : start));
    }
    this.refresh();
  }

  // The first post on the page as it is now (a change may not be laid out yet).
  firstOnPage() {
    this.layout();
    return this.onPage[0];
  }

  restartTimer() {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (!this.paused) this.next();
    }, this.interval);
  }

  // A short fade, unless the viewer asked for less motion.
  turned() {
    if (calm.matches) return;
    this.list.classList.remove("turning");
    void this.list.offsetWidth; // restart the animation
    this.list.classList.add("turning");
  }
}

function fits(item, box) {
  const rect = item.getBoundingClientRect();
  return rect.right <= box.right + 1 && rect.bottom <= box.bottom + 1;
}
