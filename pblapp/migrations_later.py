"""Schema migrations 6 to 11: group development (reactions, the self-evaluation, phases),
research data (access and audit, consent, withdrawal and redaction, case stories) and the
room (the screen's author choice and link, deleting one's own post) and each group's time
zone. Listed, in order, in
``pblapp.migrations.MIGRATIONS``."""

from __future__ import annotations

import hashlib

import sqlite_utils


def m006_group_development(db: sqlite_utils.Database) -> None:
    """Reactions to posts, the end-of-meeting self-evaluation, and each meeting's phase:
    the suggestion computed at the close and the facilitator's decision. Two new screen
    switches show the reaction counts and the group's timeline."""
    db["reactions"].create(
        {
            "contribution_id": int,
            "participant_id": int,
            "meeting_id": int,
            "kind": str,
            "updated_at": str,
        },
        pk=("contribution_id", "participant_id"),
        foreign_keys=[
            ("contribution_id", "contributions", "id"),
            ("participant_id", "participants", "id"),
            ("meeting_id", "meetings", "id"),
        ],
        not_null={"meeting_id", "kind", "updated_at"},
    )
    db["reactions"].create_index(["meeting_id"])
    db["self_evaluation_answers"].create(
        {"meeting_id": int, "participant_id": int, "answers": str, "answered_at": str},
        pk=("meeting_id", "participant_id"),
        foreign_keys=[("meeting_id", "meetings", "id"), ("participant_id", "participants", "id")],
        not_null={"answers", "answered_at"},
    )
    db["phases"].create(
        {
            "meeting_id": int,
            "suggested": str,
            "confidence": float,
            "evidence": str,
            "indicators": str,
            "suggested_at": str,
            "decided": str,
            "note": str,
            "decided_at": str,
        },
        pk="meeting_id",
        foreign_keys=[("meeting_id", "meetings", "id")],
    )
    db["meetings"].add_column("self_evaluation_opened_at", str)
    db["meetings"].add_column("screen_shows_reactions", int)
    db["meetings"].add_column("screen_shows_timeline", int)


