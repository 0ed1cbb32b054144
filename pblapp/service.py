"""What people do with the app: the operations, each one write path.

Every operation that changes something runs in one :meth:`Database.change`: it writes its
rows and appends its events in the same transaction, and only after the commit does it
publish to the live clients. There is no second path that forgets the log.

No Flask here; the web layer passes the caller's identity in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from pblapp.db import Change, Database
from pblapp.domain import validation
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, Forbidden, Gone, NotFound
from pblapp.domain.secrets import hash_token, new_join_code, new_token, normalize_join_code
from pblapp.domain.vocabulary import DEFAULT_ORGANIZATIONS, QUESTION_TYPES, ROLES, pseudonym
from pblapp.followups import FollowUpOperations
from pblapp.structure import ScreenOperations, StartingPointOperations, StructureOperations

FACILITATOR = "facilitator"
SYSTEM = "system"

# publish(event_name, payload, meeting_id)
Publisher = Callable[[str, dict, int], None]


@dataclass(frozen=True)
class Attendance:
    """A participant present in one meeting: who the socket or phone page acts as."""

    id: int
    meeting_id: int
    group_id: int
    participant_id: int
    pseudonym: str
    display_name: str
    organization: str


CONTRIBUTION_SQL = """
    SELECT c.id, c.seq, c.meeting_id, c.client_id, p.pseudonym, p.display_name,
           c.organization, c.qtype, c.text, c.created_at, c.hidden, c.carry_forward,
           c.agenda_step_id, c.merged_into_id
    FROM contributions c JOIN participants p ON p.id = c.participant_id
