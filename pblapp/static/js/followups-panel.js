// The console's follow-ups: questions for next time (with status), decisions and action items.

import { request } from "./request.js";

// In the order a question goes through them (the labels come as JSON, whose keys are sorted).
const QUESTION_STATUSES = ["open", "answered", "deferred"];

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => values[key]);
}

export function followupsPanel(socket, config) {
  const panel = document.querySelector("[data-testid=followups]");
  const questions = panel.querySelector("[data-testid=questions]");
  const decisions = panel.querySelector("[data-testid=decisions]");
  const actions = panel.querySelector("[data-testid=action-items]");

  const error = document.querySelector("[data-testid=followups-error]");
  let latest = null;

  async function send(event, payload, form) {
    const answer = await request(socket, event, payload, {
      messages: config.messages,
      show: error,
    });
    if (answer) {
      show(answer.followups);
      if (form) form.reset();
    } else if (latest) {
      show(latest); // the refusal is shown; show again what the server has (an owner goes back)
    }
  }

  function origin(item) {
    return item.carried_from_earlier ? fill(config.fromMeeting, { n: item.meeting_number }) : "";
  }

  function questionItem(question) {
    const item = document.createElement("li");
    item.dataset.testid = "question";
    // A typed question can be corrected in place; one made from a post quotes the
    // participant, and their words stay as they are.
    let text;
    if (question.contribution_id) {
      text = document.createElement("span");
      text.textContent = question.text;
    } else {
      text = document.createElement("input");
      text.className = "question-text";
      text.dataset.testid = "question-text-edit";
      text.maxLength = 2000;
      text.value = question.text;
      text.setAttribute("aria-label", config.questionLabel);
      text.addEventListener("change", () =>
        send("question:update", { id: question.id, text: text.value }),
      );
    }
    const status = document.createElement("select");
    status.dataset.testid = "question-status";
    status.setAttribute("aria-label", config.questionStatusLabel);
    for (const value of QUESTION_STATUSES) {
      const label = config.questionStatus[value];
      status.append(new Option(label, value, false, value === question.status));
    }
    status.addEventListener("change", () =>
      send("question:update", { id: question.id, status: status.value }),
    );
    // Owner: a participant's pseudonym (P03) or an organisation's code (FK); empty for none.
    const owner = document.createElement("input");
    owner.dataset.testid = "question-owner";
    owner.className = "owner";
    owner.placeholder = config.ownerPlaceholder;
    owner.setAttribute("aria-label", config.ownerLabel);
    owner.value = question.owner ? question.owner.pseudonym || question.owner.organization : "";
    owner.addEventListener("change", () => {
      const value = owner.value.trim();
      const choice = !value ? null : /^P\d+$/i.test(value)
        ? { pseudonym: value.toUpperCase() }
        : { organization: value };
      send("question:update", { id: question.id, owner: choice });
    });
    const note = document.createElement("small");
    note.className = "muted";
    note.textContent = origin(question);
    item.append(text, " ", note, " ", status, " ", owner);
    return item;
  }

  function decisionItem(decision) {
    const item = document.createElement("li");
    item.dataset.testid = "decision";
    item.textContent = decision.text;
    return item;
  }

  function actionItem(action) {
    const item = document.createElement("li");
    item.dataset.testid = "action-item";
    const label = document.createElement("label");
    label.className = "check";
    const done = document.createElement("input");
    done.type = "checkbox";
    done.checked = action.status === "done";
    done.setAttribute("aria-label", config.done);
    done.addEventListener("change", () =>
      send("action_item:update", { id: action.id, status: done.checked ? "done" : "open" }),
    );
    const text = document.createElement("span");
    const due = action.due ? ` ${fill(config.due, { date: action.due })}` : "";
    text.textContent = `${action.who}: ${action.what}${due}`;
    const note = document.createElement("small");
    note.className = "muted";
    note.textContent = origin(action);
    label.append(done, text, note);
    item.append(label);
    return item;
  }

  function show(state) {
    latest = state;
    questions.replaceChildren(...state.questions.map(questionItem));
    decisions.replaceChildren(...state.decisions.map(decisionItem));
    actions.replaceChildren(...state.action_items.map(actionItem));
  }

  const forms = {
    "question-form": (form) => send("question:add", { text: form.text.value }, form),
    "decision-form": (form) => send("decision:add", { text: form.text.value }, form),
    "action-form": (form) =>
      send(
        "action_item:add",
        { who: form.who.value, what: form.what.value, due: form.due.value || null },
        form,
      ),
  };
  for (const [testid, submit] of Object.entries(forms)) {
    const form = panel.querySelector(`[data-testid=${testid}]`);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form);
    });
  }
  socket.on("followups:state", show);
}
