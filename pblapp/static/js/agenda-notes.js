// Notes under each agenda item (the Agenda tab): what was said, written as the meeting goes
// or after it. The box follows the current step unless the facilitator picks another; what
// is typed is saved a moment after typing stops, when the box loses focus, and before the
// box moves to another step. Notes go to the console only, never to the room.
import { stepTitle } from "./agenda.js";
import { request } from "./request.js";

const SAVE_AFTER_MS = 800;

export function agendaNotes(socket, clock, config) {
  const panel = document.querySelector("[data-testid=item-notes]");
  const select = panel.querySelector("[data-testid=notes-step]");
  const box = panel.querySelector("[data-testid=notes-text]");
  const status = panel.querySelector("[data-testid=notes-saved]");
  const error = panel.querySelector("[data-testid=notes-error]");
  // The step the box shows, what the server last had for it, and whether the facilitator
  // chose it (then it no longer follows the current step).
  let stepId = null;
  let saved = "";
  let chosen = false;
  let timer = null;
  let saving = Promise.resolve();

  const dirty = () => stepId !== null && box.value !== saved;

  function save() {
    clearTimeout(timer);
    timer = null;
    if (!dirty()) return saving;
    const id = stepId;
    const notes = box.value;
    status.textContent = config.notesSaving;
    saving = saving.then(async () => {
      const answer = await request(socket, "agenda:notes", { step_id: id, notes }, {
        messages: config.messages,
        show: error,
      });
      if (!answer) {
        status.textContent = "";
        return;
      }
      const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      status.textContent = config.notesSavedAt.replace("{time}", time);
      if (id === stepId) {
        // The server trims what it keeps; the box keeps what is being typed.
        saved = notes;
      }
      clock.update(answer.agenda);
    });
    return saving;
  }

  function show(id) {
    const step = clock.state?.steps.find((s) => s.id === id);
    stepId = step ? step.id : null;
    saved = step ? step.notes || "" : "";
    box.value = saved;
    box.disabled = !step;
    select.value = stepId === null ? "" : String(stepId);
  }

  function fill(state) {
    const options = state.steps.map((step) => {
      const option = document.createElement("option");
      option.value = String(step.id);
      option.textContent = stepTitle(step, config.stepLabels);
      return option;
    });
    select.replaceChildren(...options);
    const current = state.steps.find((step) => step.current);
    const stillThere = state.steps.some((step) => step.id === stepId);
    let target = stepId;
    if (!stillThere || (!chosen && current && current.id !== stepId)) {
      target = (current || state.steps[0] || {}).id ?? null;
    }
    if (target !== stepId) {
      if (dirty()) save();
      show(target);
      return;
    }
    select.value = stepId === null ? "" : String(stepId);
    // Written in another window: shown here unless this box holds unsaved words.
    const step = state.steps.find((s) => s.id === stepId);
    if (step && !dirty() && document.activeElement !== box) {
      saved = step.notes || "";
      box.value = saved;
    }
  }

  select.addEventListener("change", () => {
    if (dirty()) save();
    // Choosing the current step again lets the box follow the agenda once more.
    chosen = Number(select.value) !== clock.current()?.id;
    show(Number(select.value));
  });
  box.addEventListener("input", () => {
    status.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_AFTER_MS);
  });
  box.addEventListener("blur", save);
  // Words typed just before the page closes are not lost.
  window.addEventListener("pagehide", save);

  clock.listeners.push(fill);
  if (clock.state) fill(clock.state);
}
