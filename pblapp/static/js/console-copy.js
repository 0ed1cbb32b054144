// Copy buttons (the join URL, the screen link). The Clipboard API needs a secure page
// (https or localhost) and may be refused; then the text is selected, the browser is asked
// to copy the selection, and where it cannot the facilitator is told to press Ctrl+C.

const SHOWN_MS = 4000;

function select(element) {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

async function copied(text, source) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No Clipboard API here (a plain-http address), or it was refused.
  }
  select(source);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

export function copyButtons(config) {
  for (const button of document.querySelectorAll("[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".copy-status");
    let timer = null;
    button.addEventListener("click", async () => {
      const done = await copied(source.textContent.trim(), source);
      status.textContent = done ? config.copied : config.selectedToCopy;
      clearTimeout(timer);
      timer = setTimeout(() => {
        status.textContent = "";
      }, SHOWN_MS);
    });
  }
}
