"""Where the token buckets of the rate limits live (``pblapp.domain.rate_limit`` holds the
rule): in this process's memory, or in Redis when several server processes share the rooms
(``--message-queue``), so that a participant or an address gets the same allowance whichever
process it reaches.

Either store answers ``take(name, key, limit)`` with ``None`` (a token was taken) or the
seconds to wait.
"""

from __future__ import annotations

import logging
import threading
import time

from pblapp.domain.rate_limit import Limit, TokenBucket, retry_after

log = logging.getLogger(__name__)


class MemoryBuckets:
    """One process's buckets. A bucket that has filled up again is forgotten, so the store
    holds only the participants and addresses seen in the last minute or so."""

    PRUNE_EVERY = 1000

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.buckets: dict[tuple[str, object], TokenBucket] = {}
        self.takes = 0
        self.lock = threading.Lock()

    def take(self, name: str, key: object, limit: Limit) -> float | None:
        now = self.clock()
        with self.lock:
            bucket = self.buckets.get((name, key))
            if bucket is None:
                bucket = self.buckets[(name, key)] = TokenBucket(limit, now)
            wait = bucket.take(now)
            self.takes += 1
            if self.takes % self.PRUNE_EVERY == 0:
                self._prune(now)
        return wait

    def _prune(self, now: float) -> None:
        full = [key for key, bucket in self.buckets.items() if bucket.full_at(now)]
        for key in full:
            del self.buckets[key]


# One bucket, taken atomically in Redis: tokens and the time they were counted, in a hash
# that expires once the bucket would be full again. The time is Redis's own, so that every
# process counts with one clock.
_TAKE = """
local capacity = tonumber(ARGV[1])
local per_second = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1]) or capacity
local at = tonumber(stored[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_second)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / per_second) + 1)
return {taken, tostring(tokens)}
"""


class RedisBuckets:
    """Buckets shared by every process through Redis. If Redis cannot be reached, the
    process counts in its own memory until it can: a limit is never a reason to refuse a
    post."""

    PREFIX = "pblapp:bucket:"

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.script = self.client.register_script(_TAKE)
        self.fallback = MemoryBuckets()

    def take(self, name: str, key: object, limit: Limit) -> float | None:
        import redis

        try:
            taken, tokens = self.script(
                keys=[f"{self.PREFIX}{name}:{key}"], args=[limit.capacity, limit.per_second]
            )
        except redis.RedisError as exc:
            log.warning("Rate limits counted in this process only: %s", exc)
            return self.fallback.take(name, key, limit)
        return None if int(taken) else retry_after(limit, float(tokens))


def buckets_for(message_queue: str | None) -> MemoryBuckets | RedisBuckets:
    """The store for a server: Redis's when the processes share rooms through Redis."""
    if message_queue and message_queue.startswith(("redis://", "rediss://")):
        return RedisBuckets(message_queue)
    return MemoryBuckets()
