"""Accounts: users, their passwords, API tokens and browser logins, and the one-time setup
link."""

from __future__ import annotations

import contextlib
import functools
from datetime import UTC, datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from pblapp.db import Change, Database, StorageFull
from pblapp.domain.access import FACILITATOR, ROLES, SYSTEM
from pblapp.domain.clock import format_utc, utc_now
from pblapp.domain.errors import Conflict, DomainError, Gone, NotFound
from pblapp.domain.passwords import check_new_password
from pblapp.domain.secrets import hash_token, new_token

# A browser login ends after this many hours without a request, unless the app is told
# otherwise (``SESSION_HOURS``).
DEFAULT_SESSION_HOURS = 12.0
# A login's ``last_seen_at`` and a token's ``last_used_at`` are written at most this often:
# precise enough for a lifetime counted in hours, and no write on every request.
SEEN_EVERY = timedelta(minutes=1)
TOKEN_LABEL_MAX = 80


def has_facilitator(db: Database) -> bool:
    return db.query_one("SELECT 1 FROM users WHERE role = ?", [FACILITATOR]) is not None


def create_user(
    db: Database, name: str, role: str, password: str, *, token_label: str | None = ""
) -> tuple[dict, str | None]:
    """Create a user and a first API token named ``token_label`` (none if it is ``None``);
    return the user and the token in clear. The password must keep the rules of
    :mod:`pblapp.domain.passwords`."""
    name = name.strip()
    if not name or len(name) > 80:
        raise DomainError("invalid_name", "A user name is 1 to 80 characters.")
    if role not in ROLES:
        raise DomainError("invalid_role", "role must be facilitator or researcher.")
    check_new_password(password, name)
    token = new_token() if token_label is not None else None

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
        if token is not None:
            token_row = {"user_id": user_id, "token_hash": hash_token(token), "created_at": now}
            change.insert("api_tokens", {**token_row, "label": token_label})
        change.record("user.created", actor=SYSTEM, group_id=None, user_id=user_id, role=role)
        return {"id": user_id, "name": name, "role": role}

    user, _ = db.change(write)
    return user, token


def create_setup_token(db: Database) -> str:
    """A one-time token that lets the first facilitator create an account."""
    token = new_token()

    def write(change: Change) -> None:
        change.db["setup_tokens"].insert({"token_hash": hash_token(token), "created_at": utc_now()})

    db.change(write)
    return token


def setup_token_valid(db: Database, token: str) -> bool:
    row = db.query_one("SELECT used_at FROM setup_tokens WHERE token_hash = ?", [hash_token(token)])
    return row is not None and row["used_at"] is None and not has_facilitator(db)


