// The filters above the console's posts: one question type (or untagged), and hidden posts
// only. A post that stops matching (re-tagged, shown again) leaves the filtered list at once.

export function postFilters(list, config, onShown = () => {}) {
  const qtype = document.querySelector("[data-testid=filter-qtype]");
  const hiddenOnly = document.querySelector("[data-testid=filter-hidden]");
  const count = document.querySelector("[data-testid=filter-count]");
  const none = document.querySelector("[data-testid=filter-empty]");

  function matches(item) {
    if (qtype.value && item.dataset.qtype !== qtype.value) return false;
    return !hiddenOnly.checked || item.dataset.hidden === "true";
  }

  // Counts what the filter shows; the list itself decides which items are there.
  function summarise() {
    const items = [...list.children];
    const shown = items.filter((item) => !item.hidden).length;
    const filtering = Boolean(qtype.value) || hiddenOnly.checked;
    count.hidden = !filtering;
    count.textContent = config.shownOf
      .replace("{shown}", shown)
      .replace("{total}", items.length);
    none.hidden = !filtering || shown > 0 || items.length === 0;
  }

  // One post, after it was added or changed.
  function apply(item) {
    item.hidden = !matches(item);
    summarise();
  }

  function applyAll() {
    for (const item of list.children) item.hidden = !matches(item);
    summarise();
    onShown();
  }

  qtype.addEventListener("change", applyAll);
  hiddenOnly.addEventListener("change", applyAll);
  return { apply, summarise };
}
