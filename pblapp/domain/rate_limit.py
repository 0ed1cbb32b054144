"""Token buckets: how often one participant may send an event.

A bucket holds ``capacity`` tokens and gains ``per_second`` back, up to ``capacity``. Each
event takes one; an event that finds the bucket empty is refused with the seconds until a
token is back (``retry_after``), and nothing of it is done. The limits let a person post as
fast as anyone types, ten posts within ten seconds and more, and stop a script that floods
the room from the join code on the projector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    capacity: float
    per_second: float


# contribution:add: a burst of 10 at once, then one a second.
POSTS = Limit(capacity=10, per_second=1.0)
# Every other event of a participant (reactions, the self-evaluation, consent).
OTHER_EVENTS = Limit(capacity=30, per_second=3.0)
# Requests that name a join code (the code page, the join page, the join, the phone page
# and its forms), per address: a room of 60 phones behind one NAT address makes four or five
# each within the first minute, while a script guessing codes gets one a second. With 31^6
# codes and 50 meetings live at once, one address needs on average 31^6 / 50 s, about 200
# days, to find any of them.
JOINS = Limit(capacity=300, per_second=1.0)


def retry_after(limit: Limit, tokens: float) -> float:
    """The seconds until a bucket holding ``tokens`` (less than one) has one again, rounded
    up to a tenth and at least 0.1."""
    wait = (1 - tokens) / limit.per_second
    return max(0.1, math.ceil(wait * 10) / 10)


class TokenBucket:
    def __init__(self, limit: Limit, now: float):
        self.limit = limit
        self.tokens = float(limit.capacity)
        self.at = now

    def take(self, now: float) -> float | None:
        """Take a token at ``now`` (seconds, any monotonic clock): ``None`` when there was
        one, else the seconds until there is (rounded up to a tenth, at least 0.1)."""
        elapsed = max(0.0, now - self.at)
        self.tokens = min(self.limit.capacity, self.tokens + elapsed * self.limit.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return retry_after(self.limit, self.tokens)

    def full_at(self, now: float) -> bool:
        """Whether the bucket is full again at ``now``: it can be forgotten and made anew."""
        elapsed = max(0.0, now - self.at)
        return self.tokens + elapsed * self.limit.per_second >= self.limit.capacity