def use_setup_token(db: Database, token: str, name: str, password: str) -> dict:
    if not setup_token_valid(db, token):
        raise Gone("setup_used", "This setup link has been used already.")
    # No API token: the page would not show it. The account page makes one when needed.
    user, _ = create_user(db, name, FACILITATOR, password, token_label=None)

    def write(change: Change) -> None:
        change.db.execute(
            "UPDATE setup_tokens SET used_at = ? WHERE token_hash = ?",
            [utc_now(), hash_token(token)],
        )

    db.change(write)
    return user


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, made as real ones are (scrypt, same parameters)."""
    return generate_password_hash(new_token())


def authenticate(db: Database, name: str, password: str) -> dict | None:
    """The user called ``name`` if ``password`` is theirs. An unknown name takes as long
    to refuse as a wrong password (a password is checked against a dummy hash), so the
    time of an answer does not tell which names exist."""
    row = db.query_one("SELECT * FROM users WHERE name = ?", [name.strip()])
    if row is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(row["password_hash"], password):
        return None
    return {"id": row["id"], "name": row["name"], "role": row["role"]}


def change_password(
    db: Database, user_id: int, current: str, new: str, *, keep_login: str | None = None
) -> int:
    """Give the user a new password, if ``current`` is their password now, and end every
    browser login of theirs but ``keep_login`` (the one that asked). It is logged as
    ``user.password_changed``. Returns how many other logins ended. API tokens stay: the
    account page lists them, to revoke one by one."""
    row = db.query_one("SELECT name, role, password_hash FROM users WHERE id = ?", [user_id])
    if row is None:
        raise NotFound("user_not_found", "There is no such user.")
    if not check_password_hash(row["password_hash"], current):
        raise DomainError("wrong_password", "The current password is not right.")
    if new == current:
        raise DomainError("password_unchanged", "The new password is the one you have now.")
    check_new_password(new, row["name"])
    new_hash = generate_password_hash(new)
    kept = hash_token(keep_login) if keep_login else ""

    def write(change: Change) -> int:
        now = utc_now()
        change.db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user_id])
        ended = change.db.execute(
            "UPDATE logins SET ended_at = ? "
            "WHERE user_id = ? AND ended_at IS NULL AND id_hash != ?",
            [now, user_id, kept],
        ).rowcount
        change.record(
            "user.password_changed",
            actor=row["role"],
            group_id=None,
            user_id=user_id,
            logins_ended=ended,
        )
        return ended

    return db.change(write)[0]


# -- browser logins -------------------------------------------------------------------------


def start_login(db: Database, user_id: int) -> str:
    """A new browser login for ``user_id``; its id goes in the signed session cookie."""
    login_id = new_token()

    def write(change: Change) -> None:
        now = utc_now()
        change.insert(
            "logins",
            {
                "id_hash": hash_token(login_id),
                "user_id": user_id,
                "started_at": now,
                "last_seen_at": now,
            },
        )

    db.change(write)
    return login_id


def login_user(
    db: Database, login_id: str, idle_hours: float | None = None, *, touch: bool = False
) -> dict | None:
    """The user of a browser login that has not ended.

    With ``idle_hours``, a login unused for longer than that is ended here and opens
    nothing. With ``touch``, this use counts: the login's ``last_seen_at`` moves on (at
    most once a minute). A check that is no use by the person (a socket sweep) leaves both
    out."""
    row = db.query_one(
        "SELECT u.id, u.name, u.role, coalesce(l.last_seen_at, l.started_at) AS seen "
        "FROM logins l JOIN users u ON u.id = l.user_id "
        "WHERE l.id_hash = ? AND l.ended_at IS NULL",
        [hash_token(login_id)],
    )
    if row is None:
        return None
    now = datetime.now(UTC)
    if idle_hours is not None and row["seen"] < format_utc(now - timedelta(hours=idle_hours)):
        with contextlib.suppress(StorageFull):  # refused either way; ended once there is room
            end_login(db, login_id)
        return None
    if touch and row["seen"] < format_utc(now - SEEN_EVERY):
        _note(
            db,
            "UPDATE logins SET last_seen_at = ? WHERE id_hash = ? AND ended_at IS NULL",
            [format_utc(now), hash_token(login_id)],
        )
    return {"id": row["id"], "name": row["name"], "role": row["role"]}


def _note(db: Database, sql: str, params: list) -> None:
    """Bookkeeping of a use (when a login or a token was last used): on a full disk it is
    skipped, so that reading, exporting and the console keep working until there is room."""
    with contextlib.suppress(StorageFull):
        db.change(lambda change: change.db.execute(sql, params))


def end_login(db: Database, login_id: str) -> None:
    def write(change: Change) -> None:
        change.db.execute(
            "UPDATE logins SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
            [utc_now(), hash_token(login_id)],
        )

    db.change(write)


def user(db: Database, user_id: int) -> dict | None:
    row = db.query_one("SELECT id, name, role FROM users WHERE id = ?", [user_id])
    return dict(row) if row else None


# -- API tokens -----------------------------------------------------------------------------


def user_for_api_token(db: Database, token: str) -> dict | None:
    """The user of an API token that has not been revoked. Each use is noted as the
    token's ``last_used_at`` (at most once a minute), for the account page."""
    row = db.query_one(
        "SELECT u.id, u.name, u.role, t.id AS token_id, t.last_used_at "
        "FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        [hash_token(token)],
    )
    if row is None:
        return None
    now = datetime.now(UTC)
    if row["last_used_at"] is None or row["last_used_at"] < format_utc(now - SEEN_EVERY):
        _note(
            db,
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
            [format_utc(now), row["token_id"]],
        )
    return {"id": row["id"], "name": row["name"], "role": row["role"]}


