"""``python run.py``: serve the app, or create a user."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from pblapp import catalogs

# The compiled Swedish catalog; every build makes it (setup.py), so does `make translations`,
# and so does the server at start when it can (catalogs.compile_stale).
CATALOG = Path("translations", "sv", "LC_MESSAGES", "messages.mo")


def missing_catalog_warning() -> str | None:
    """A warning when the Swedish catalog is not compiled: without it every page and every
    minutes file comes out in English, even for a Swedish group, and nothing else says so."""
    if (Path(__file__).parent / CATALOG).is_file():
        return None
    return (
        f"WARNING: the Swedish translations are not compiled (no pblapp/{CATALOG.as_posix()}), "
        "and could not be compiled here, so pages and minutes will be in English. Run "
        "`make translations`, or reinstall with `pip install .`, which compiles them."
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Serve pblapp.",
        epilog="Create users with: python run.py create-user NAME --role "
        "facilitator|researcher [--data-dir D] (the password is read from stdin). Give a "
        "researcher access to a group with: python run.py grant USERNAME GROUP_ID [--revoke] "
        "[--data-dir D].",
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (0.0.0.0)")
    parser.add_argument("--port", type=int, default=5000, help="port to listen on (5000)")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("PBLAPP_DATA_DIR", "sessions"),
        help="data directory (PBLAPP_DATA_DIR, else ./sessions)",
    )
    parser.add_argument(
        "--public-url",
        default=os.environ.get("PBLAPP_PUBLIC_URL"),
        help="the URL phones use (default: this machine's LAN address)",
    )
    parser.add_argument(
        "--message-queue",
        metavar="URL",
        type=_message_queue_url,
        default=os.environ.get("PBLAPP_MESSAGE_QUEUE") or None,
        help="a Redis URL such as redis://127.0.0.1:6379/0, for several server processes "
        "sharing the live rooms (PBLAPP_MESSAGE_QUEUE; default: one process, no Redis)",
    )
    parser.add_argument(
        "--tls-cert",
        metavar="FILE",
        default=os.environ.get("PBLAPP_TLS_CERT") or None,
        help="serve HTTPS with this certificate (PEM; PBLAPP_TLS_CERT); needs --tls-key",
    )
    parser.add_argument(
        "--tls-key",
        metavar="FILE",
        default=os.environ.get("PBLAPP_TLS_KEY") or None,
        help="the certificate's private key (PEM; PBLAPP_TLS_KEY)",
    )
    parser.add_argument(
        "--proxy",
        action="store_true",
        default=os.environ.get("PBLAPP_PROXY", "0") not in ("", "0"),
        help="behind one reverse proxy on this machine or network: trust its "
        "X-Forwarded-For, -Proto and -Host (PBLAPP_PROXY=1)",
    )
    parser.add_argument(
        "--allowed-host",
        metavar="NAME",
        action="append",
        default=[name for name in os.environ.get("PBLAPP_ALLOWED_HOSTS", "").split(",") if name],
        help="another host name browsers may use for this server, besides --public-url's, "
        "localhost and the LAN address; repeatable (PBLAPP_ALLOWED_HOSTS, comma-separated)",
    )
    parser.add_argument(
        "--session-hours",
        metavar="N",
        type=float,
        default=None,
        help="hours without a request after which a login ends (PBLAPP_SESSION_HOURS, else 12)",
    )
    return parser


def _message_queue_url(url: str) -> str:
    """Only Redis is a message queue here; anything else would be handed to another
    queue library that is not installed, and fail at the first broadcast."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"must be a Redis URL such as redis://127.0.0.1:6379/0, not {url!r}"
        )
    return url


def _redaction(url: str) -> str:
    """The URL without its password, to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:***@" if parts.username else ":***@"
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=user + host).geturl()


def redis_refusal(url: str) -> str | None:
    """Why the server cannot use Redis at ``url``, or ``None`` when it answers. Checked
    before serving: the Socket.IO queue would otherwise retry for ever in the background
    while the rooms of the other processes stay silent."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        return (
            f"error: cannot reach Redis at {_redaction(url)} ({exc}). Start redis-server "
            "there, or leave out --message-queue to serve from this one process."
        )
    return None


def _create_user_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py create-user",
        description="Create a user. Reads the password as one line on stdin (at least 10 "
        "characters, not a common one); prints a new API token as the last line.",
    )
    parser.add_argument("name")
    # Checked against pblapp.domain.access.ROLES once parsed (importing pblapp here would
    # come before the server's gevent patching).
    parser.add_argument("--role", metavar="facilitator|researcher", required=True)
    parser.add_argument("--data-dir", default=os.environ.get("PBLAPP_DATA_DIR", "sessions"))
    return parser


