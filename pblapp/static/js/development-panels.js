// The console's panels for the group's development: the self-evaluation (open it, follow
// how many answered, read the summary once at least 3 have) and the group's phase (the
// app's suggestion with its evidence, and the facilitator's decision with a note).
import { request } from "./request.js";

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
}

const language = document.documentElement.lang || "sv";

function decimal(value) {
  return value.toLocaleString(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

export function selfEvaluationPanel(socket, config) {
  const panel = document.querySelector("[data-testid=self-evaluation-panel]");
  const status = panel.querySelector("[data-testid=self-evaluation-status]");
  const count = panel.querySelector("[data-testid=self-evaluation-n]");
  const openButton = panel.querySelector("[data-testid=self-evaluation-open]");
  const error = panel.querySelector("[data-testid=self-evaluation-error]");
  const tooFew = panel.querySelector("[data-testid=self-evaluation-too-few]");
  const results = panel.querySelector("[data-testid=self-evaluation-results]");
  const texts = panel.querySelector("[data-testid=self-evaluation-texts]");
  const noTexts = panel.querySelector("[data-testid=self-evaluation-no-texts]");
  let meetingStatus = config.meetingStatus;
  let state = { status: "not_open", n: 0, items: [] };
  let opening = false;

  function showButton() {
    openButton.hidden = state.status !== "not_open";
    openButton.disabled = opening || meetingStatus !== "live";
  }

  function showDistribution(cell, distribution) {
    const highest = Math.max(1, ...distribution);
    cell.setAttribute(
      "aria-label",
      distribution.map((n, index) => fill(config.distribution, { value: index + 1, n })).join(", "),
    );
    cell.replaceChildren(
      ...distribution.map((n, index) => {
        const column = document.createElement("span");
        column.className = "se-column";
        const bar = document.createElement("span");
        bar.className = "se-bar";
        bar.style.height = `${(100 * n) / highest}%`;
        const label = document.createElement("span");
        label.className = "se-column-label";
        label.textContent = `${index + 1}`;
        const number = document.createElement("span");
        number.className = "se-column-n";
        number.textContent = `${n}`;
        column.append(number, bar, label);
        return column;
      }),
    );
  }

  function show(next) {
    state = next;
    // It closes with the meeting (the server sends no new self-evaluation state then).
    const shown = state.status === "open" && meetingStatus === "closed" ? "closed" : state.status;
    status.textContent = config.selfEvaluationStatus[shown] || shown;
    status.className = `badge se-${shown}`;
    count.textContent = state.n;
    showButton();
    const summed = state.items.some((item) => item.mean !== null || item.texts);
    results.hidden = !summed;
    tooFew.hidden = summed || state.status === "not_open";
    for (const item of state.items) {
      if (item.kind === "scale") {
        const row = panel.querySelector(`tr[data-key="${item.key}"]`);
        if (!row) continue;
        row.querySelector(".se-mean").textContent = item.mean === null ? "–" : decimal(item.mean);
        showDistribution(row.querySelector(".se-distribution"), item.distribution || [0, 0, 0, 0, 0]);
      } else if (item.texts) {
        // Typed by participants: text, never markup; unattributed and shuffled by the server.
        texts.replaceChildren(
          ...item.texts.map((text) => {
            const line = document.createElement("li");
            line.textContent = text;
            return line;
          }),
        );
        noTexts.hidden = item.texts.length > 0;
      }
    }
  }

  openButton.addEventListener("click", async () => {
    opening = true;
    showButton();
    const answer = await request(socket, "self_evaluation:open", {}, {
      messages: config.messages,
      show: error,
    });
    opening = false;
    if (answer) show(answer.self_evaluation);
    else showButton();
  });
  socket.on("self_evaluation:state", show);
  socket.on("meeting:state", (meeting) => {
    meetingStatus = meeting.status;
    show(state);
  });
}

export function phasePanel(socket, config) {
  const panel = document.querySelector("[data-testid=phase]");
  const suggested = panel.querySelector("[data-testid=phase-suggested]");
  const confidence = panel.querySelector("[data-testid=phase-confidence]");
  const evidence = panel.querySelector("[data-testid=phase-evidence]");
  const form = panel.querySelector("[data-testid=phase-form]");
  const select = panel.querySelector("[data-testid=phase-select]");
  const note = panel.querySelector("[data-testid=phase-note]");
  const decided = panel.querySelector("[data-testid=phase-decided]");
  const error = panel.querySelector("[data-testid=phase-error]");
  const refresh = panel.querySelector("[data-testid=phase-refresh]");
  const percent = new Intl.NumberFormat(language, { style: "percent" });

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  function label(key) {
    return config.phaseLabels[key] || key;
  }

  function show(phase) {
    suggested.textContent = label(phase.suggested);
    confidence.textContent = percent.format(phase.confidence);
    evidence.replaceChildren(
      ...phase.evidence.map((sentence) => {
        const item = document.createElement("li");
        item.textContent = sentence;
        return item;
      }),
    );
    select.value = phase.decided || phase.suggested;
    note.value = phase.note || "";
    decided.hidden = !phase.decided;
    if (phase.decided) {
      const what = document.createElement("strong");
      what.textContent = fill(config.phaseDecided, { phase: label(phase.decided) });
      decided.replaceChildren(what);
      if (phase.note) {
        const why = document.createElement("span");
        why.className = "phase-decided-note";
        why.textContent = fill(config.phaseNote, { note: phase.note });
        decided.append(why);
      }
    }
  }

  // One reading at a time; the buttons keep the keyboard's focus meanwhile.
  let loading = false;
  async function load() {
    if (loading) return;
    loading = true;
    try {
      const answer = await fetch(config.phaseUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const body = await answer.json();
      if (!answer.ok) {
        const code = body.error && body.error.code;
        showError(config.messages[code] || (body.error && body.error.message) || code);
        return;
      }
      showError("");
      show(body);
    } catch {
      showError(config.messages.no_answer);
    } finally {
      loading = false;
    }
  }

  let deciding = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = note.value.trim();
    if ([...text].length > 2000) return showError(config.messages.note_too_long);
    if (deciding) return;
    deciding = true;
    const payload = text ? { phase: select.value, note: text } : { phase: select.value };
    const answer = await request(socket, "phase:decide", payload, {
      messages: config.messages,
      show: error,
    });
    deciding = false;
    if (answer) show(answer.phase);
  });
  refresh.addEventListener("click", load);
  // A phase suggested at the close or decided elsewhere changes the timeline's version.
  let version = null;
  socket.on("screen:state", (screen) => {
    if (version !== null && screen.timeline_version !== version) load();
    version = screen.timeline_version;
  });
  load();
}
