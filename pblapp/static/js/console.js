// Facilitator console: every contribution live, with re-tag, hide and
// "take to next meeting" sent as contribution:update.
import { agendaPanel } from "./agenda-panel.js";
import { followupsPanel } from "./followups-panel.js";
import { ContributionList, connect, pageConfig, setQtypeClass, showConnection } from "./live.js";

const config = pageConfig();
const template = document.getElementById("console-item");
const empty = document.querySelector("[data-testid=empty]");
let socket;

function send(id, change, control) {
  control.disabled = true;
  socket.timeout(10000).emit("contribution:update", { id, ...change }, (err, answer) => {
    control.disabled = false;
    if (err || !answer.ok) {
      control.closest("li").classList.add("update-failed");
      return;
    }
    update(contributions.get(id), answer.contribution);
  });
}

function render(contribution) {
  const item = template.content.firstElementChild.cloneNode(true);
  item.querySelector(".author").textContent =
    `${contribution.display_name} · ${contribution.pseudonym} (${contribution.organization})`;
  item.querySelector(".seq").textContent = `#${contribution.seq}`;
  item.querySelector(".text").textContent = contribution.text;
  const select = item.querySelector("[data-testid=qtype-select]");
  select.addEventListener("change", () =>
    send(contribution.id, { qtype: select.value || null }, select),
  );
  const hide = item.querySelector("[data-testid=hide-toggle]");
  hide.addEventListener("change", () => send(contribution.id, { hidden: hide.checked }, hide));
  const carry = item.querySelector("[data-testid=carry-toggle]");
  carry.addEventListener("change", () =>
    send(contribution.id, { carry_forward: carry.checked }, carry),
  );
  return item;
}

function update(element, contribution) {
  setQtypeClass(element, contribution.qtype);
  element.classList.toggle("is-hidden", contribution.hidden);
  element.classList.toggle("is-carried", contribution.carry_forward);
  element.classList.remove("update-failed");
  element.querySelector("[data-testid=qtype-select]").value = contribution.qtype || "";
  element.querySelector("[data-testid=hide-toggle]").checked = contribution.hidden;
  element.querySelector("[data-testid=carry-toggle]").checked = contribution.carry_forward;
  empty.hidden = true;
}

const contributions = new ContributionList(document.getElementById("contributions"), render, {
  newestFirst: true,
});

socket = connect(() => ({ meeting_id: config.meetingId, since_seq: 0 }));
showConnection(socket, document.querySelector("[data-testid=connection]"));
agendaPanel(socket, config.stepLabels);
followupsPanel(socket, config);
socket.on("meeting:state", (state) => {
  document.querySelector("[data-testid=participant-count]").textContent = state.participants;
});
for (const name of ["contribution:added", "contribution:updated"]) {
  socket.on(name, (contribution) => update(contributions.upsert(contribution), contribution));
}
