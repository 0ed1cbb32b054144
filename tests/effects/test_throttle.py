"""The throttle that folds a burst of changes into two sends of a meeting's counts."""

from pblapp.effects.throttle import Throttle


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_lone_call_runs_at_once_and_a_burst_runs_once_more_at_the_end():
    clock, calls, waiting = Clock(), [], []
    throttle = Throttle(0.25, lambda delay, fn: waiting.append((delay, fn)), clock)
    throttle.call("m1", lambda: calls.append("first"))
    assert calls == ["first"] and waiting == []
    clock.now += 0.1
    for n in range(5):
        throttle.call("m1", lambda n=n: calls.append(n))
    # One trailing call, due when the interval has passed, whichever call of the burst it is.
    assert calls == ["first"] and len(waiting) == 1
    assert abs(waiting[0][0] - 0.15) < 1e-9
    clock.now += 0.15
    waiting[0][1]()
    assert calls == ["first", 0]


def test_keys_do_not_wait_for_each_other_and_a_quiet_key_runs_at_once_again():
    clock, calls, waiting = Clock(), [], []
    throttle = Throttle(0.25, lambda delay, fn: waiting.append((delay, fn)), clock)
    throttle.call("m1", lambda: calls.append("m1"))
    throttle.call("m2", lambda: calls.append("m2"))
    assert calls == ["m1", "m2"] and waiting == []
    clock.now += 1
    throttle.call("m1", lambda: calls.append("m1 again"))
    assert calls[-1] == "m1 again"


def test_a_send_made_another_way_counts_as_the_last_one():
    clock, calls, waiting = Clock(), [], []
    throttle = Throttle(0.25, lambda delay, fn: waiting.append((delay, fn)), clock)
    throttle.done("m1")
    throttle.call("m1", lambda: calls.append("waits"))
    assert calls == [] and len(waiting) == 1


def test_no_interval_calls_every_time():
    calls = []
    throttle = Throttle(0, lambda *_: None)
    for n in range(3):
        throttle.call("m1", lambda n=n: calls.append(n))
    assert calls == [0, 1, 2]


def test_the_call_at_the_end_of_a_burst_can_be_another_one():
    clock, calls, waiting = Clock(), [], []
    throttle = Throttle(0.25, lambda delay, fn: waiting.append((delay, fn)), clock)
    throttle.call("m1", lambda: calls.append("as known"), lambda: calls.append("read again"))
    throttle.call("m1", lambda: calls.append("as known"), lambda: calls.append("read again"))
    waiting[0][1]()
    assert calls == ["as known", "read again"]
