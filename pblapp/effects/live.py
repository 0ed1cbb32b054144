"""The live fan-out: committed events become Socket.IO messages, per audience and room.

Each meeting has a room; staff (the facilitator's console), screens (the projector, opened
by the facilitator or by a screen link) and participants (phones) each have a room inside
it. A change's events name what it changed; this module reads the new state once and sends
it, in a fixed order: the posts removed, the posts, then the meeting's state, its agenda,
its follow-ups, its screen. Phones get every post through ``access.contribution_for(PHONE,
…)`` and never the follow-ups (they may quote a hidden post); screens get every post through
``access.contribution_for(SCREEN, …)`` with the author as the screen names it, and of the
follow-ups the carried questions. When the facilitator changes how the screen names
authors, every post goes to the screens again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pblapp.db import Database, Event
from pblapp.domain import access
from pblapp.effects.throttle import Later, Throttle
from pblapp.ops import (
    agenda,
    followups,
    groups,
    meetings,
    participation,
    removal,
    screen,
    selfeval,
)

# emit(event name, payload, room or rooms)
Emit = Callable[[str, dict, str | list[str]], None]


def room(meeting_id: int) -> str:
    """Everyone in a meeting."""
    return f"meeting:{meeting_id}"


def staff_room(meeting_id: int) -> str:
    """The facilitator's console and screen."""
    return f"meeting:{meeting_id}:staff"


def participants_room(meeting_id: int) -> str:
    """The phones."""
    return f"meeting:{meeting_id}:participants"


def singles_room(meeting_id: int) -> str:
    """The phones that take each new post as it comes (``contribution:added``)."""
    return f"meeting:{meeting_id}:participants:singles"


# The phones that take new posts in batches are spread over this many rooms. In a meeting
# of at least SPREAD_FROM people, each room gets the batch a fraction of the interval after
# the one before: a plenary's thousand frames leave in eight smaller bursts, and a post that
# arrives meanwhile waits behind one of them, not behind all. A smaller meeting's phones get
# each batch at once, in one message to every room.
BATCH_PARTS = 8
SPREAD_FROM = 200
PEOPLE_RECOUNT = 10.0


def batched_room(meeting_id: int, part: int) -> str:
    """One part of the phones that asked for new posts in batches (``contributions:added``):
    the phone page does, since in a plenary a post a second to each of a thousand phones
    would cost more than the page gains from it."""
    return f"meeting:{meeting_id}:participants:batched:{part}"


def batched_part(attendance_id: int) -> int:
    """The part of the batched phones that a participant's phones are in."""
    return attendance_id % BATCH_PARTS


def author_room(meeting_id: int, pseudonym: str) -> str:
    """One participant's phones in a meeting: where a decision on a post of theirs that
    the room never saw (rejected under pre-moderation) goes."""
    return f"meeting:{meeting_id}:participant:{pseudonym}"


def screen_room(meeting_id: int) -> str:
    """The projector screens: the facilitator's, and those opened by the screen link."""
    return f"meeting:{meeting_id}:screen"


# What each event changes on the live pages (besides the posts it names).
_SHOWS: dict[str, tuple[str, ...]] = {
    "contribution.added": ("meeting",),
    "contribution.updated": ("meeting",),
    "contribution.merged": ("meeting",),
    "contribution.unmerged": ("meeting",),
    # Its question for next time goes with it.
    "contribution.deleted": ("meeting", "followups"),
    "participant.joined": ("meeting",),
    # The console's list of removed participants (with their names: the console's only).
    "participant.removed": ("removed",),
    "participant.readmitted": ("removed",),
    "attendance.added": ("meeting",),
    "meeting.started": ("meeting",),
    "meeting.updated": ("meeting",),
    "meeting.closed": ("meeting", "agenda"),
    "agenda.step_started": ("agenda",),
    "agenda.step_ended": ("agenda",),
    "agenda.paused": ("agenda",),
    "agenda.resumed": ("agenda",),
    "agenda.changed": ("agenda",),
    "agenda.notes_changed": ("agenda",),
    "question.added": ("followups",),
    "question.updated": ("followups",),
    "question.removed": ("followups",),
    "decision.added": ("followups",),
    "action_item.added": ("followups",),
    "action_item.updated": ("followups",),
    "screen.changed": ("screen",),
    "starting_point.changed": ("screen",),
    "starting_point.image_changed": ("screen",),
    "group.updated": ("screen",),
    "reaction.set": (),
    "self_evaluation.opened": ("self_evaluation",),
    "self_evaluation.answered": ("self_evaluation",),
    # The screen's timeline shows the group's phases.
    "phase.suggested": ("screen",),
    "phase.decided": ("screen",),
}
_ORDER = ("meeting", "agenda", "followups", "screen", "self_evaluation", "removed")


