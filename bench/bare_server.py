"""A bare Socket.IO server: the limit anchor of ``bench/load.py``.

It speaks the same calls the benchmark makes of pblapp (``POST /j/<code>``, the Socket.IO
connect with ``token`` or ``meeting_id``, ``contribution:add`` with its ack and the
``contribution:added`` fan-out to the meeting's room) but keeps nothing on disk, checks no
credentials and renders nothing. It is served the way ``run.py`` serves pblapp (gevent,
``gevent.pywsgi.WSGIServer`` with TCP_NODELAY, the default websocket handling), so the
difference between the two is what pblapp itself costs, not the transport.

    python bench/bare_server.py --port 5000
"""

from __future__ import annotations

import argparse


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    # As in run.py: patch before anything opens sockets.
    from gevent import monkey

    monkey.patch_all()

    import json
    import secrets
    import signal
    import socket
    from datetime import UTC, datetime

    import gevent
    import socketio
    from gevent.pywsgi import WSGIServer

    sio = socketio.Server(async_mode="gevent", cors_allowed_origins=None)
    participants: dict[str, dict] = {}  # participant token -> its meeting code and pseudonym
    meetings: dict[str, dict] = {}  # join code -> {"id", "seq", "people"}

    def meeting_for(code: str) -> dict:
        """Any join code is a live meeting; its id is the number in it when there is one."""
        if code not in meetings:
            digits = "".join(ch for ch in code if ch.isdigit())
            meetings[code] = {"id": int(digits or len(meetings) + 1), "seq": 0, "people": 0}
        return meetings[code]

    def join(code: str) -> dict:
        meeting = meeting_for(code)
        meeting["people"] += 1
        token = secrets.token_urlsafe(24)
        participants[token] = {"code": code, "pseudonym": f"P{meeting['people']:02d}"}
        return {"participant": {"pseudonym": participants[token]["pseudonym"]}, "token": token}

    def http_app(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        status, body = "404 Not Found", {"error": {"code": "not_found"}}
        if path == "/healthz":
            status, body = "200 OK", {"ok": True}
        elif method == "POST" and path.startswith("/j/"):
            status, body = "200 OK", join(path[3:])
        payload = json.dumps(body).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        )
        return [payload]

    @sio.event
    def connect(sid, environ, auth):
        auth = auth if isinstance(auth, dict) else {}
        if "token" in auth:
            who = participants.get(auth["token"])
            if who is None:
                raise socketio.exceptions.ConnectionRefusedError(
                    "Unknown participant token.", {"code": "invalid_token"}
                )
            code = who["code"]
        else:
            code = f"M{auth.get('meeting_id')}"
            who = {"code": code, "pseudonym": None}
        sio.save_session(sid, who)
        sio.enter_room(sid, f"meeting:{code}")

    @sio.on("contribution:add")
    def contribution_add(sid, data):
        who = sio.get_session(sid)
        if who["pseudonym"] is None:
            return {"ok": False, "error": {"code": "not_participant", "message": "Not a phone."}}
        meeting = meeting_for(who["code"])
        meeting["seq"] += 1
        contribution = {
            "id": meeting["seq"],
            "meeting_id": meeting["id"],
            "seq": meeting["seq"],
            "client_id": data.get("client_id"),
            "text": data.get("text"),
            "qtype": data.get("qtype"),
            "pseudonym": who["pseudonym"],
            "display_name": "",
            "hidden": False,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        sio.emit("contribution:added", contribution, to=f"meeting:{who['code']}")
        return {"ok": True, "contribution": contribution}

    class Server(WSGIServer):
        def handle(self, sock, address):
            # As run.py does, so the ack is not held back by Nagle's algorithm.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle(sock, address)

    server = Server((args.host, args.port), socketio.WSGIApp(sio, http_app), log=None)
    gevent.signal_handler(signal.SIGTERM, lambda *_: server.stop(timeout=2))
    gevent.signal_handler(signal.SIGINT, lambda *_: server.stop(timeout=2))
    print(f"bare server on {args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
