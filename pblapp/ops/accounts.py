"""Accounts: users, their API tokens and browser logins, and the one-time setup link."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from pblapp.db import Change, Database
from pblapp.domain.access import FACILITATOR, ROLES, SYSTEM
from pblapp.domain.clock import utc_now
from pblapp.domain.errors import Conflict, DomainError, Gone
from pblapp.domain.secrets import hash_token, new_token


def has_facilitator(db: Database) -> bool:
    return db.query_one("SELECT 1 FROM users WHERE role = ?", [FACILITATOR]) is not None


def create_user(db: Database, name: str, role: str, password: str) -> tuple[dict, str]:
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
    user, _ = create_user(db, name, FACILITATOR, password)

    def write(change: Change) -> None:
        change.db.execute(
            "UPDATE setup_tokens SET used_at = ? WHERE token_hash = ?",
            [utc_now(), hash_token(token)],
        )

    db.change(write)
    return user


def authenticate(db: Database, name: str, password: str) -> dict | None:
    row = db.query_one("SELECT * FROM users WHERE name = ?", [name.strip()])
    if row is None or not check_password_hash(row["password_hash"], password):
        return None
    return {"id": row["id"], "name": row["name"], "role": row["role"]}


def start_login(db: Database, user_id: int) -> str:
    """A new browser login for ``user_id``; its id goes in the signed session cookie."""
    login_id = new_token()

    def write(change: Change) -> None:
        change.db["logins"].insert(
            {"id_hash": hash_token(login_id), "user_id": user_id, "started_at": utc_now()}
        )

    db.change(write)
    return login_id


def login_user(db: Database, login_id: str) -> dict | None:
    """The user of a browser login that has not ended."""
    row = db.query_one(
        "SELECT u.id, u.name, u.role FROM logins l JOIN users u ON u.id = l.user_id "
        "WHERE l.id_hash = ? AND l.ended_at IS NULL",
        [hash_token(login_id)],
    )
    return dict(row) if row else None


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


def user_for_api_token(db: Database, token: str) -> dict | None:
    row = db.query_one(
        "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ?",
        [hash_token(token)],
    )
    return dict(row) if row else None


# -- wrong passwords ------------------------------------------------------------------------
# Counted in the database (``login_failures``), not in a server process's memory, so that
# every process behind a proxy sees the same count and a restart does not reset it.

# A name tried is kept only as long as a real one can be: a huge form field is cut short.
FAILED_NAME_KEPT = 200


def recent_login_failures(db: Database, address: str, since: str) -> int:
    """How many wrong passwords ``address`` gave at or after ``since`` (a stored UTC time).
    Older failures, from any address, are deleted here: they no longer count for anything."""

    def count(change: Change) -> int:
        change.db.execute("DELETE FROM login_failures WHERE at < ?", [since])
        return change.db.execute(
            "SELECT count(*) FROM login_failures WHERE address = ? AND at >= ?",
            [address, since],
        ).fetchone()[0]

    return db.change(count)[0]


def record_login_failure(db: Database, address: str, name: str) -> None:
    row = {"address": address, "name": name[:FAILED_NAME_KEPT], "at": utc_now()}
    db.change(lambda change: change.insert("login_failures", row))


def forget_login_failures(db: Database, address: str) -> None:
    """A right password clears the address's count, as a person who mistyped expects."""
    db.change(
        lambda change: change.db.execute("DELETE FROM login_failures WHERE address = ?", [address])
    )