def api_tokens(db: Database, user_id: int) -> list[dict]:
    """The user's API tokens that still open something, newest first: ``id``, ``label``,
    ``created_at`` and ``last_used_at`` (never the token, which is not kept)."""
    return db.query(
        "SELECT id, label, created_at, last_used_at FROM api_tokens "
        "WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
        [user_id],
    )


def create_api_token(db: Database, user_id: int, label: str = "") -> tuple[dict, str]:
    """A new API token for the user, named ``label``; returns it as :func:`api_tokens`
    lists it, and the token in clear (shown this once, then only its hash is kept)."""
    label = " ".join(label.split())
    if len(label) > TOKEN_LABEL_MAX:
        raise DomainError("label_too_long", "A token's name has at most 80 characters.")
    token = new_token()

    def write(change: Change) -> dict:
        role = change.db.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
        if role is None:
            raise NotFound("user_not_found", "There is no such user.")
        now = utc_now()
        row = {"user_id": user_id, "token_hash": hash_token(token), "created_at": now}
        token_id = change.insert("api_tokens", {**row, "label": label})
        change.record(
            "api_token.created", actor=role[0], group_id=None, user_id=user_id, token_id=token_id
        )
        return {"id": token_id, "label": label, "created_at": now, "last_used_at": None}

    return db.change(write)[0], token


def revoke_api_token(db: Database, user_id: int, token_id: int) -> None:
    """Revoke one of the user's own API tokens: from now on it opens nothing. Logged as
    ``api_token.revoked``. Another user's token, or one revoked already, is not found."""

    def write(change: Change) -> None:
        row = change.db.execute(
            "SELECT u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.id = ? AND t.user_id = ? AND t.revoked_at IS NULL",
            [token_id, user_id],
        ).fetchone()
        if row is None:
            raise NotFound("token_not_found", "There is no such API token.")
        change.db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [utc_now(), token_id]
        )
        change.record(
            "api_token.revoked", actor=row[0], group_id=None, user_id=user_id, token_id=token_id
        )

    db.change(write)


# -- wrong passwords ------------------------------------------------------------------------
# Counted in the database (``login_failures``), not in a server process's memory, so that
# every process behind a proxy sees the same count and a restart does not reset it.

# A name tried is kept only as long as a real one can be: a huge form field is cut short.
FAILED_NAME_KEPT = 200


def _failed_name(name: str) -> str:
    """The name as the failures count it: as a login looks it up (spaces at the ends do
    not make a new account name)."""
    return name.strip()[:FAILED_NAME_KEPT]


def login_failure_counts(db: Database, address: str, name: str, since: str) -> tuple[int, int]:
    """How many wrong passwords came from ``address``, and how many were given for the
    account ``name`` from any address, at or after ``since`` (a stored UTC time). Older
    failures are deleted here: they no longer count for anything."""

    def count(change: Change) -> tuple[int, int]:
        change.db.execute("DELETE FROM login_failures WHERE at < ?", [since])
        by_address = change.db.execute(
            "SELECT count(*) FROM login_failures WHERE address = ? AND at >= ?",
            [address, since],
        ).fetchone()[0]
        by_name = change.db.execute(
            "SELECT count(*) FROM login_failures WHERE name = ? AND at >= ?",
            [_failed_name(name), since],
        ).fetchone()[0]
        return by_address, by_name

    return db.change(count)[0]


def record_login_failure(db: Database, address: str, name: str) -> None:
    row = {"address": address, "name": _failed_name(name), "at": utc_now()}
    db.change(lambda change: change.insert("login_failures", row))


def forget_login_failures(db: Database, address: str) -> None:
    """A right password clears the address's count, as a person who mistyped expects.
    Failures for the same account from other addresses still count."""
    db.change(
        lambda change: change.db.execute("DELETE FROM login_failures WHERE address = ?", [address])
    )
