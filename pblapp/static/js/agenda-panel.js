// The console's agenda: start, pause, next, go to a step, and edit the steps.
import { AgendaClock, formatSeconds, stepTitle } from "./agenda.js";

export function agendaPanel(socket, labels) {
  const panel = document.querySelector("[data-testid=agenda]");
  const clock = new AgendaClock(panel.querySelector("[data-testid=agenda-clock]"), labels);
  const list = panel.querySelector("[data-testid=agenda-steps]");
  const rows = panel.querySelector(".agenda-rows");
  const rowTemplate = document.getElementById("agenda-row");
  const saved = panel.querySelector("[data-testid=agenda-saved]");

  function command(action, extra = {}) {
    socket.timeout(10000).emit("agenda:command", { action, ...extra }, (err, answer) => {
      if (!err && answer.ok) clock.update(answer.agenda);
    });
  }

  panel.querySelector("[data-testid=agenda-start]").addEventListener("click", () =>
    command("start"),
  );
  panel.querySelector("[data-testid=agenda-pause]").addEventListener("click", () =>
    command("pause"),
  );
  panel.querySelector("[data-testid=agenda-next]").addEventListener("click", () =>
    command("next"),
  );

  function showSteps(state) {
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
        title.addEventListener("click", () => command("goto", { step_id: step.id }));
        const time = document.createElement("span");
        time.className = "muted";
        time.dataset.used = step.id;
        item.append(title, " ", time);
        return item;
      }),
    );
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
    row.querySelector(".step-minutes").value = Math.round((step.planned_seconds || 600) / 60);
    row.querySelector(".step-up").addEventListener("click", () => {
      if (row.previousElementSibling) rows.insertBefore(row, row.previousElementSibling);
    });
    row.querySelector(".step-down").addEventListener("click", () => {
      if (row.nextElementSibling) rows.insertBefore(row.nextElementSibling, row);
    });
    row.querySelector(".step-remove").addEventListener("click", () => row.remove());
    return row;
  }

  function fillEditor(state) {
    rows.replaceChildren(...state.steps.map(editorRow));
  }

  panel.querySelector("[data-testid=agenda-add]").addEventListener("click", () => {
    const row = editorRow({ planned_seconds: 600 });
    rows.append(row);
    row.querySelector(".step-title").focus();
  });

  panel.querySelector("[data-testid=agenda-editor]").addEventListener("submit", (event) => {
    event.preventDefault();
    const steps = [...rows.children].map((row) => {
      const step = { planned_minutes: Number(row.querySelector(".step-minutes").value) || 0 };
      if (row.dataset.stepId) step.id = Number(row.dataset.stepId);
      const title = row.querySelector(".step-title").value.trim();
      if (title || !row.dataset.stepId) step.title = title;
      else step.title = null;
      return step;
    });
    socket.timeout(10000).emit("agenda:edit", { steps }, (err, answer) => {
      if (!err && answer.ok) {
        clock.update(answer.agenda);
        fillEditor(answer.agenda);
        saved.hidden = false;
      }
    });
  });

  panel.querySelector("[data-testid=agenda-save-group]").addEventListener("click", () => {
    socket.timeout(10000).emit("agenda:save_for_group", {}, (err, answer) => {
      saved.hidden = Boolean(err) || !answer.ok;
    });
  });

  let editorFilled = false;
  clock.listeners.push((state) => {
    showSteps(state);
    if (!editorFilled) {
      fillEditor(state);
      editorFilled = true;
    }
  });
  socket.on("agenda:state", (state) => clock.update(state));
  return clock;
}