def create_user(argv: list[str]) -> int:
    parser = _create_user_parser()
    args = parser.parse_args(argv)
    from pblapp.domain.access import ROLES

    if args.role not in ROLES:
        # Before the password is read or anything is made on disk.
        parser.error(f"--role must be one of {', '.join(ROLES)}, not {args.role!r}")
    from pblapp import create_app
    from pblapp.domain.errors import DomainError
    from pblapp.ops import accounts

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    app = create_app({"DATA_DIR": args.data_dir})
    try:
        user, token = accounts.create_user(
            app.extensions["pblapp.db"],
            args.name,
            args.role,
            password,
            token_label="run.py create-user",
        )
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"Created {user['role']} {user['name']}. API token:")
    print(token)
    return 0


def _purge_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py purge",
        description="Delete what the groups' retention says is due: display names, the "
        "name-to-pseudonym key, and texts kept for the minutes after a withdrawal. Prints "
        "what it deleted. The server also does this once each time it starts.",
    )
    parser.add_argument("--data-dir", default=os.environ.get("PBLAPP_DATA_DIR", "sessions"))
    parser.add_argument(
        "--now",
        metavar="ISO",
        help="purge as of this time (ISO 8601, e.g. 2026-09-01T00:00:00Z), to plan or test",
    )
    return parser


def purge_report(report: list[dict]) -> list[str]:
    """What a purge deleted, one line per group."""
    if not report:
        return ["Purge: nothing is due."]
    return [
        f"Purged group {item['group_id']} ({item['name']}), due since {item['due_at']}: "
        f"{item['display_names']} display names, {item['rejoin_keys']} rejoin keys, "
        f"{item['texts']} texts of withdrawn participants."
        for item in report
    ]


def purge(argv: list[str]) -> int:
    parser = _purge_parser()
    args = parser.parse_args(argv)
    from pblapp.domain.clock import parse_utc

    try:
        now = parse_utc(args.now) if args.now else None
    except (ValueError, OverflowError):
        parser.error(
            f"--now must be an ISO 8601 time such as 2026-09-01T00:00:00Z, not {args.now!r}"
        )
    from pblapp import create_app
    from pblapp.ops import retention

    app = create_app({"DATA_DIR": args.data_dir})
    with app.app_context():
        report = retention.purge(app.extensions["pblapp.db"], now)
    print("\n".join(purge_report(report)), flush=True)
    return 0


def _grant_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py grant",
        description="Give a researcher access to a group's pseudonymised logs and exports "
        "(or take it back with --revoke). Recorded in the group's audit log.",
    )
    parser.add_argument("username", help="the researcher's user name")
    parser.add_argument("group_id", type=int, help="the group's id (as in /groups/<id>)")
    parser.add_argument("--revoke", action="store_true", help="take the access back")
    parser.add_argument("--data-dir", default=os.environ.get("PBLAPP_DATA_DIR", "sessions"))
    return parser


def grant(argv: list[str]) -> int:
    """``run.py grant USERNAME GROUP_ID [--revoke] [--data-dir D]``: prints what it did;
    on an error prints ``error: …`` and returns 1."""
    from pathlib import Path

    args = _grant_parser().parse_args(argv)
    if not (Path(args.data_dir) / "pblapp.sqlite3").exists():
        print(f"error: there is no pblapp database in {args.data_dir}", file=sys.stderr)
        return 1
    from pblapp import create_app
    from pblapp.domain.errors import DomainError

    app = create_app({"DATA_DIR": args.data_dir})
    database = app.extensions["pblapp.db"]
    try:
        with app.app_context():
            return _grant(database, args)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1


def _grant(database, args) -> int:
    from pblapp.ops import groups, lookup

    group = lookup.group_row(database, args.group_id)
    where = f"group {group['id']} ({group['name']})"
    if args.revoke:
        groups.revoke_by_name(database, args.group_id, args.username)
        print(f"Revoked {args.username}'s access to {where}.")
    elif groups.grant_by_name(database, args.group_id, args.username)[1]:
        print(f"Granted {args.username} access to {where}.")
    else:
        print(f"{args.username} already had access to {where}; nothing changed.")
    return 0