# Events after which the whole room, phones included, needs the meeting's state at once: its
# status (planned, live, closed) or its details changed. A phone shows nothing else of it.
_STATUS_EVENTS = frozenset({"meeting.started", "meeting.updated", "meeting.closed"})


class LiveFanOut:
    """Subscriber: send what a committed change changed to the rooms of its meetings.

    The meeting's counts (``meeting:state`` after a post, a join, a re-tag) go to the
    console and the screens through a :class:`~pblapp.effects.throttle.Throttle`: at once
    for a lone change, and once more at the end of ``interval`` seconds for a burst; never
    to the phones, whose page shows only the meeting's status.
    """

    def __init__(
        self,
        db: Database,
        emit: Emit,
        *,
        interval: float = 0.0,
        batch_interval: float = 0.0,
        later: Later | None = None,
        pause: Callable[[], None] = lambda: None,
    ):
        self.db, self.emit, self.pause = db, emit, pause
        self.counts = Throttle(interval, later or _never)
        # New posts for the batched phones, per meeting, until the next batch goes.
        self.batches = Throttle(batch_interval, later or _never)
        self.batch_interval, self.later = batch_interval, later or _never
        self._people_counted: dict[int, tuple[float, int]] = {}
        self._waiting: dict[int, list[int]] = {}
        self._waiting_lock = threading.Lock()

    def __call__(self, events: list[Event]) -> None:
        added: dict[int, list[int]] = {}
        updated: dict[int, list[int]] = {}
        # Posts whose only change is their reaction counts: the console and the screens.
        reacted: dict[int, list[int]] = {}
        removed: dict[int, list[int]] = {}
        # Meetings whose screens name authors differently now: every post again.
        renamed: set[int] = set()
        shows: dict[int, set[str]] = {}
        status_changed: set[int] = set()
        # New posts as their change wrote them: not read again.
        written: dict[int, dict] = {}
        for event in events:
            if event.type in _STATUS_EVENTS and event.meeting_id is not None:
                status_changed.add(event.meeting_id)
            if event.type in ("participant.withdrawn", "participant.erased"):
                # Their words leave every open page (replaced, or kept only for the minutes).
                for meeting_id, post_id in self._posts_of(event):
                    updated.setdefault(meeting_id, []).append(post_id)
                    shows.setdefault(meeting_id, set()).add("meeting")
            for meeting_id in self._meetings_of(event):
                shows.setdefault(meeting_id, set()).update(_SHOWS.get(event.type, ()))
            if event.meeting_id is None:
                continue
            if event.type == "contribution.added":
                added.setdefault(event.meeting_id, []).append(event.data["contribution_id"])
                if event.written is not None:
                    written[event.data["contribution_id"]] = event.written
            elif event.type == "reaction.set":
                reacted.setdefault(event.meeting_id, []).append(event.data["contribution_id"])
            elif event.type == "contribution.redacted":
                updated.setdefault(event.meeting_id, []).append(event.data["contribution_id"])
            elif event.type in ("contribution.updated", "contribution.merged"):
                posts = updated.setdefault(event.meeting_id, [])
                posts.append(event.data["contribution_id"])
                if event.type == "contribution.merged":
                    # The post it joined, and the duplicates that now point at it.
                    posts.extend(self._family(event.meeting_id, event.data["into"]))
                elif {"carry_forward", "hidden"} & event.data["changes"].keys():
                    # A carried post's question follows it; hidden, it leaves the list.
                    shows[event.meeting_id].add("followups")
            elif event.type == "contribution.unmerged":
                updated.setdefault(event.meeting_id, []).append(event.data["contribution_id"])
            elif event.type == "contribution.deleted":
                removed.setdefault(event.meeting_id, []).append(event.data["contribution_id"])
                # Duplicates that pointed at it stand on their own again.
                updated.setdefault(event.meeting_id, []).extend(event.data["unmerged"])
                if event.data["unpinned"]:
                    shows[event.meeting_id].add("screen")
            elif event.type == "screen.changed" and "author_display" in event.data:
                renamed.add(event.meeting_id)
        for meeting_id in dict.fromkeys([*removed, *added, *updated, *reacted, *shows]):
            gone = set(removed.get(meeting_id, []))
            for contribution_id in sorted(gone):
                self.emit(
                    "contribution:removed",
                    {"id": contribution_id, "meeting_id": meeting_id},
                    room(meeting_id),
                )
            author_display = screen.author_display(self.db, meeting_id)
            for contribution_id in added.get(meeting_id, []):
                if contribution_id not in gone:
                    self._post(
                        meeting_id,
                        "contribution:added",
                        contribution_id,
                        author_display,
                        as_written=written.get(contribution_id),
                    )
            # In seq order (ids grow with seq within a meeting), each post once.
            changed = set(updated.get(meeting_id, []))
            if meeting_id in renamed:
                self._screens_again(meeting_id, author_display, skip=changed)
            for contribution_id in sorted((changed | set(reacted.get(meeting_id, []))) - gone):
                self._post(
                    meeting_id,
                    "contribution:updated",
                    contribution_id,
                    author_display,
                    to_phones=contribution_id in changed,
                )
            for part in _ORDER:
                if part not in shows.get(meeting_id, ()):
                    continue
                if part == "meeting" and meeting_id not in status_changed:
                    self.counts.call(meeting_id, lambda m=meeting_id: self._counts(m))
                else:
                    self._state(meeting_id, part)

    def _meetings_of(self, event: Event) -> list[int]:
        if event.type == "group.updated":
            # Open screens and phones show the group's goals.
            if "goals" in event.data["changes"]:
                return groups.open_meeting_ids(self.db, event.group_id)
            return []
        return [event.meeting_id] if event.meeting_id is not None else []

    def _posts_of(self, event: Event) -> list[tuple[int, int]]:
        """(meeting, post) of a participant's posts in the group's open meetings."""
        found = []
        for meeting_id in groups.open_meeting_ids(self.db, event.group_id):
            for c in participation.contributions(self.db, meeting_id):
                if c["pseudonym"] == event.data["pseudonym"]:
                    found.append((meeting_id, c["id"]))
        return found

    def _family(self, meeting_id: int, target: int) -> list[int]:
        return [
            c["id"]
            for c in participation.contributions(self.db, meeting_id)
            if c["id"] == target or c["merged_into_id"] == target
        ]

    def _post(
        self,
        meeting_id: int,
        name: str,
        contribution_id: int,
        author_display: str,
        to_phones=True,
        as_written: dict | None = None,
    ) -> None:
        contribution = as_written or participation.contribution(self.db, contribution_id)
        if contribution["status"] != participation.VISIBLE:
            self.emit(name, contribution, staff_room(meeting_id))
            # Waiting for approval, or rejected: the console's, and a rejection its author's
            # (their own words, so their phone says "not shown" at once).
            if contribution["status"] == participation.REJECTED and name != "contribution:added":
                phone_form = access.contribution_for(access.PHONE, contribution)
                own = {**phone_form, "text": contribution["text"]}
                self.emit(name, own, author_room(meeting_id, contribution["pseudonym"]))
            return
        # The room's screen first (with reaction counts), then the console: let their frames
        # leave before the phones' and the counts'.
        self.emit(
            name,
            access.contribution_for(access.SCREEN, contribution, author_display),
            screen_room(meeting_id),
        )
        self.emit(name, contribution, staff_room(meeting_id))
        self.pause()
        if not to_phones:
            return
        phone_form = access.contribution_for(access.PHONE, contribution)
        if name != "contribution:added":
            self.emit(name, phone_form, participants_room(meeting_id))
            return
        self.emit(name, phone_form, singles_room(meeting_id))
        with self._waiting_lock:
            self._waiting.setdefault(meeting_id, []).append(contribution_id)
        self.batches.call(
            meeting_id,
            lambda: self._send_batch(meeting_id, {contribution_id: phone_form}),
            lambda: self._send_batch(meeting_id),
        )

    def _send_batch(self, meeting_id: int, known: dict[int, dict] | None = None) -> None:
        """The new posts waiting for the batched phones, in one ``contributions:added`` per
        part: at once the ones ``known`` as just read; a batch that waited, and each later
        part of a large meeting's, read again as they are then (one hidden meanwhile comes
        hidden, one deleted not at all)."""
        with self._waiting_lock:
            ids = self._waiting.pop(meeting_id, [])
        if not ids:
            return
        if known is None or not set(ids) <= set(known):
            known = None
        parts = [batched_room(meeting_id, part) for part in range(BATCH_PARTS)]
        if self.batch_interval <= 0 or self._people(meeting_id) < SPREAD_FROM:
            self._send_part(meeting_id, ids, parts, known)
            return
        self._send_part(meeting_id, ids, parts[0], known)
        step = self.batch_interval / BATCH_PARTS
        for part in range(1, BATCH_PARTS):
            self.later(step * part, lambda r=parts[part]: self._send_part(meeting_id, ids, r))

    def _send_part(
        self,
        meeting_id: int,
        ids: list[int],
        rooms: str | list[str],
        known: dict[int, dict] | None = None,
    ) -> None:
        if known is not None:
            batch = [known[i] for i in ids]
        else:
            posts = participation.contributions_by_id(self.db, ids)
            batch = [access.contribution_for(access.PHONE, post) for post in posts]
        if batch:
            payload = {"meeting_id": meeting_id, "contributions": batch}
            self.emit("contributions:added", payload, rooms)

    def _people(self, meeting_id: int) -> int:
        """How many people have joined the meeting (its phones, give or take a second tab),
        counted again at most every PEOPLE_RECOUNT seconds: a small meeting's batch, which
        goes with each of its posts, costs no query."""
        now = time.monotonic()
        counted_at, people = self._people_counted.get(meeting_id, (-PEOPLE_RECOUNT, 0))
        if now - counted_at >= PEOPLE_RECOUNT:
            sql = "SELECT count(*) FROM attendances WHERE meeting_id = ?"
            people = self.db.query_one(sql, [meeting_id])[0]
            self._people_counted[meeting_id] = (now, people)
        return people

    def _screens_again(self, meeting_id: int, author_display: str, skip: set[int]) -> None:
        """Every post to the screens, with the author as they now name it (hidden ones
        too, flagged and without their text, as on connect)."""
        for contribution in participation.contributions(self.db, meeting_id):
            if contribution["id"] not in skip and contribution["status"] == participation.VISIBLE:
                self.emit(
                    "contribution:updated",
                    access.contribution_for(access.SCREEN, contribution, author_display),
                    screen_room(meeting_id),
                )

    def _state(self, meeting_id: int, part: str) -> None:
        if part == "removed":
            state = {"meeting_id": meeting_id, "removed": removal.removed(self.db, meeting_id)}
            self.emit("participants:removed", state, staff_room(meeting_id))
            return
        if part == "self_evaluation":
            # Aggregates for the facilitator's pages and the screens; phones learn only
            # that it is open.
            state = selfeval.state(self.db, meeting_id)
            self.emit("self_evaluation:state", state, staff_room(meeting_id))
            self.emit(
                "self_evaluation:state",
                access.self_evaluation_for(access.SCREEN, state),
                screen_room(meeting_id),
            )
            self.emit(
                "self_evaluation:state",
                access.self_evaluation_for(access.PHONE, state),
                participants_room(meeting_id),
            )
            return
        if part == "followups":
            # Follow-ups can quote a hidden post: the console in full, the screens the
            # carried questions they show, the phones nothing.
            state = followups.read(self.db, meeting_id)
            self.emit("followups:state", state, staff_room(meeting_id))
            # The screens with a flagged post's words masked where a question quotes it.
            state = followups.masked_state(self.db, state)
            self.emit(
                "followups:state",
                access.followups_for(access.SCREEN, state),
                screen_room(meeting_id),
            )
            return
        if part == "agenda":
            # The notes under each item are the console's; the room gets the clock.
            state = agenda.state(self.db, meeting_id)
            self.emit("agenda:state", state, staff_room(meeting_id))
            room_state = access.agenda_for(access.SCREEN, state)
            self.emit("agenda:state", room_state, screen_room(meeting_id))
            self.emit("agenda:state", room_state, participants_room(meeting_id))
            return
        if part == "meeting":
            # The status: the whole room, at once; the counts are up to date with it.
            self.emit("meeting:state", meetings.state(self.db, meeting_id), room(meeting_id))
            self.counts.done(meeting_id)
            return
        read = {"screen": screen.state}[part]
        self.emit(f"{part}:state", read(self.db, meeting_id), room(meeting_id))

    def _counts(self, meeting_id: int) -> None:
        """The meeting's state with its counts, to the console and the screens."""
        state = meetings.state(self.db, meeting_id)
        self.emit("meeting:state", state, staff_room(meeting_id))
        self.emit("meeting:state", state, screen_room(meeting_id))


def _never(_delay: float, _fn: Callable[[], None]) -> None:
    raise RuntimeError("A throttle with an interval needs a way to call later.")
