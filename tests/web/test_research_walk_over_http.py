"""Every route a researcher can reach, found in the app's URL map (so that routes added later
are covered too): without a grant every export is 404; with one, no answer holds a
participant's display name or a join code, and every download is in the audit log."""

import io
import json
import re
import uuid
import zipfile

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from helpers import log_in, next_meeting
from pblapp import ops
from pblapp.ops import reactions, selfeval

EXPORT_ENDINGS = (".csv", ".jsonl", ".xlsx", ".zip", ".qdpx", ".md", ".html", ".docx")
NAMES = ("Zelda Zetterqvist", "Bertil Birgersson", "Ottilia Orrefors")
# Not a log or an export: the notice (kallelse) of a meeting is sent before it.
NOT_AUDITED = ("notice.",)


def urls(app, gid: int, meeting_ids: list[int], *, prefix: str = "/"):
    """Every GET URL of the app under ``prefix`` for the group and its meetings: int
    arguments filled in (``group_id``, ``meeting_id``; any other id 1), each value of an
    ``any(...)`` argument. Rules with other arguments (a join code, a file name) are left
    out: a researcher has none to give."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(prefix):
            continue
        choices = [{}]
        for name in rule.arguments:
            converter = rule._converters[name]
            if isinstance(converter, IntegerConverter):
                values = {"group_id": [gid], "meeting_id": meeting_ids}.get(name, [1])
            elif isinstance(converter, AnyConverter):
                values = sorted(converter.items)
            else:
                choices = []
                break
            choices = [{**c, name: v} for c in choices for v in values]
        for args in choices:
            found.append(rule.build(args)[1])
    return sorted(set(found))


def export_urls(app, gid, meeting_ids):
    return [
        url
        for prefix in ("/api/v1/groups", "/api/v1/meetings")
        for url in urls(app, gid, meeting_ids, prefix=prefix)
        if url.endswith(EXPORT_ENDINGS)
    ]


def texts(body: bytes) -> list[str]:
    """What an answer says, as text: a zip file's (xlsx, docx, qdpx, archive) members,
    recursively; JSON with its escapes undone."""
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return [text for name in archive.namelist() for text in texts(archive.read(name))]
    text = body.decode("utf-8", errors="replace")
    try:
        return [text, json.dumps(json.loads(text), ensure_ascii=False)]
    except ValueError:
        return [text]


@pytest.fixture
def recorded(app, client, db, facilitator, live_meeting):
    """Two meetings of a group: three named people (one without a phone) posted, reacted,
    answered the self-evaluation; the second meeting is live, with one of them back."""
    gid, first = live_meeting["group_id"], live_meeting
    # Names in the group's own minutes, where that setting exists: never a researcher's.
    client.patch(
        f"/api/v1/groups/{gid}", json={"minutes_names": True}, headers=facilitator["headers"]
    )
    selfeval.open_(db, facilitator["id"], first["id"])
    tokens, attendances = [], []
    for name, org in zip(NAMES[:2], ("FK", "AF"), strict=True):
        answer = app.test_client().post(
            f"/j/{first['join_code']}",
            json={"display_name": name, "organization": org, "consent": True},
        )
        tokens.append(answer.get_json()["token"])
        attendances.append(ops.participation.attendance(db, tokens[-1]))
    posts = [
        ops.participation.post(db, a, {"client_id": str(uuid.uuid4()), "text": text})[0]
        for a, text in zip(attendances, ("Vad gäller dag 180?", "Varför då?"), strict=True)
    ]
    reactions.set_reaction(db, attendances[1], {"contribution_id": posts[0]["id"], "kind": "agree"})
    for a in attendances:
        selfeval.answer(db, a, {"answers": {"safe_to_disagree": 4, "change": "Mer tid"}})
    ops.identities.add_attendance(
        db, facilitator["id"], first["id"], {"display_name": NAMES[2], "organization": "RS"}
    )
    ops.moderation.moderate(
        db, facilitator["id"], first["id"], {"id": posts[1]["id"], "carry_forward": True}
    )
    ops.meetings.close(db, facilitator["id"], first["id"])
    second = next_meeting(db, facilitator, gid)
    app.test_client().post(f"/j/{second['join_code']}", json={"token": tokens[0], "consent": True})
    return {
        "group_id": gid,
        "meeting_ids": [first["id"], second["id"]],
        "codes": [first["join_code"], second["join_code"]],
    }


def test_a_researcher_without_a_grant_gets_404_from_every_export(
    app, client, db, facilitator, researcher, recorded
):
    gid, meeting_ids = recorded["group_id"], recorded["meeting_ids"]
    found = export_urls(app, gid, meeting_ids)
    for expected in (
        "log.csv",
        "log.jsonl",
        "minutes.md",
        "minutes.html",
        "minutes.docx",
        "meetings.csv",
    ):
        assert any(url.endswith("/" + expected) for url in found), expected
    ops.groups.grant(db, gid, researcher["id"])
    ops.groups.revoke(db, gid, researcher["id"])
    for url in found:
        answer = client.get(url, headers=researcher["headers"])
        assert answer.status_code == 404, url
    log_in(client, researcher)
    for url in found + [f"/groups/{gid}"]:
        assert client.get(url).status_code == 404, url
    assert [e["action"] for e in ops.audit.entries(db, facilitator["id"], gid)] == [
        "revoke",
        "grant",
    ]


def test_a_granted_researcher_never_gets_a_display_name_or_a_join_code(
    app, client, db, facilitator, researcher, recorded
):
    gid = recorded["group_id"]
    # The owner's answers have the names: the check below would see them.
    owners = client.get(f"/api/v1/groups/{gid}/participants", headers=facilitator["headers"])
    assert all(name in texts(owners.get_data())[1] for name in NAMES)
    ops.groups.grant(db, gid, researcher["id"])
    log_in(client, researcher)
    visited = 0
    for url in urls(app, gid, recorded["meeting_ids"]):
        if url.startswith(("/static/", "/j/", "/setup/", "/healthz")):
            continue
        answer = client.get(url, headers=researcher["headers"])
        assert answer.status_code < 500, url
        visited += answer.status_code == 200
        for text in texts(answer.get_data()):
            for name in NAMES:
                assert name not in text and name.split()[1] not in text, (url, name)
            for code in recorded["codes"]:
                assert not re.search(rf"(?<![A-Za-z0-9]){code}(?![A-Za-z0-9])", text), url
    assert visited >= 20


def test_every_download_of_an_export_is_in_the_audit_log(
    app, client, db, facilitator, researcher, recorded
):
    gid = recorded["group_id"]
    ops.groups.grant(db, gid, researcher["id"])
    downloaded = []
    for url in export_urls(app, gid, recorded["meeting_ids"]):
        if url.rsplit("/", 1)[1].startswith(NOT_AUDITED):
            continue
        for who in (researcher, facilitator):
            if client.get(url, headers=who["headers"]).status_code == 200:
                downloaded.append((who["name"], url))
    entries = ops.audit.entries(db, facilitator["id"], gid)
    audited = [(e["user"], e["path"]) for e in reversed(entries) if e["action"] == "download"]
    assert audited == downloaded
    assert len(downloaded) >= 2 * 9


def test_a_withdrawn_participants_words_reach_no_researcher_even_when_kept_for_minutes(
    app, client, db, facilitator, researcher, live_meeting
):
    gid, mid = live_meeting["group_id"], live_meeting["id"]
    client.patch(
        f"/api/v1/groups/{gid}",
        json={"withdrawal_policy": "keep_for_minutes"},
        headers=facilitator["headers"],
    )
    token = (
        app.test_client()
        .post(
            f"/j/{live_meeting['join_code']}",
            json={"display_name": "Vera Vinge", "organization": "FK", "consent": True},
        )
        .get_json()["token"]
    )
    attendance = ops.participation.attendance(db, token)
    words = "Klienten på Storgatan 7 ringde igen"
    post = ops.participation.post(db, attendance, {"client_id": str(uuid.uuid4()), "text": words})
    ops.moderation.moderate(
        db, facilitator["id"], mid, {"id": post[0]["id"], "carry_forward": True}
    )
    ops.privacy.withdraw(db, facilitator["id"], gid, attendance.pseudonym)
    ops.meetings.close(db, facilitator["id"], mid)
    # The group's own minutes keep the words under this policy: the check below would see them.
    own = client.get(f"/api/v1/meetings/{mid}/minutes.md", headers=facilitator["headers"])
    assert "Storgatan 7" in own.get_data(as_text=True)
    ops.groups.grant(db, gid, researcher["id"])
    log_in(client, researcher)
    visited = 0
    for url in urls(app, gid, [mid]):
        if url.startswith(("/static/", "/j/", "/setup/", "/healthz")):
            continue
        answer = client.get(url, headers=researcher["headers"])
        assert answer.status_code < 500, url
        visited += answer.status_code == 200
        for text in texts(answer.get_data()):
            assert "Storgatan 7" not in text, url
    assert visited >= 15