def _backup_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py backup",
        description="Copy the data directory into DEST while the server runs: a consistent "
        "copy of the database (SQLite's online backup), the minutes, the images and the "
        "secret key; then check the copy and print what it holds. Restore by starting the "
        "server with --data-dir DEST.",
    )
    parser.add_argument("destination", metavar="DEST", help="a new (or empty) folder")
    parser.add_argument("--data-dir", default=os.environ.get("PBLAPP_DATA_DIR", "sessions"))
    return parser


def backup(argv: list[str]) -> int:
    """``run.py backup DEST [--data-dir D]``: prints what the copy holds; on an error, or
    a copy that fails its integrity check, prints ``error: …`` and returns 1."""
    args = _backup_parser().parse_args(argv)
    from pblapp.domain.errors import DomainError
    from pblapp.ops import backup as backups

    try:
        summary = backups.take(args.data_dir, args.destination)
    except (DomainError, OSError) as exc:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 1
    key_from_environment = bool(os.environ.get("PBLAPP_SECRET_KEY"))
    print("\n".join(backups.report(summary, key_from_environment)), flush=True)
    if not summary.ok:
        print(
            f"error: the copy in {summary.destination} failed its integrity check; do not "
            "rely on it. Check the disk it is on and take the backup again.",
            file=sys.stderr,
        )
        return 1
    return 0


def _check_public_url(parser: argparse.ArgumentParser, url: str | None) -> None:
    """A phone's camera opens only a whole URL; "10.0.0.5:8080" would be read as text."""
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        parser.error(
            f"--public-url must be a whole URL such as http://192.168.1.20:5000, not {url!r}"
        )


