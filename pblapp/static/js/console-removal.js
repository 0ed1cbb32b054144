// Removing a participant from the meeting, from a post's "More": their phone is
// disconnected at once and cannot post or join again. The list of the removed stands under
// the meeting's facts, each with "Let back in" (they then join again with the code).
import { request } from "./request.js";

function label(template, person) {
  return template.replace("{name}", `${person.display_name} (${person.pseudonym})`);
}

export function participantRemoval(socket, config) {
  const box = document.querySelector("[data-testid=removed-participants]");
  const list = box.querySelector("ul");
  const error = box.querySelector("[data-testid=removed-error]");
  const ask = (event, pseudonym, show) =>
    request(socket, event, { pseudonym }, { messages: config.messages, show });

  function show(removed) {
    list.replaceChildren(
      ...removed.map((person) => {
        const row = document.createElement("li");
        row.dataset.pseudonym = person.pseudonym;
        const name = document.createElement("bdi");
        name.textContent = person.display_name;
        const back = document.createElement("button");
        back.type = "button";
        back.className = "chip";
        back.dataset.testid = "readmit";
        back.textContent = config.removal.readmit;
        back.setAttribute("aria-label", label(config.removal.readmitLabel, person));
        back.addEventListener("click", async () => {
          back.disabled = true;
          const answer = await ask("participant:readmit", person.pseudonym, error);
          back.disabled = false;
          if (answer) show(answer.removed);
        });
        row.append(name, ` · ${person.pseudonym} `, back);
        return row;
      }),
    );
    box.hidden = removed.length === 0;
  }
  socket.on("participants:removed", ({ removed }) => show(removed));

  // The button in a post's "More"; refusals show on the post.
  return function attach(item, contribution, refused) {
    const button = item.querySelector("[data-testid=remove-participant]");
    button.addEventListener("click", async () => {
      if (!window.confirm(label(config.removal.confirm, contribution))) return;
      button.disabled = true;
      const answer = await ask("participant:remove", contribution.pseudonym, refused);
      button.disabled = false;
      if (answer) show(answer.removed);
    });
  };
}