"""


def contribution_object(row: sqlite3.Row | dict) -> dict:
    """The contribution object of INTERFACE.md."""
    return {
        "id": row["id"],
        "seq": row["seq"],
        "meeting_id": row["meeting_id"],
        "client_id": row["client_id"],
        "pseudonym": row["pseudonym"],
        "display_name": row["display_name"],
        "organization": row["organization"],
        "qtype": row["qtype"],
        "text": row["text"],
        "created_at": row["created_at"],
        "hidden": bool(row["hidden"]),
        "carry_forward": bool(row["carry_forward"]),
        "agenda_step_id": row["agenda_step_id"],
        "merged_into_id": row["merged_into_id"],
    }


def group_object(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "organizations": json.loads(row["organizations"]),
        "planned_meetings": row["planned_meetings"],
        "consent_text": row["consent_text"] or "",
        "goals": row["goals"] or "",
        "language": row["language"] or "sv",
        "created_at": row["created_at"],
    }


def meeting_object(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"],
        "group_id": row["group_id"],
        "number": row["number"],
        "title": row["title"] or "",
        "scheduled_at": row["scheduled_at"],
        "agenda": row["agenda"],
        "status": row["status"],
        "join_code": row["join_code"],
        "created_at": row["created_at"],
        "started_at": row["started_at"],
        "closed_at": row["closed_at"],
        "place": row["place"] or "",
        "next_meeting_at": row["next_meeting_at"],
    }


class Service(StructureOperations, FollowUpOperations, ScreenOperations, StartingPointOperations):
    """The operations of the app over one :class:`Database`; uploaded files go in
    ``files_dir``."""

    def __init__(
        self,
        db: Database,
        publish: Publisher | None = None,
        files_dir: Path | None = None,
        write_minutes: Callable[[int], None] | None = None,
    ):
        self.db = db
        self.files_dir = files_dir or db.path.parent / "files"
        self.publish: Publisher = publish or (lambda name, payload, meeting_id: None)
        # Called with a meeting's id when it closes, and when its record changes after.
        self.write_minutes: Callable[[int], None] = write_minutes or (lambda meeting_id: None)

    def minutes_changed(self, meeting_id: int, meeting: dict) -> None:
        """After a change to ``meeting`` (as read before it): keep the copy of a closed
        meeting's minutes on disk true to its record."""
        if meeting["status"] == "closed":
            self.write_minutes(meeting_id)

    # -- users and tokens -------------------------------------------------------------

    def has_facilitator(self) -> bool:
        return self.db.query_one("SELECT 1 FROM users WHERE role = ?", [FACILITATOR]) is not None

    def create_user(self, name: str, role: str, password: str) -> tuple[dict, str]:
        """Create a user and a first API token; return the user and the token in clear."""
        name = name.strip()
        if not name or len(name) > 80:
            raise DomainError("invalid_name", "A user name is 1 to 80 characters.")
        if role not in ROLES:
            raise DomainError("invalid_role", "role must be facilitator or researcher.")
        if len(password) < 8:
            raise DomainError("password_too_short", "A password has at least 8 characters.")
        token = new_token()

        def write(change: Change) -> dict:
            if change.db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
                raise Conflict("user_exists", f"A user named {name} exists already.")
            now = utc_now()
            user_id = change.insert(
                "users",
                {
                    "name": name,
                    "role": role,
                    "password_hash": generate_password_hash(password),
                    "created_at": now,
                },
            )
            change.db["api_tokens"].insert(
                {"user_id": user_id, "token_hash": hash_token(token), "created_at": now}
            )
            change.record("user.created", actor=SYSTEM, group_id=None, user_id=user_id, role=role)
            return {"id": user_id, "name": name, "role": role}

        user, _ = self.db.change(write)
        return user, token

    def create_setup_token(self) -> str:
        """A one-time token that lets the first facilitator create an account."""
        token = new_token()

        def write(change: Change) -> None:
            change.db["setup_tokens"].insert(
                {"token_hash": hash_token(token), "created_at": utc_now()}
            )

        self.db.change(write)
        return token

    def setup_token_valid(self, token: str) -> bool:
        row = self.db.query_one(
            "SELECT used_at FROM setup_tokens WHERE token_hash = ?", [hash_token(token)]
        )
        return row is not None and row["used_at"] is None and not self.has_facilitator()

    def use_setup_token(self, token: str, name: str, password: str) -> dict:
        if not self.setup_token_valid(token):
            raise Gone("setup_used", "This setup link has been used already.")
        user, _ = self.create_user(name, FACILITATOR, password)

        def write(change: Change) -> None:
            change.db.execute(
                "UPDATE setup_tokens SET used_at = ? WHERE token_hash = ?",
                [utc_now(), hash_token(token)],
            )

        self.db.change(write)
        return user

    def authenticate(self, name: str, password: str) -> dict | None:
        row = self.db.query_one("SELECT * FROM users WHERE name = ?", [name.strip()])
        if row is None or not check_password_hash(row["password_hash"], password):
            return None
        return {"id": row["id"], "name": row["name"], "role": row["role"]}

    def start_login(self, user_id: int) -> str:
        """A new browser login for ``user_id``; its id goes in the signed session cookie."""
        login_id = new_token()

        def write(change: Change) -> None:
            change.db["logins"].insert(
                {"id_hash": hash_token(login_id), "user_id": user_id, "started_at": utc_now()}
            )

        self.db.change(write)
        return login_id

    def login_user(self, login_id: str) -> dict | None:
        """The user of a browser login that has not ended."""
        row = self.db.query_one(
            "SELECT u.id, u.name, u.role FROM logins l JOIN users u ON u.id = l.user_id "
            "WHERE l.id_hash = ? AND l.ended_at IS NULL",
            [hash_token(login_id)],
        )
        return dict(row) if row else None

    def end_login(self, login_id: str) -> None:
        def write(change: Change) -> None:
            change.db.execute(
                "UPDATE logins SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
                [utc_now(), hash_token(login_id)],
            )

        self.db.change(write)

    def user(self, user_id: int) -> dict | None:
        row = self.db.query_one("SELECT id, name, role FROM users WHERE id = ?", [user_id])
        return dict(row) if row else None

    def user_for_api_token(self, token: str) -> dict | None:
        row = self.db.query_one(
            "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = ?",
            [hash_token(token)],
        )
        return dict(row) if row else None

    # -- groups -----------------------------------------------------------------------

    # Parenthesised, so that a condition appended with AND narrows the whole test.
    _VISIBLE_GROUPS = (
        "SELECT g.* FROM groups g WHERE (g.owner_id = :user OR g.id IN "
        "(SELECT group_id FROM group_grants WHERE user_id = :user))"
    )

    def groups(self, user_id: int) -> list[dict]:
        rows = self.db.query(self._VISIBLE_GROUPS + " ORDER BY g.id", {"user": user_id})
        return [group_object(row) for row in rows]

    def group(self, user_id: int, group_id: int) -> dict:
        row = self.db.query_one(
            self._VISIBLE_GROUPS + " AND g.id = :gid", {"user": user_id, "gid": group_id}
        )
        if row is None:
            raise NotFound("group_not_found", "No such group.")
        return group_object(row)

    def create_group(self, user_id: int, payload: Any) -> dict:
        data = validation.new_group(payload)
        organizations = data["organizations"] or [dict(org) for org in DEFAULT_ORGANIZATIONS]

        def write(change: Change) -> int:
            group_id = change.insert(
                "groups",
                {
                    "owner_id": user_id,
                    "name": data["name"],
                    "kind": data["kind"],
                    "organizations": json.dumps(organizations, ensure_ascii=False),
                    "planned_meetings": data["planned_meetings"],
                    "consent_text": data["consent_text"],
                    "goals": data["goals"],
                    "language": data["language"],
                    "created_at": utc_now(),
                },
            )
            change.record(
                "group.created",
                actor=FACILITATOR,
                group_id=group_id,
                kind=data["kind"],
                language=data["language"],
                organizations=[org["code"] for org in organizations],
                planned_meetings=data["planned_meetings"],
            )
            return group_id

        group_id, _ = self.db.change(write)
        return self.group(user_id, group_id)

    def update_group(self, user_id: int, group_id: int, payload: Any) -> dict:
        """Change a group's name, goals, consent text, organisations, planned meetings or
        language; the log keeps old and new values."""
        group = self.group(user_id, group_id)
        changes = validation.group_update(payload)
        changed = {
            field: {"old": group[field], "new": value}
            for field, value in changes.items()
            if group[field] != value
        }
        if changed:

            def write(change: Change) -> None:
                row = {field: value["new"] for field, value in changed.items()}
                if "organizations" in row:
                    row["organizations"] = json.dumps(row["organizations"], ensure_ascii=False)
                change.db["groups"].update(group_id, row)
                change.record(
                    "group.updated", actor=FACILITATOR, group_id=group_id, changes=changed
                )

            self.db.change(write)
            if "goals" in changed:
                # Open screens and phones show the goals: send them the new ones.
                for row in self.db.query(
                    "SELECT id FROM meetings WHERE group_id = ? AND status != 'closed'",
                    [group_id],
                ):
                    self._publish_screen(row["id"])
        return self.group(user_id, group_id)

    # -- meetings ---------------------------------------------------------------------

    def meetings(self, user_id: int, group_id: int) -> list[dict]:
        self.group(user_id, group_id)
        rows = self.db.query(
            "SELECT * FROM meetings WHERE group_id = ? ORDER BY number", [group_id]
        )
        return [meeting_object(row) for row in rows]

    def meeting(self, user_id: int, meeting_id: int) -> dict:
        row = self.db.query_one("SELECT * FROM meetings WHERE id = ?", [meeting_id])
        if row is None:
            raise NotFound("meeting_not_found", "No such meeting.")
        try:
            self.group(user_id, row["group_id"])
        except NotFound:
            raise NotFound("meeting_not_found", "No such meeting.") from None
        return meeting_object(row)

    def meeting_row(self, meeting_id: int) -> dict:
        """A meeting, whoever asks: for work the server does itself (writing minutes)."""
        row = self.db.query_one("SELECT * FROM meetings WHERE id = ?", [meeting_id])
        if row is None:
            raise NotFound("meeting_not_found", "No such meeting.")
        return meeting_object(row)

    def meeting_by_code(self, join_code: str) -> dict:
        row = self.db.query_one(
            "SELECT * FROM meetings WHERE join_code = ?", [normalize_join_code(join_code)]
        )
        if row is None:
            raise NotFound("unknown_join_code", "No meeting has this code.")
        return meeting_object(row)

    def create_meeting(self, user_id: int, group_id: int, payload: Any) -> dict:
        self.group(user_id, group_id)
        data = validation.new_meeting(payload)

        def write(change: Change) -> int:
            number = change.db.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM meetings WHERE group_id = ?", [group_id]
            ).fetchone()[0]
            while True:
                code = new_join_code()
                taken = change.db.execute(
                    "SELECT 1 FROM meetings WHERE join_code = ?", [code]
                ).fetchone()
                if not taken:
                    break
            meeting_id = change.insert(
                "meetings",
                {
                    "group_id": group_id,
                    "number": number,
                    "title": data["title"],
                    "scheduled_at": data["scheduled_at"],
                    "agenda": data["agenda"],
                    "status": "planned",
                    "join_code": code,
                    "created_at": utc_now(),
                },
            )
            self._insert_template_steps(change, group_id, meeting_id, data["agenda"])
            change.record(
                "meeting.created",
                actor=FACILITATOR,
                group_id=group_id,
                meeting_id=meeting_id,
                number=number,
                title=data["title"],
                scheduled_at=data["scheduled_at"],
                agenda=data["agenda"],
            )
            return meeting_id

        meeting_id, _ = self.db.change(write)
        return self.meeting(user_id, meeting_id)

    def update_meeting(self, user_id: int, meeting_id: int, payload: Any) -> dict:
        """Change a meeting's title, place, time or next meeting's time; logged old and new."""
        meeting = self.meeting(user_id, meeting_id)
        changes = validation.meeting_update(payload)
        changed = {
            field: {"old": meeting[field], "new": value}
            for field, value in changes.items()
            if meeting[field] != value
        }
        if changed:

            def write(change: Change) -> None:
                change.db["meetings"].update(meeting_id, {f: v["new"] for f, v in changed.items()})
                change.record_in(
                    meeting,
                    "meeting.updated",
                    actor=FACILITATOR,
                    changes=changed,
                )

            self.db.change(write)
            self.publish("meeting:state", self.meeting_state(meeting_id), meeting_id)
            self.minutes_changed(meeting_id, meeting)
        return self.meeting(user_id, meeting_id)

    def _set_status(self, user_id: int, meeting_id: int, status: str) -> dict:
        meeting = self.meeting(user_id, meeting_id)
        allowed_from = {"live": "planned", "closed": "live"}[status]
        if meeting["status"] == status:
            return meeting
        if meeting["status"] != allowed_from and not (
            status == "closed" and meeting["status"] == "planned"
        ):
            raise Conflict(
                "invalid_transition", f"A {meeting['status']} meeting cannot become {status}."
            )
        column = "started_at" if status == "live" else "closed_at"

        def write(change: Change) -> None:
            if status == "closed":
                self._stop_agenda_clock(change, meeting)
                self.keep_followups_at_close(change, meeting_id)
            change.db.execute(
                f"UPDATE meetings SET status = ?, {column} = ? WHERE id = ?",
                [status, utc_now(), meeting_id],
            )
            change.record(
                "meeting.started" if status == "live" else "meeting.closed",
                actor=FACILITATOR,
                group_id=meeting["group_id"],
                meeting_id=meeting_id,
            )

        self.db.change(write)
        self.publish("meeting:state", self.meeting_state(meeting_id), meeting_id)
        if status == "closed":
            self._publish_agenda(meeting_id)
            self.write_minutes(meeting_id)
        return self.meeting(user_id, meeting_id)

    def start_meeting(self, user_id: int, meeting_id: int) -> dict:
        return self._set_status(user_id, meeting_id, "live")

    def close_meeting(self, user_id: int, meeting_id: int) -> dict:
        return self._set_status(user_id, meeting_id, "closed")

    def meeting_state(self, meeting_id: int) -> dict:
        """The live state of a meeting: ``GET /meetings/<mid>`` and ``meeting:state``."""
        with self.db.reader() as conn:
            row = conn.execute(
                "SELECT m.*, g.name AS group_name, g.planned_meetings FROM meetings m "
                "JOIN groups g ON g.id = m.group_id WHERE m.id = ?",
                [meeting_id],
            ).fetchone()
            if row is None:
                raise NotFound("meeting_not_found", "No such meeting.")
            by_org = {
                r["organization"]: r["n"]
                for r in conn.execute(
                    "SELECT organization, COUNT(*) AS n FROM attendances WHERE meeting_id = ? "
                    "GROUP BY organization ORDER BY organization",
                    [meeting_id],
                )
            }
            counts = dict.fromkeys(QUESTION_TYPES, 0)
            counts["untagged"] = 0
            for r in conn.execute(
                "SELECT qtype, COUNT(*) AS n FROM contributions "
                # A duplicate counts on its own once the post it joined is hidden.
                "WHERE meeting_id = ? AND hidden = 0 AND (merged_into_id IS NULL OR "
                "merged_into_id IN (SELECT id FROM contributions WHERE hidden = 1)) "
                "GROUP BY qtype",
                [meeting_id],
            ):
                counts[r["qtype"] or "untagged"] = r["n"]
            last_seq = conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM contributions WHERE meeting_id = ?",
                [meeting_id],
            ).fetchone()[0]
        return {
            "id": row["id"],
            "group_id": row["group_id"],
            "group_name": row["group_name"],
            "number": row["number"],
            "planned_meetings": row["planned_meetings"],
            "title": row["title"] or "",
            "status": row["status"],
            "join_code": row["join_code"],
            "participants": sum(by_org.values()),
            "participants_by_organization": by_org,
            "counts": counts,
            "last_seq": last_seq,
            "started_at": row["started_at"],
            "closed_at": row["closed_at"],
        }

    # -- participants -----------------------------------------------------------------

    def join(
        self, join_code: str, payload: Any, *, rejoin_secret: str | None = None
    ) -> tuple[dict, str, str]:
        """Join a meeting by its code.

        Returns the participant, a new participant token for this meeting, and the
        rejoin secret the browser keeps so that it is the same participant (same
        pseudonym) at the group's later meetings.
        """
        meeting = self.meeting_by_code(join_code)
        if meeting["status"] == "closed":
            raise Gone("meeting_closed", "This meeting has ended.")
        group_row = self.db.query_one("SELECT * FROM groups WHERE id = ?", [meeting["group_id"]])
        group = group_object(group_row)
        data = validation.join(
            payload,
            organization_codes=[org["code"] for org in group["organizations"]],
            consent_required=bool(group["consent_text"].strip()),
        )
        token = new_token()

        def write(change: Change) -> tuple[dict, str]:
            now = utc_now()
            participant = None
            if rejoin_secret:
                participant = change.db.execute(
                    "SELECT * FROM participants WHERE rejoin_hash = ? AND group_id = ?",
                    [hash_token(rejoin_secret), group["id"]],
                ).fetchone()
            secret = rejoin_secret if participant else new_token()
            if participant is None:
                number = change.db.execute(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM participants WHERE group_id = ?",
                    [group["id"]],
                ).fetchone()[0]
                participant_id = change.insert(
                    "participants",
                    {
                        "group_id": group["id"],
                        "number": number,
                        "pseudonym": pseudonym(number),
                        "display_name": data["display_name"],
                        "organization": data["organization"],
                        "rejoin_hash": hash_token(secret),
                        "created_at": now,
                    },
                )
                name = pseudonym(number)
                rejoined = False
            else:
                participant_id = participant["id"]
                name = participant["pseudonym"]
                rejoined = True
                change.db.execute(
                    "UPDATE participants SET display_name = ?, organization = ? WHERE id = ?",
                    [data["display_name"], data["organization"], participant_id],
                )
            existing = change.db.execute(
                "SELECT id FROM attendances WHERE meeting_id = ? AND participant_id = ?",
                [meeting["id"], participant_id],
            ).fetchone()
            consented_at = now if data["consent"] else None
            if existing:
                change.db.execute(
                    "UPDATE attendances SET token_hash = ?, organization = ?, "
                    "consented_at = COALESCE(?, consented_at) WHERE id = ?",
                    [hash_token(token), data["organization"], consented_at, existing["id"]],
                )
            else:
                change.db["attendances"].insert(
                    {
                        "meeting_id": meeting["id"],
                        "participant_id": participant_id,
                        "organization": data["organization"],
                        "token_hash": hash_token(token),
                        "consented_at": consented_at,
                        "joined_at": now,
                    }
                )
            change.record(
                "participant.joined",
                actor=name,
                group_id=group["id"],
                meeting_id=meeting["id"],
                organization=data["organization"],
                consent=data["consent"],
                rejoined=rejoined,
            )
            return (
                {
                    "pseudonym": name,
                    "display_name": data["display_name"],
                    "organization": data["organization"],
                },
                secret,
            )

        (participant, secret), _ = self.db.change(write)
        self.publish("meeting:state", self.meeting_state(meeting["id"]), meeting["id"])
        return participant, token, secret

    def returning_participant(self, group_id: int, rejoin_secret: str | None) -> dict | None:
        """The participant a browser was at this group's earlier meetings, if any."""
        if not rejoin_secret:
            return None
        row = self.db.query_one(
            "SELECT pseudonym, display_name, organization FROM participants "
            "WHERE rejoin_hash = ? AND group_id = ?",
            [hash_token(rejoin_secret), group_id],
        )
        return dict(row) if row else None

    def attendance(self, token: str | None) -> Attendance | None:
        """Who a participant token belongs to, or ``None``."""
        if not token:
            return None
        row = self.db.query_one(
            "SELECT a.id, a.meeting_id, m.group_id, a.participant_id, p.pseudonym, "
            "p.display_name, a.organization FROM attendances a "
            "JOIN participants p ON p.id = a.participant_id "
            "JOIN meetings m ON m.id = a.meeting_id WHERE a.token_hash = ?",
            [hash_token(token)],
        )
        return Attendance(**dict(row)) if row else None

    # -- contributions ----------------------------------------------------------------

    def contributions(
        self, meeting_id: int, *, since_seq: int = 0, include_hidden: bool = True
    ) -> list[dict]:
        sql = CONTRIBUTION_SQL + " WHERE c.meeting_id = ? AND c.seq > ?"
        if not include_hidden:
            sql += " AND c.hidden = 0"
        rows = self.db.query(sql + " ORDER BY c.seq", [meeting_id, since_seq])
        return [contribution_object(row) for row in rows]

    def add_contribution(self, attendance: Attendance, payload: Any) -> tuple[dict, bool]:
        """Store a participant's contribution once per ``client_id``.

        Returns the contribution and whether it is new. A retry with a known
        ``client_id`` returns the stored contribution and changes nothing.
        """
        data = validation.new_contribution(payload)

        def write(change: Change) -> tuple[int, bool]:
            meeting = change.db.execute(
                "SELECT status, current_step_id FROM meetings WHERE id = ?",
                [attendance.meeting_id],
            ).fetchone()
            status = meeting["status"]
            existing = change.db.execute(
                "SELECT id, participant_id FROM contributions "
                "WHERE meeting_id = ? AND client_id = ?",
                [attendance.meeting_id, data["client_id"]],
            ).fetchone()
            if existing:
                if existing["participant_id"] != attendance.participant_id:
                    raise Conflict("client_id_taken", "This client_id belongs to another post.")
                return existing["id"], False
            if status != "live":
                raise Conflict(
                    "meeting_not_live",
                    "The meeting has not started yet."
                    if status == "planned"
                    else "The meeting has ended.",
                )
            seq = change.db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM contributions WHERE meeting_id = ?",
                [attendance.meeting_id],
            ).fetchone()[0]
            contribution_id = change.insert(
                "contributions",
                {
                    "meeting_id": attendance.meeting_id,
                    "seq": seq,
                    "participant_id": attendance.participant_id,
                    "client_id": data["client_id"],
                    "organization": attendance.organization,
                    "text": data["text"],
                    "qtype": data["qtype"],
                    "hidden": 0,
                    "carry_forward": 0,
                    "created_at": utc_now(),
                    "agenda_step_id": meeting["current_step_id"],
                },
            )
            change.record(
                "contribution.added",
                actor=attendance.pseudonym,
                group_id=attendance.group_id,
                meeting_id=attendance.meeting_id,
                contribution_id=contribution_id,
                seq=seq,
                client_id=data["client_id"],
                organization=attendance.organization,
                qtype=data["qtype"],
                text=data["text"],
                agenda_step_id=meeting["current_step_id"],
            )
            return contribution_id, True

        (contribution_id, created), _ = self.db.change(write)
        contribution = self._contribution(contribution_id)
        if created:
            self.publish("contribution:added", contribution, attendance.meeting_id)
            self.publish(
                "meeting:state", self.meeting_state(attendance.meeting_id), attendance.meeting_id
            )
        return contribution, created

    def _contribution(self, contribution_id: int) -> dict:
        row = self.db.query_one(CONTRIBUTION_SQL + " WHERE c.id = ?", [contribution_id])
        return contribution_object(row)

    def update_contribution(self, user_id: int, meeting_id: int, payload: Any) -> dict:
        """A facilitator re-tags, hides or marks a contribution "take to next meeting"."""
        meeting = self.meeting(user_id, meeting_id)
        user = self.user(user_id)
        if user is None or user["role"] != FACILITATOR:
            raise Forbidden("not_facilitator", "Only a facilitator may change contributions.")
        data = validation.contribution_update(payload)
        if "carry_forward" in data["changes"] and meeting["status"] == "closed":
            raise Conflict(
                "meeting_closed",
                "The meeting has ended; add the question at the group's next meeting.",
            )

        def write(change: Change) -> bool:
            row = change.db.execute(
                "SELECT * FROM contributions WHERE id = ? AND meeting_id = ?",
                [data["id"], meeting_id],
            ).fetchone()
            if row is None:
                raise NotFound("contribution_not_found", "No such contribution in this meeting.")
            changed = {}
            for column, new in data["changes"].items():
                old = row[column] if column == "qtype" else bool(row[column])
                if old != new:
                    changed[column] = {"old": old, "new": new}
            if not changed:
                return False
            assignments = ", ".join(f"{column} = ?" for column in changed)
            values = [
                int(v["new"]) if isinstance(v["new"], bool) else v["new"] for v in changed.values()
            ]
            change.db.execute(
                f"UPDATE contributions SET {assignments}, updated_at = ? WHERE id = ?",
                [*values, utc_now(), row["id"]],
            )
            change.record_in(
                meeting,
                "contribution.updated",
                actor=FACILITATOR,
                contribution_id=row["id"],
                changes=changed,
            )
            if "carry_forward" in changed:
                self._carry_contribution(change, meeting, row, changed["carry_forward"]["new"])
            return True

        changed, _ = self.db.change(write)
        contribution = self._contribution(data["id"])
        if changed:
            self.publish("contribution:updated", contribution, meeting_id)
            self.publish("meeting:state", self.meeting_state(meeting_id), meeting_id)
            if "carry_forward" in data["changes"]:
                self._publish_followups(meeting_id)
            self.minutes_changed(meeting_id, meeting)
        return contribution

    # -- research log -----------------------------------------------------------------

    def events(self, *, group_id: int, meeting_id: int | None = None) -> list[dict]:
        if meeting_id is None:
            rows = self.db.query("SELECT * FROM events WHERE group_id = ? ORDER BY seq", [group_id])
        else:
            rows = self.db.query(
                "SELECT * FROM events WHERE meeting_id = ? ORDER BY seq", [meeting_id]
            )
        return [
            {
                "seq": row["seq"],
                "at": row["at"],
                "group_id": row["group_id"],
                "meeting_id": row["meeting_id"],
                "type": row["type"],
                "actor": row["actor"],
                "data": json.loads(row["data"]),
            }
            for row in rows
        ]

    def export_rows(self, *, group_id: int, meeting_id: int | None = None) -> list[dict]:
        """Rows for ``log.csv``: every contribution, hidden ones included, no names."""
        sql = (
            "SELECT g.id AS group_id, g.name AS group_name, m.number AS meeting_number, "
            "COALESCE(m.scheduled_at, m.started_at, m.created_at) AS meeting_at, "
            "c.id AS contribution_id, c.seq, c.created_at, p.pseudonym, c.organization, "
            "c.qtype AS question_type, c.text, c.hidden, c.carry_forward "
            "FROM contributions c JOIN meetings m ON m.id = c.meeting_id "
            "JOIN groups g ON g.id = m.group_id JOIN participants p ON p.id = c.participant_id "
            "WHERE g.id = ?"
        )
        params: list[Any] = [group_id]
        if meeting_id is not None:
            sql += " AND m.id = ?"
            params.append(meeting_id)
        rows = self.db.query(sql + " ORDER BY m.number, c.seq", params)
        result = []
        for row in rows:
            item = dict(row)
            item["meeting_date"] = item.pop("meeting_at")[:10]
            item["hidden"] = bool(item["hidden"])
            item["carry_forward"] = bool(item["carry_forward"])
            result.append(item)
        return result

    def minutes(
        self, meeting_id: int, *, local_time: Callable[[str | None], tuple[str, str]]
    ) -> dict:
        """The data of a meeting's minutes; rendered by ``pblapp.domain.minutes``.

        ``local_time`` turns a stored UTC time into (date, time) in the meeting's time zone.
        Hidden contributions are left out; a merged duplicate is listed under the
        contribution it was merged into.
        """
        meeting_row = self.db.query_one(
            "SELECT m.*, g.name AS group_name, g.kind, g.planned_meetings, g.organizations, "
            "g.language, u.name AS facilitator FROM meetings m "
            "JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = g.owner_id "
            "WHERE m.id = ?",
            [meeting_id],
        )
        if meeting_row is None:
            raise NotFound("meeting_not_found", "No such meeting.")
        org_names = {o["code"]: o["name"] for o in json.loads(meeting_row["organizations"])}
        attendance: dict[str, list[str]] = {}
        for row in self.db.query(
            "SELECT a.organization, p.pseudonym FROM attendances a "
            "JOIN participants p ON p.id = a.participant_id WHERE a.meeting_id = ? "
            "ORDER BY p.number",
            [meeting_id],
        ):
            attendance.setdefault(row["organization"], []).append(row["pseudonym"])
        agenda = self.agenda(meeting_id)["steps"]
        steps = {step["id"]: step for step in agenda}
        visible = self.contributions(meeting_id, include_hidden=False)
        visible_ids = {c["id"] for c in visible}
        duplicates: dict[int, list[dict]] = {}
        for c in visible:
            if c["merged_into_id"] in visible_ids:
                duplicates.setdefault(c["merged_into_id"], []).append(c)
        # A duplicate of a hidden post stands on its own.
        shown = [
            {**c, "duplicates": duplicates.get(c["id"], [])}
            for c in visible
            if c["merged_into_id"] not in visible_ids
        ]
        by_type = []
        for qtype in (*QUESTION_TYPES, None):
            items = [c for c in shown if c["qtype"] == qtype]
            if not items:
                continue
            # Within a type, by agenda step in agenda order; posts before the first step first.
            groups = []
            for step_id in [None, *steps]:
                in_step = [c for c in items if c["agenda_step_id"] == step_id]
                if in_step:
                    step = steps.get(step_id)
                    groups.append(
                        {
                            "step": {"key": step["key"], "title": step["title"]} if step else None,
                            "items": in_step,
                        }
                    )
            by_type.append({"qtype": qtype or "untagged", "groups": groups})
        followups = self.followups(meeting_id)
        start_date, start = local_time(meeting_row["started_at"])
        _, end = local_time(meeting_row["closed_at"])
        scheduled_date, scheduled_time = local_time(meeting_row["scheduled_at"])
        next_date, next_time = local_time(meeting_row["next_meeting_at"])
        return {
            "language": meeting_row["language"] or "sv",
            "group": {
                "id": meeting_row["group_id"],
                "name": meeting_row["group_name"],
                "kind": meeting_row["kind"],
                "planned_meetings": meeting_row["planned_meetings"],
            },
            "meeting": {
                "id": meeting_id,
                "number": meeting_row["number"],
                "title": meeting_row["title"] or "",
                "status": meeting_row["status"],
                "date": start_date or scheduled_date,
                "start": start or scheduled_time,
                "end": end,
                "place": meeting_row["place"] or "",
            },
            "facilitator": meeting_row["facilitator"],
            "attendance": [
                {"code": code, "name": org_names.get(code, code), "pseudonyms": names}
                for code, names in sorted(
                    attendance.items(),
                    key=lambda kv: list(org_names).index(kv[0]) if kv[0] in org_names else 999,
                )
            ],
            "participant_count": sum(len(names) for names in attendance.values()),
            "agenda": [
                {
                    "key": step["key"],
                    "title": step["title"],
                    "planned_minutes": round(step["planned_seconds"] / 60),
                    "used_minutes": round(step["used_seconds"] / 60),
                    "started": step["started_at"] is not None,
                }
                for step in agenda
            ],
            "starting_point": meeting_row["starting_point"] or "",
            # "png", "jpeg" or "webp" when the starting point has an image, else "".
            "starting_point_image": (meeting_row["starting_point_image"] or ".").rsplit(".", 1)[1],
            "contributions_by_type": by_type,
            "decisions": followups["decisions"],
            "action_items": followups["action_items"],
            "questions": followups["questions"],
            "next_meeting": f"{next_date} {next_time}".strip(),
        }

    def group_goals(self, group_id: int) -> str:
        """The group's goals (Markdown), which its participants may read."""
        row = self.db.query_one("SELECT goals FROM groups WHERE id = ?", [group_id])
        return row["goals"] or "" if row else ""

    def group_public(self, group_id: int) -> dict:
        """What a joining participant may see of a group: no owner, no grants."""
        row = self.db.query_one("SELECT * FROM groups WHERE id = ?", [group_id])
        if row is None:
            raise NotFound("group_not_found", "No such group.")
        group = group_object(row)
        return {key: group[key] for key in ("id", "name", "kind", "organizations", "consent_text")}