def _check_tls(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A certificate needs its key and the other way round; and a server that speaks only
    HTTPS must not send phones to an http:// address."""
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error(
            "--tls-cert and --tls-key go together: give both the certificate and its "
            "private key, or neither"
        )
    if args.tls_cert and args.public_url and urlsplit(args.public_url).scheme != "https":
        parser.error(
            "with --tls-cert the server speaks only HTTPS, so --public-url must start with "
            f"https://, not {args.public_url!r}"
        )


def _allowed_hosts(args: argparse.Namespace) -> list[str]:
    """The names given with --allowed-host, and the address given with --host when it is
    one address rather than all of them."""
    names = list(args.allowed_host)
    if args.host not in ("0.0.0.0", "::", ""):
        names.append(args.host)
    return names


def _listens_on_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def serve(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _check_public_url(parser, args.public_url)
    _check_tls(parser, args)
    for written in catalogs.compile_stale():
        print(
            f"Compiled the translations: {written.relative_to(catalogs.FOLDER.parent.parent)}",
            file=sys.stderr,
            flush=True,
        )
    if warning := missing_catalog_warning():
        print(warning, file=sys.stderr, flush=True)
    # gevent serves many phones on one process; it must patch the standard library
    # before anything else opens sockets or starts threads.
    from gevent import monkey

    monkey.patch_all()
    # A long download runs in a worker thread (web.off_loop); Python hands the interpreter
    # between threads every interval, so a shorter one keeps the live loop's waits short.
    sys.setswitchinterval(0.001)

    import signal

    import gevent

    from pblapp import serving

    if args.message_queue and (refusal := redis_refusal(args.message_queue)):
        print(refusal, file=sys.stderr, flush=True)
        return 1
    tls = None
    if args.tls_cert:
        try:
            tls = serving.tls_context(args.tls_cert, args.tls_key)
        except OSError as exc:
            print(
                f"error: cannot serve HTTPS with {args.tls_cert} and {args.tls_key} ({exc}). "
                "They must be a PEM certificate and its PEM private key, without a "
                "passphrase; docs/deployment.md shows how to make a pair.",
                file=sys.stderr,
                flush=True,
            )
            return 1
    scheme = "https" if tls else "http"

    from pblapp import create_app
    from pblapp.netinfo import base_url, lan_address
    from pblapp.ops import accounts

    app = create_app(
        {
            "DATA_DIR": args.data_dir,
            "PUBLIC_URL": args.public_url,
            "SERVER_PORT": args.port,
            "SOCKETIO_ASYNC_MODE": "gevent",
            "MESSAGE_QUEUE": args.message_queue,
            "PROXY": args.proxy,
            "ALLOWED_HOSTS": _allowed_hosts(args),
            "PREFERRED_URL_SCHEME": scheme,
            # Browsers reach the server over HTTPS: the login cookie must never go in
            # clear text. Under --proxy with an http public URL, each request's forwarded
            # scheme decides (web.cookies).
            "SESSION_COOKIE_SECURE": bool(tls) or urlsplit(args.public_url or "").scheme == "https",
            **({"SESSION_HOURS": args.session_hours} if args.session_hours is not None else {}),
        }
    )
    base = base_url(args.public_url, args.port, scheme=scheme)
    if not args.public_url and lan_address() is None:
        print(
            "Warning: this machine has no network address but loopback; phones cannot "
            "join until it is on a network or you pass --public-url.",
            flush=True,
        )
    elif any(host in base for host in ("://localhost", "://127.", "://[::1]")):
        print(f"Warning: phones cannot open {base}; it points at this machine itself.")
    if args.proxy and not _listens_on_loopback(args.host):
        print(
            f"Warning: --proxy trusts X-Forwarded-* headers, but the server listens on "
            f"{args.host}, so anyone who reaches it directly can claim any address or host "
            "name. Listen where only the proxy can reach it, e.g. --host 127.0.0.1.",
            flush=True,
        )
    elif _listens_on_loopback(args.host) and not args.proxy:
        print(
            f"Warning: listening on {args.host} only, so phones cannot reach {base} unless "
            "a proxy on this machine forwards to it; --host 0.0.0.0 listens on the network.",
            flush=True,
        )
    database = app.extensions["pblapp.db"]
    # Retention: what has become due since the server last ran is deleted before anyone joins.
    from pblapp.ops import retention

    with app.app_context():
        print("\n".join(purge_report(retention.purge(database))), flush=True)
    if not accounts.has_facilitator(database):
        token = accounts.create_setup_token(database)
        print(f"No facilitator account yet. Open this one-time setup URL:\n  {base}/setup/{token}")

    server = serving.Server(
        (args.host, args.port), app, tls=tls, header_timeout=serving.header_timeout()
    )

    from gevent.event import Event

    stopping, stopped = Event(), Event()

    def stop(*_):
        if stopping.is_set():
            return  # a second Ctrl-C while the first is being handled
        stopping.set()
        # Stopping must not depend on a terminal still being there to read it.
        with contextlib.suppress(OSError):
            print("Shutting down.", flush=True)
        gevent.spawn(shut_down, server, app, stopped)

    gevent.signal_handler(signal.SIGTERM, stop)
    gevent.signal_handler(signal.SIGINT, stop)
    print(f"pblapp serving on {args.host}:{args.port}; phones join at {base}", flush=True)
    if args.message_queue:
        print(
            f"Sharing the live rooms with other processes through {_redaction(args.message_queue)}",
            flush=True,
        )
    server.serve_forever()
    # serve_forever returns once the listening socket is closed; the rest of the stop
    # goes on in shut_down.
    stopped.wait(timeout=4.5)
    return 0


# A clean stop waits at most this long for each of its steps, so that the whole of it
# stays within 5 seconds (what a service manager waits before it kills).
STOP_STEP_SECONDS = 1.0


def shut_down(server, app, stopped) -> None:
    """SIGTERM or Ctrl-C: accept no new connection; let the writes already sent be
    committed and answered (the group-commit writer drains); close every client's
    connection at its transport, so that phones, the console and the screens show that
    they are offline and reconnect by themselves to the restarted server (phones then send
    their outboxes); then close the database. Sets ``stopped`` at the end."""
    import gevent

    database = app.extensions["pblapp.db"]
    engine = app.extensions["socketio"].server.eio
    try:
        server.close()
        database.drain(STOP_STEP_SECONDS)
        # A Socket.IO "disconnect" would tell the browsers not to reconnect; closing the
        # transport does not. One at a time would let one dead phone hold up the rest.
        closing = [gevent.spawn(engine.disconnect, sid) for sid in list(engine.sockets)]
        gevent.joinall(closing, timeout=STOP_STEP_SECONDS)
        # What was sent just before its connection closed: written, though not answered
        # (the phone sends it again with the same client_id, and it is stored once).
        database.drain(STOP_STEP_SECONDS)
        database.close(timeout=STOP_STEP_SECONDS)
    finally:
        stopped.set()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The data directory holds names and everything people wrote: what the server makes
    # there (database, minutes, images) is for its own user only.
    os.umask(0o077)
    if argv and argv[0] == "create-user":
        return create_user(argv[1:])
    if argv and argv[0] == "grant":
        return grant(argv[1:])
    if argv and argv[0] == "purge":
        return purge(argv[1:])
    if argv and argv[0] == "backup":
        return backup(argv[1:])
    return serve(argv)
