"""At most one call per key per interval: the first at once, the rest folded into one call
at the end of the interval.

The live pages' counts (``meeting:state``) change with every post; a plenary posting ten
times a second would otherwise rebuild and send them ten times a second. With a
:class:`Throttle`, a lone post still updates the counts at once, and a burst updates them
once more when it has passed, with everything it brought.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

# later(delay in seconds, function): call the function once the delay has passed, in the
# background (a greenlet under gevent, a thread otherwise).
Later = Callable[[float, Callable[[], None]], None]


class Throttle:
    def __init__(self, interval: float, later: Later, clock: Callable[[], float] = time.monotonic):
        self.interval, self.later, self.clock = interval, later, clock
        self._lock = threading.Lock()
        self._last: dict[Hashable, float] = {}
        self._pending: set[Hashable] = set()

    def call(
        self,
        key: Hashable,
        fn: Callable[[], None],
        trailing_fn: Callable[[], None] | None = None,
    ) -> None:
        """Call ``fn`` now if ``key`` had no call within the interval; else once at the end
        of the interval (a call already waiting there covers this one too), then
        ``trailing_fn`` if given: what is current by then may need reading again."""
        if self.interval <= 0:
            fn()
            return
        fn_later = trailing_fn or fn
        with self._lock:
            now = self.clock()
            if key in self._pending:
                return
            wait = self._last.get(key, -self.interval) + self.interval - now
            if wait > 0:
                self._pending.add(key)
            else:
                self._last[key] = now
        if wait <= 0:
            fn()
            return

        def trailing() -> None:
            with self._lock:
                self._pending.discard(key)
                self._last[key] = self.clock()
            fn_later()

        self.later(wait, trailing)

    def done(self, key: Hashable) -> None:
        """``key`` was just brought up to date another way: the next call waits its turn."""
        with self._lock:
            self._last[key] = self.clock()
