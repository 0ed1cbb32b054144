// The console's agenda: start, pause, next (the clock and its buttons above the tabs), go to
// a step, and edit the steps (in the Agenda tab).
import { AgendaClock, formatSeconds, stepTitle } from "./agenda.js";
import { request } from "./request.js";

export function agendaPanel(socket, labels, messages = {}, savedText = "") {
  const panel = document.querySelector("[data-testid=agenda]");
  const clock = new AgendaClock(document.querySelector("[data-testid=agenda-clock]"), labels);
  const list = panel.querySelector("[data-testid=agenda-steps]");
  const rows = panel.querySelector(".agenda-rows");
  const rowTemplate = document.getElementById("agenda-row");
  const status = panel.querySelector("[data-testid=agenda-saved]");
  const buttons = ["agenda-start", "agenda-pause", "agenda-next"].map((testid) =>
    document.querySelector(`[data-testid=${testid}]`),
  );
  // Unsaved edits in the editor: while there are some, a change from elsewhere does not
  // overwrite them (and saving says so if the server refuses).
  let editing = false;

  function say(text, isError = false) {
    status.hidden = !text;
    status.textContent = text;
    status.classList.toggle("error", isError);
  }

  // A refusal shows in the editor's status line (the agenda's own codes can be handled).
  const ask = (event, payload, handle) =>
    request(socket, event, payload, { messages, handle, show: (text) => say(text, true) });

  // A refused command shows beside the buttons, whichever tab is open.
  const commandError = document.querySelector("[data-testid=agenda-error]");

  // One command at a time: a double click on Next must not skip a step. The buttons stay
  // enabled meanwhile, so that the one pressed keeps the keyboard's focus.
  let busy = false;
  async function command(action, extra = {}) {
    if (busy) return;
    busy = true;
    const answer = await request(socket, "agenda:command", { action, ...extra }, {
      messages,
      show: commandError,
    });
    busy = false;
    if (answer) clock.update(answer.agenda);
  }

  buttons[0].addEventListener("click", () => command("start"));
  buttons[1].addEventListener("click", () => command("pause"));
  buttons[2].addEventListener("click", () => command("next"));

  function showSteps(state) {
    // A step chosen with the keyboard keeps the focus when the list is drawn again.
    const active = document.activeElement;
    const focused = list.contains(active) ? active.dataset.step : null;
    list.replaceChildren(
      ...state.steps.map((step) => {
        const item = document.createElement("li");
        item.dataset.testid = "agenda-step-row";
        item.classList.toggle("current", step.current);
        item.classList.toggle("done", Boolean(step.ended_at) && !step.current);
        const title = document.createElement("button");
        title.type = "button";
        title.className = "link";
        title.textContent = stepTitle(step, labels);
        title.dataset.step = step.id;
        title.addEventListener("click", () => command("goto", { step_id: step.id }));
        const time = document.createElement("span");
        time.className = "muted";
        time.dataset.used = step.id;
        item.append(title, " ", time);
        return item;
      }),
    );
    if (focused) list.querySelector(`[data-step="${focused}"]`)?.focus();
    tick();
  }

  function tick() {
    if (!clock.state) return;
    for (const step of clock.state.steps) {
      const label = list.querySelector(`[data-used="${step.id}"]`);
      if (label) {
        const used = formatSeconds(clock.used(step));
        label.textContent = `${used} / ${formatSeconds(step.planned_seconds)}`;
      }
    }
  }
  setInterval(tick, 500);

  function editorRow(step) {
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    if (step.id) row.dataset.stepId = step.id;
    if (step.key) row.dataset.key = step.key;
    const title = row.querySelector(".step-title");
    title.value = step.title || "";
    title.placeholder = stepTitle({ key: step.key }, labels);
    // Whole minutes where they are whole; a 0-minute step stays 0.
    row.querySelector(".step-minutes").value = Math.round((step.planned_seconds ?? 600) / 6) / 10;
    row.querySelector(".step-up").addEventListener("click", () => {
      if (row.previousElementSibling) rows.insertBefore(row, row.previousElementSibling);
    });
    row.querySelector(".step-down").addEventListener("click", () => {
      if (row.nextElementSibling) rows.insertBefore(row.nextElementSibling, row);
    });
    row.querySelector(".step-remove").addEventListener("click", () => row.remove());
    return row;
  }

  let shownStepIds = "";
  let changedElsewhere = false;
  const stepIds = (state) => state.steps.map((step) => step.id).join(",");

  function fillEditor(state) {
    rows.replaceChildren(...state.steps.map(editorRow));
    shownStepIds = stepIds(state);
    editing = false;
    changedElsewhere = false;
  }

  const editor = panel.querySelector("[data-testid=agenda-editor]");
  editor.addEventListener("input", () => {
    editing = true;
    say("");
  });
  editor.addEventListener("click", (event) => {
    if (event.target.closest(".step-up, .step-down, .step-remove")) editing = true;
  });

  panel.querySelector("[data-testid=agenda-add]").addEventListener("click", () => {
    const row = editorRow({ planned_seconds: 600 });
    rows.append(row);
    editing = true;
    row.querySelector(".step-title").focus();
  });

  function editedSteps() {
    return [...rows.children].map((row) => {
      const step = { planned_minutes: Number(row.querySelector(".step-minutes").value) || 0 };
      if (row.dataset.stepId) step.id = Number(row.dataset.stepId);
      const title = row.querySelector(".step-title").value.trim();
      if (title || !row.dataset.stepId) step.title = title;
      else step.title = null;
      return step;
    });
  }

  // The steps changed elsewhere (another window, the API) while this editor held edits:
  // saving them would undo that change, so the editor starts again from the new agenda.
  function startOver() {
    say(messages.agenda_changed_elsewhere, true);
    fillEditor(clock.state);
  }

  // Save the editor's steps, then call next() with the new agenda.
  async function save(next) {
    if (changedElsewhere) {
      startOver();
      return;
    }
    const steps = editedSteps();
    const answer = await ask("agenda:edit", { steps }, { step_not_found: startOver });
    if (!answer) return;
    clock.update(answer.agenda);
    fillEditor(answer.agenda);
    next();
  }

  editor.addEventListener("submit", (event) => {
    event.preventDefault();
    save(() => say(savedText));
  });

  // The group keeps what the editor shows, so unsaved edits are saved first.
  panel.querySelector("[data-testid=agenda-save-group]").addEventListener("click", () => {
    const saveForGroup = async () => {
      if (await ask("agenda:save_for_group", {})) say(savedText);
    };
    if (editing) save(saveForGroup);
    else saveForGroup();
  });

  clock.listeners.push((state) => {
    showSteps(state);
    if (!editing) fillEditor(state);
    else if (stepIds(state) !== shownStepIds) changedElsewhere = true;
  });
  socket.on("agenda:state", (state) => clock.update(state));
  return clock;
}
