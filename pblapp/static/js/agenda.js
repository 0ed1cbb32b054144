// The current agenda step and its remaining time. The server sends each step's remaining
// seconds at its own clock; between messages the page counts down from the moment it got
// them, so every screen shows the same time, and a reload shows it too.

export function formatSeconds(seconds) {
  const sign = seconds < 0 ? "+" : "";
  const whole = Math.abs(Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return `${sign}${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

export function stepTitle(step, labels) {
  return step.title || labels[step.key] || step.key || "";
}

export class AgendaClock {
  constructor(element, labels) {
    this.element = element;
    this.labels = labels;
    this.state = null;
    this.receivedAt = 0;
    this.listeners = [];
    setInterval(() => this.render(), 250);
  }

  update(state) {
    this.state = state;
    this.receivedAt = performance.now();
    this.render();
    for (const listener of this.listeners) listener(state);
  }

  current() {
    return this.state ? this.state.steps.find((step) => step.current) : undefined;
  }

  remaining(step) {
    const since = step.running ? (performance.now() - this.receivedAt) / 1000 : 0;
    return step.remaining_seconds - since;
  }

  used(step) {
    const since = step.running ? (performance.now() - this.receivedAt) / 1000 : 0;
    return step.used_seconds + since;
  }

  render() {
    if (!this.element) return;
    const step = this.current();
    this.element.hidden = !step;
    if (!step) return;
    const remaining = this.remaining(step);
    this.element.querySelector("[data-testid=agenda-step]").textContent = stepTitle(
      step,
      this.labels,
    );
    this.element.querySelector("[data-testid=agenda-remaining]").textContent =
      formatSeconds(remaining);
    this.element.classList.toggle("overrun", remaining < 0);
    this.element.classList.toggle("paused", !step.running);
    const paused = this.element.querySelector("[data-testid=agenda-paused]");
    if (paused) paused.hidden = step.running;
  }
}
