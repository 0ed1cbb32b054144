// The projector's panels: the group's goals, the starting point, the questions carried from
// earlier meetings, the self-evaluation and the group's timeline. Each shows what the
// server sent; the screen decides nothing of its own.

const language = document.documentElement.lang || "sv";

export class Panels {
  constructor(config, clock) {
    this.config = config;
    this.clock = clock;
    this.screen = {};
    this.followups = { questions: [] };
    this.meetingStatus = null;
    this.selfEvaluationState = null;
    this.goals = document.querySelector("[data-testid=goals]");
    this.startingPoint = document.querySelector("[data-testid=starting-point]");
    this.carried = document.querySelector("[data-testid=carried-questions]");
    this.selfEvaluation = document.querySelector("[data-testid=self-evaluation]");
    this.timelinePanel = document.querySelector("[data-testid=timeline-panel]");
    this.timeline = document.querySelector("[data-testid=timeline]");
  }

  // Whether a panel the facilitator switched on shows something: it comes before a pin.
  chosen() {
    const screen = this.screen;
    return Boolean(
      screen.show_timeline ||
        screen.show_goals ||
        (screen.show_starting_point && !this.startingPoint.hidden) ||
        (screen.show_carried_questions && !this.carried.hidden),
    );
  }

  showScreen(screen) {
    this.screen = screen;
    this.goals.hidden = !screen.show_goals;
    // Cleaned on the server (nh3): the facilitator's Markdown, not a participant's text.
    this.goals.querySelector(".markdown").innerHTML = screen.goals_html;
    this.showTimeline();
    this.showSteps();
  }

  showFollowups(followups) {
    this.followups = followups;
    this.showSteps();
  }

  // The starting point and the carried questions show during their agenda steps, or when
  // the facilitator switches them on.
  showSteps() {
    this.showStartingPoint();
    this.showCarried();
  }

  showCarried() {
    const step = this.clock.current();
    const carried = this.followups.questions.filter(
      (question) => question.carried_from_earlier && question.status !== "answered",
    );
    const inStep = step && step.shows_carried_questions;
    this.carried.hidden =
      !(inStep || this.screen.show_carried_questions) || carried.length === 0;
    this.carried.querySelector("ol").replaceChildren(
      ...carried.map((question) => {
        const item = document.createElement("li");
        item.dataset.testid = "carried-question";
        item.textContent = question.text;
        return item;
      }),
    );
  }

  showStartingPoint() {
    const screen = this.screen;
    const step = this.clock.current();
    const hasContent = screen.starting_point_html || screen.starting_point_image;
    const inStep = step && step.shows_starting_point;
    this.startingPoint.hidden = !(inStep || screen.show_starting_point) || !hasContent;
    // The server cleaned this HTML (nh3); it is the facilitator's Markdown, not a participant's.
    this.startingPoint.querySelector("[data-testid=starting-point-text]").innerHTML =
      screen.starting_point_html || "";
    const image = this.startingPoint.querySelector("[data-testid=starting-point-image]");
    image.hidden = !screen.starting_point_image;
    if (screen.starting_point_image) {
      image.src = `${this.config.imageUrl}?v=${encodeURIComponent(screen.starting_point_image)}`;
    }
  }

  // The group's timeline, large, over the wall; fetched again whenever a phase of the group
  // is suggested or decided (the server's timeline_version).
  showTimeline() {
    this.timelinePanel.hidden = !this.screen.show_timeline;
    if (!this.screen.show_timeline) return;
    const src = `${this.config.timelineUrl}?v=${encodeURIComponent(this.screen.timeline_version)}`;
    if (this.timeline.getAttribute("src") !== src) this.timeline.setAttribute("src", src);
  }

  showMeetingStatus(status) {
    this.meetingStatus = status;
    if (this.selfEvaluationState) this.showSelfEvaluation(this.selfEvaluationState);
  }

  // While the self-evaluation is open: how many have answered and, from 3 answers on, the
  // mean of each statement as a bar.
  showSelfEvaluation(state) {
    const panel = this.selfEvaluation;
    this.selfEvaluationState = state;
    // It closes with the meeting (the server sends no new self-evaluation state then).
    panel.hidden = state.status !== "open" || this.meetingStatus === "closed";
    panel.querySelector("[data-testid=self-evaluation-count]").textContent =
      this.config.answered.replace("{n}", state.n);
    const scale = state.items.filter((item) => item.kind === "scale");
    const summed = scale.some((item) => item.mean !== null);
    panel.querySelector("[data-testid=self-evaluation-waiting]").hidden = summed;
    panel.querySelector("[data-testid=self-evaluation-means]").hidden = !summed;
    for (const item of scale) {
      const row = panel.querySelector(`li[data-key="${item.key}"]`);
      if (!row) continue;
      row.hidden = item.mean === null && summed;
      const mean = item.mean === null ? 1 : item.mean;
      row.querySelector(".se-fill").style.width = `${(100 * (mean - 1)) / 4}%`;
      row.querySelector(".se-mean").textContent =
        item.mean === null
          ? ""
          : item.mean.toLocaleString(language, {
              minimumFractionDigits: 1,
              maximumFractionDigits: 1,
            });
    }
  }
}