def m007_research_access(db: sqlite_utils.Database) -> None:
    """Researchers' access to groups and the audit log of grants and downloads; stable
    identities (merged pseudonyms, attendance without a phone)."""
    # Who downloaded what, and who granted or revoked whom: a table of its own, not the
    # research log. ``username`` is kept as it was, so an entry reads alone; ``researcher``
    # is the account a grant or revocation concerns (null for a download).
    db.execute(
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            group_id INTEGER NOT NULL,
            user_id INTEGER,
            username TEXT NOT NULL,
            action TEXT NOT NULL,
            path TEXT NOT NULL,
            researcher TEXT
        )
        """
    )
    db["audit_log"].create_index(["group_id", "id"])
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
    # A pseudonym merged into another (the same person on a new phone): its rows were moved
    # to that participant; this keeps the link for rejoining and for the refusals.
    db["participants"].add_column("merged_into_id", int)


def m008_privacy(db: sqlite_utils.Database) -> None:
    """Consent versions, withdrawal, redaction and retention."""
    # A withdrawn participant's data are left out of every research export from this time.
    db["participants"].add_column("withdrawn_at", str)
    # Erased on request or purged by retention: no display name, no rejoin key any more.
    db["participants"].add_column("erased_at", str)
    db["groups"].add_column("retention_days", int)
    db["groups"].add_column("withdrawal_policy", str, not_null_default="delete")
    # The version (SHA-256 of the exact text) of the consent text a participant consented
    # to at this attendance; consented_at is when.
    db["attendances"].add_column("consent_hash", str)
    # "redacted" or "withdrawn" once the participant's own words are no longer stored.
    db["contributions"].add_column("text_removed", str)
    db["contributions"].add_column("text_removed_at", str)
    # Every consent text a participant of the group consented to, for the archive.
    db["consent_texts"].create(
        {"group_id": int, "hash": str, "text": str, "first_used_at": str},
        pk=("group_id", "hash"),
        foreign_keys=[("group_id", "groups", "id")],
        not_null={"text", "first_used_at"},
    )
    for group in db.execute("SELECT id, consent_text, created_at FROM groups").fetchall():
        text = group[1] or ""
        if not text.strip():
            continue
        version = hashlib.sha256(text.encode("utf-8")).hexdigest()
        first = db.execute(
            "SELECT MIN(a.consented_at) FROM attendances a JOIN meetings m "
            "ON m.id = a.meeting_id WHERE m.group_id = ?",
            [group[0]],
        ).fetchone()[0]
        db.execute(
            "UPDATE attendances SET consent_hash = ? WHERE consented_at IS NOT NULL "
            "AND meeting_id IN (SELECT id FROM meetings WHERE group_id = ?)",
            [version, group[0]],
        )
        if first:
            db["consent_texts"].insert(
                {"group_id": group[0], "hash": version, "text": text, "first_used_at": first}
            )
    # The log stays append-only, with one exception: a redaction (of one post, of a
    # withdrawn or erased participant's texts) may rewrite an earlier event's data, and only
    # an event it has first named in event_rewrites; nothing else of the row may change.
    # The permission is used up by the rewrite. Deleting an event stays refused.
    db["event_rewrites"].create({"seq": int, "reason": str}, pk="seq", not_null={"reason"})
    db.execute("DROP TRIGGER events_no_update")
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN NOT ("
        " NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.group_id IS OLD.group_id"
        " AND NEW.meeting_id IS OLD.meeting_id AND NEW.type IS OLD.type"
        " AND NEW.actor IS OLD.actor AND json_valid(NEW.data)"
        " AND (SELECT group_concat(key, ',') FROM json_each(OLD.data))"
        "  IS (SELECT group_concat(key, ',') FROM json_each(NEW.data))"
        " AND EXISTS (SELECT 1 FROM event_rewrites WHERE seq = OLD.seq)) "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only; only a redaction "
        "rewrites a text'); END"
    )
    db.execute(
        "CREATE TRIGGER events_rewritten AFTER UPDATE ON events "
        "BEGIN DELETE FROM event_rewrites WHERE seq = OLD.seq; END"
    )


def m009_case_stories(db: sqlite_utils.Database) -> None:
    """Case stories (fallberättelser) marked on contributions or typed after a meeting.

    A story marked on a contribution keeps no text of its own (``text`` is null): its words
    are the contribution's, so a redaction or a withdrawal reaches the story too. A typed
    story has ``text`` and no contribution. The coding fields stay empty until coded. No
    foreign key on ``contribution_id``: a withdrawal may delete the contribution, and the
    story then has no words left and is left out of every export."""
    db["case_stories"].create(
        {
            "id": int,
            "group_id": int,
            "meeting_id": int,
            "contribution_id": int,
            "text": str,
            "outcome": str,
            "organization": str,
            "problem": str,
            "decisive_factor": str,
            "perspective": str,
            "created_by": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[
            ("group_id", "groups", "id"),
            ("meeting_id", "meetings", "id"),
            ("created_by", "users", "id"),
        ],
        not_null={"group_id", "meeting_id", "created_at"},
    )
    db["case_stories"].create_index(["group_id"])
    db["case_stories"].create_index(["contribution_id"], unique=True)


def m010_the_room(db: sqlite_utils.Database) -> None:
    """The projector's choice of how it names a post's author, the screen link, and a
    participant deleting their own post.

    ``screen_link_nonce`` is no token: the token is made from it and the app's secret key
    (``pblapp.domain.secrets.screen_token``); null means the meeting has no screen link. A
    deleted post keeps its row, emptied (``text`` ``""``, ``text_removed`` ``deleted``), so
    that its id, its ``seq`` and its ``client_id`` are never used again; every read leaves
    it out."""
    db["meetings"].add_column("screen_author_display", str, not_null_default="name")
    db["meetings"].add_column("screen_link_nonce", str)
    db["contributions"].add_column("deleted_at", str)


def m011_group_timezone(db: sqlite_utils.Database) -> None:
    """Each group's time zone (an IANA name): every date a person reads of the group, in
    the minutes, the notice and the research files, is in it. Groups made before keep
    ``Europe/Stockholm``, the app's default."""
    db["groups"].add_column("timezone", str, not_null_default="Europe/Stockholm")


def m012_record_kinds(db: sqlite_utils.Database) -> None:
    """Two kinds of record: each group's ``record_kind`` (``notes``, minnesanteckningar, or
    ``protocol``, a protokoll with § numbers and signatures; reference groups default to a
    protocol), and each meeting's secretary, adjusters (a JSON list of one or two names)
    and whether its minutes carry the appendix of verbatim posts."""
    db["groups"].add_column("record_kind", str, not_null_default="notes")
    db.execute("UPDATE groups SET record_kind = 'protocol' WHERE kind = 'reference'")
    db["meetings"].add_column("secretary", str, not_null_default="")
    db["meetings"].add_column("adjusters", str, not_null_default="[]")
    db["meetings"].add_column("minutes_appendix", int, not_null_default=1)


def m013_minutes_versions(db: sqlite_utils.Database) -> None:
    """The approved (justerade) minutes and every version made after an approval.

    ``data`` is the assembled minutes as JSON (``{"own": …, "research": …}``), so that each
    version can be rendered again in every format; ``approved_at`` is null for a version
    made by a change after the approval, until it is approved again. A redaction or a
    withdrawal replaces the words in ``data`` too (``ops.privacy.replace_text``)."""
    db["minutes_versions"].create(
        {
            "meeting_id": int,
            "version": int,
            "approved_at": str,
            "approved_by": int,
            "adjusters": str,
            "note": str,
            "data": str,
            "created_at": str,
        },
        pk=("meeting_id", "version"),
        foreign_keys=[("meeting_id", "meetings", "id"), ("approved_by", "users", "id")],
        not_null={"meeting_id", "version", "data", "created_at"},
    )


