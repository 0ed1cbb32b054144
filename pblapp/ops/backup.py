"""``run.py backup DEST``: a copy of the data directory that a server can run on.

The database is copied with SQLite's online backup (:func:`pblapp.db.copy_database`), so
the copy is consistent while meetings go on; then every other file of the data directory
(the secret key, the minutes of closed meetings, the starting-point images) is copied as
it is. The copy is checked with ``PRAGMA integrity_check``. Restoring is starting the
server with ``--data-dir`` at the copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pblapp.db import copy_database
from pblapp.domain.errors import DomainError

DATABASE = "pblapp.sqlite3"
# SQLite's own files beside the database: the copy of the database holds what they hold.
DATABASE_FILES = {DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", f"{DATABASE}-journal"}
SECRET_KEY = "secret_key"


@dataclass
class Summary:
    """What a backup holds, read from the copy."""

    destination: Path
    database_bytes: int
    meetings: int
    contributions: int
    events: int
    files: int
    # "ok", or SQLite's first complaints about the copy.
    integrity: str
    secret_key: bool
    # False when the destination's file system cannot keep modes (FAT on a USB stick).
    modes_kept: bool

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


def take(data_dir: Path | str, destination: Path | str) -> Summary:
    """Copy the data directory ``data_dir`` into the new, or empty, folder
    ``destination``; return what the copy holds. Raises :class:`DomainError` when it
    cannot begin: no database, a destination that is not empty or sits in the data
    directory, or whose parent folder does not exist (a stick that is not mounted)."""
    source = Path(data_dir).resolve()
    target = Path(destination).absolute()
    if not (source / DATABASE).is_file():
        raise DomainError("no_database", f"There is no pblapp database in {source}.")
    resolved = target.resolve()
    if resolved == source or source in resolved.parents:
        raise DomainError(
            "backup_inside_data_dir", "The backup must go outside the data directory."
        )
    _prepare(target)
    modes_kept = _private(target, 0o700)
    copy_database(source / DATABASE, target / DATABASE)
    modes_kept &= _private(target / DATABASE, 0o600)
    files, kept = _copy_files(source, target)
    modes_kept &= kept
    _sync(target)
    return _summary(target, files, modes_kept)


def _prepare(target: Path) -> None:
    if target.exists():
        if not target.is_dir():
            raise DomainError("destination_not_a_folder", f"{target} is not a folder.")
        if any(target.iterdir()):
            raise DomainError(
                "destination_not_empty",
                f"{target} is not empty: give a new folder, so that no backup is mixed "
                "with another.",
            )
        return
    if not target.parent.is_dir():
        raise DomainError(
            "destination_parent_missing",
            f"The folder {target.parent} does not exist. Is the stick mounted?",
        )
    target.mkdir(mode=0o700)


def _private(path: Path, mode: int) -> bool:
    """Give ``path`` its owner-only ``mode``; False where the file system keeps no modes."""
    try:
        os.chmod(path, mode)
    except OSError:
        return False
    return (path.stat().st_mode & 0o777) == mode


def _copy_files(source: Path, target: Path) -> tuple[int, bool]:
    """Every regular file of the data directory but the database's own, with its folders;
    returns how many were copied and whether their modes were kept."""
    copied, modes_kept = 0, True
    for folder, subfolders, names in os.walk(source):
        here = Path(folder)
        into = target / here.relative_to(source)
        subfolders.sort()
        for name in sorted(names):
            path = here / name
            if (here == source and name in DATABASE_FILES) or name.endswith(".tmp"):
                continue  # the database is copied whole; a .tmp is a file being written
            if path.is_symlink() or not path.is_file():
                continue
            if not into.is_dir():
                into.mkdir(mode=0o700, parents=True)
                modes_kept &= _private(into, 0o700)
            try:
                shutil.copyfile(path, into / name)
            except FileNotFoundError:
                continue  # removed since it was listed (a replaced image)
            modes_kept &= _private(into / name, 0o600)
            copied += 1
    return copied, modes_kept


def _sync(target: Path) -> None:
    """Flush the copied files and folders to the device: a stick may be pulled right
    after."""
    for folder, _subfolders, names in os.walk(target):
        for path in [Path(folder) / name for name in names] + [Path(folder)]:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue  # a folder some systems do not open
            try:
                os.fsync(fd)
            except OSError:
                pass  # a folder some file systems cannot sync; its files are synced
            finally:
                os.close(fd)


def _summary(target: Path, files: int, modes_kept: bool) -> Summary:
    """Check the copy and count what it holds."""
    copy = sqlite3.connect(f"{(target / DATABASE).as_uri()}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check(10)")]

        def count(table: str) -> int:
            return copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

        meetings, contributions, events = count("meetings"), count("contributions"), count("events")
    finally:
        copy.close()
    return Summary(
        destination=target,
        database_bytes=(target / DATABASE).stat().st_size,
        meetings=meetings,
        contributions=contributions,
        events=events,
        files=files,
        integrity="ok" if problems == ["ok"] else "; ".join(problems),
        secret_key=(target / SECRET_KEY).is_file(),
        modes_kept=modes_kept,
    )


def report(summary: Summary, secret_key_from_environment: bool) -> list[str]:
    """The lines the command prints about a backup."""
    size = summary.database_bytes / 1_000_000
    lines = [
        f"Backed up to {summary.destination}:",
        f"  database: {size:.1f} MB, {summary.meetings} meetings, "
        f"{summary.contributions} contributions, {summary.events} events; "
        f"integrity check: {summary.integrity}",
        f"  {summary.files} other files (minutes, images, the secret key)",
    ]
    if secret_key_from_environment:
        lines.append(
            "  The secret key is set by PBLAPP_SECRET_KEY, so it is not in the backup: keep "
            "it with the backup, or logins and phones will not be recognised after a restore."
        )
    elif not summary.secret_key:
        lines.append("  There was no secret_key file to copy.")
    if not summary.modes_kept:
        lines.append(
            "  Warning: this file system does not keep file modes, so anyone who can read "
            "it can read the backup. Use an encrypted stick (see docs/deployment.md)."
        )
    lines.append(f"Restore: start the server with --data-dir {summary.destination}")
    return lines
