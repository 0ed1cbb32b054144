"""The live fan-out: committed events become Socket.IO messages, per audience and room.

Each meeting has a room; staff (the facilitator's console and screen) and participants
(phones) each have a room inside it. A change's events name what it changed; this module
reads the new state once and sends it, in a fixed order: the posts, then the meeting's
state, its agenda, its follow-ups, its screen. Phones get every post through
``access.contribution_for(PHONE, …)``, and never the follow-ups (they may quote a hidden
post).
"""

from __future__ import annotations

from collections.abc import Callable

from pblapp.db import Database, Event
from pblapp.domain import access
from pblapp.ops import agenda, followups, groups, meetings, participation, screen, selfeval

# emit(event name, payload, room)
Emit = Callable[[str, dict, str], None]


def room(meeting_id: int) -> str:
    """Everyone in a meeting."""
    return f"meeting:{meeting_id}"


def staff_room(meeting_id: int) -> str:
    """The facilitator's console and screen."""
    return f"meeting:{meeting_id}:staff"


def participants_room(meeting_id: int) -> str:
    """The phones."""
    return f"meeting:{meeting_id}:participants"


# What each event changes on the live pages (besides the posts it names).
_SHOWS: dict[str, tuple[str, ...]] = {
    "contribution.added": ("meeting",),
    "contribution.updated": ("meeting",),
    "contribution.merged": ("meeting",),
    "contribution.unmerged": ("meeting",),
    "participant.joined": ("meeting",),
    "attendance.added": ("meeting",),
    "meeting.started": ("meeting",),
    "meeting.updated": ("meeting",),
    "meeting.closed": ("meeting", "agenda"),
    "agenda.step_started": ("agenda",),
    "agenda.step_ended": ("agenda",),
    "agenda.paused": ("agenda",),
    "agenda.resumed": ("agenda",),
    "agenda.changed": ("agenda",),
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
_ORDER = ("meeting", "agenda", "followups", "screen", "self_evaluation")


class LiveFanOut:
    """Subscriber: send what a committed change changed to the rooms of its meetings."""

    def __init__(self, db: Database, emit: Emit):
        self.db, self.emit = db, emit

    def __call__(self, events: list[Event]) -> None:
        added: dict[int, list[int]] = {}
        updated: dict[int, list[int]] = {}
        # Posts whose only change is their reaction counts: the staff's pages only.
        reacted: dict[int, list[int]] = {}
        shows: dict[int, set[str]] = {}
        for event in events:
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
        for meeting_id in dict.fromkeys([*added, *updated, *reacted, *shows]):
            for contribution_id in added.get(meeting_id, []):
                self._post(meeting_id, "contribution:added", contribution_id)
            # In seq order (ids grow with seq within a meeting), each post once.
            changed = set(updated.get(meeting_id, []))
            for contribution_id in sorted(changed | set(reacted.get(meeting_id, []))):
                self._post(
                    meeting_id,
                    "contribution:updated",
                    contribution_id,
                    to_phones=contribution_id in changed,
                )
            for part in _ORDER:
                if part in shows.get(meeting_id, ()):
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

    def _post(self, meeting_id: int, name: str, contribution_id: int, to_phones=True) -> None:
        contribution = participation.contribution(self.db, contribution_id)
        self.emit(name, contribution, staff_room(meeting_id))
        if not to_phones:
            return
        self.emit(
            name,
            access.contribution_for(access.PHONE, contribution),
            participants_room(meeting_id),
        )

    def _state(self, meeting_id: int, part: str) -> None:
        if part == "self_evaluation":
            # Aggregates for the facilitator's pages; phones learn only that it is open.
            state = selfeval.state(self.db, meeting_id)
            self.emit("self_evaluation:state", state, staff_room(meeting_id))
            self.emit(
                "self_evaluation:state",
                access.self_evaluation_for(access.PHONE, state),
                participants_room(meeting_id),
            )
            return
        if part == "followups":
            # Follow-ups can quote a hidden post: the facilitator's pages only.
            self.emit(
                "followups:state", followups.read(self.db, meeting_id), staff_room(meeting_id)
            )
            return
        read = {"meeting": meetings.state, "agenda": agenda.state, "screen": screen.state}[part]
        self.emit(f"{part}:state", read(self.db, meeting_id), room(meeting_id))