def m014_minutes_names(db: sqlite_utils.Database) -> None:
    """Each group's ``minutes_names``: whether its own minutes show display names ("Anna
    Berg (FK)") instead of pseudonyms. Off for every group, as before; research files never
    show names whatever it says."""
    db["groups"].add_column("minutes_names", int, not_null_default=0)


def m015_action_item_steps(db: sqlite_utils.Database) -> None:
    """The agenda step an action item was agreed in, as decisions have:
    the minutes list it under that item. Earlier action items have none (the table only)."""
    db["action_items"].add_column("agenda_step_id", int)


def m016_agenda_notes(db: sqlite_utils.Database) -> None:
    """Each agenda step's ``notes``: what the facilitator or secretary wrote down under the
    item, for the group's own minutes (never the research copy). Empty for every step so
    far."""
    db["agenda_steps"].add_column("notes", str, not_null_default="")


def m017_login_failures(db: sqlite_utils.Database) -> None:
    """Each wrong password at the login form: the address it came from, the name tried and
    when. Kept in the database, not in a server process's memory, so that every process
    behind a proxy counts the same guesses and a restart does not forget them; rows older
    than the lockout window are deleted as logins are checked."""
    db["login_failures"].create(
        {"id": int, "address": str, "name": str, "at": str},
        pk="id",
        not_null={"address", "name", "at"},
    )
    db["login_failures"].create_index(["address", "at"])


def m018_removed_participants(db: sqlite_utils.Database) -> None:
    """Each attendance's ``removed_at``: when the facilitator took the participant out of
    the meeting (their token then opens nothing), or null. Letting them back in clears it."""
    db["attendances"].add_column("removed_at", str)


def m019_accounts_and_sessions(db: sqlite_utils.Database) -> None:
    """What the account page and the session lifetime need.

    - ``logins.last_seen_at``: when the login was last used (updated at most once a
      minute), so that a login idle longer than the session lifetime ends on the server,
      not only in the browser's cookie. Earlier logins count from their ``started_at``.
    - ``api_tokens.label``, ``last_used_at`` and ``revoked_at``: the account page lists a
      user's tokens by name, with when each was made and last used, and a revoked token
      opens nothing.
    - An index on ``login_failures (name, at)``: wrong passwords are counted per account
      name too, not only per address.
    """
    db["logins"].add_column("last_seen_at", str)
    db["logins"].create_index(["user_id"])
    db["api_tokens"].add_column("label", str, not_null_default="")
    db["api_tokens"].add_column("last_used_at", str)
    db["api_tokens"].add_column("revoked_at", str)
    db["login_failures"].create_index(["name", "at"])


def m020_privacy_guard(db: sqlite_utils.Database) -> None:
    """The privacy guard and pre-moderation.

    - ``contributions.flag_spans``: what the detectors (``domain.identifying``) found in the
      text when it was stored or last redacted, as JSON ``[[kind, start, end], …]`` (code
      point offsets); ``flags_cleared``: the facilitator checked them (1) or not yet (0).
    - ``contributions.status``: ``visible``, or ``pending`` (waiting for the facilitator's
      approval) or ``rejected``; a pending or rejected post is also ``hidden``, so that the
      counts, the minutes and the indicators leave it out as they leave out a hidden one.
      ``moderated_at`` is when it was approved or rejected, ``moderation_reason`` why a
      rejected one was.
    - ``meetings.premoderation``: new posts wait for approval (1) or are shown at once (0).
    - ``groups.roster_version``: goes up, by triggers, whenever a participant joins or a
      display name changes, so that the names the guard looks for can be kept in memory
      and read again only when the roster changed.
    """
    db["contributions"].add_column("flag_spans", str, not_null_default="[]")
    db["contributions"].add_column("flags_cleared", int, not_null_default=0)
    db["contributions"].add_column("status", str, not_null_default="visible")
    db["contributions"].add_column("moderated_at", str)
    db["contributions"].add_column("moderation_reason", str, not_null_default="")
    db["meetings"].add_column("premoderation", int, not_null_default=0)
    db["groups"].add_column("roster_version", int, not_null_default=0)
    # Two statements, each on its own: executescript would commit the migration's
    # transaction first.
    db.execute(
        "CREATE TRIGGER participants_roster_added AFTER INSERT ON participants BEGIN "
        "UPDATE groups SET roster_version = roster_version + 1 WHERE id = NEW.group_id; END"
    )
    db.execute(
        "CREATE TRIGGER participants_roster_renamed AFTER UPDATE OF display_name "
        "ON participants WHEN NEW.display_name IS NOT OLD.display_name BEGIN "
        "UPDATE groups SET roster_version = roster_version + 1 WHERE id = NEW.group_id; END"
    )
