"""The token buckets that keep one participant from flooding a meeting."""

from pblapp.buckets import MemoryBuckets
from pblapp.domain.rate_limit import OTHER_EVENTS, POSTS, Limit, TokenBucket


def test_ten_posts_within_ten_seconds_are_never_limited():
    bucket = TokenBucket(POSTS, now=0)
    assert all(bucket.take(now=n * 0.99) is None for n in range(10))
    # And one a second for as long as anyone can type.
    bucket = TokenBucket(POSTS, now=0)
    assert all(bucket.take(now=n) is None for n in range(120))


def test_a_flood_gets_ten_and_then_one_a_second_with_the_wait_to_retry():
    bucket = TokenBucket(POSTS, now=100)
    answers = [bucket.take(now=100) for _ in range(2000)]
    assert answers[:10] == [None] * 10
    assert set(answers[10:]) == {1.0}
    assert bucket.take(now=101.0) is None  # a token back after a second
    assert bucket.take(now=101.2) == 0.8


def test_the_wait_is_rounded_up_and_never_zero():
    bucket = TokenBucket(Limit(capacity=1, per_second=3), now=0)
    assert bucket.take(now=0) is None
    assert bucket.take(now=0) == 0.4  # 0.333… rounded up to a tenth
    assert bucket.take(now=0.33) == 0.1


def test_other_events_allow_a_person_tapping_reactions_quickly():
    bucket = TokenBucket(OTHER_EVENTS, now=0)
    assert all(bucket.take(now=n * 0.2) is None for n in range(50))


def test_a_process_forgets_the_buckets_that_have_filled_up_again():
    now = [0.0]
    store = MemoryBuckets(clock=lambda: now[0])
    limit = Limit(capacity=2, per_second=1.0)
    for participant in range(MemoryBuckets.PRUNE_EVERY - 1):
        store.take("posts", participant, limit)
    assert len(store.buckets) == MemoryBuckets.PRUNE_EVERY - 1
    now[0] = 5.0  # every bucket is full again
    store.take("posts", "last", limit)
    assert list(store.buckets) == [("posts", "last")]
