"""``python run.py grant USERNAME GROUP_ID [--revoke] [--data-dir D]``: gives a researcher
access to a group, or takes it back; says what it did; an error is a message and status 1."""

import subprocess
import sys

import pytest

from helpers import ROOT
from pblapp import cli, ops


@pytest.fixture
def data_dir(app):
    return app.config["DATA_DIR"]


@pytest.fixture
def group(db, facilitator):
    return ops.groups.create(db, facilitator["id"], {"name": "Basgrupp Motala", "kind": "pbl"})


def test_grant_and_revoke_from_the_command_line(
    capsys, db, data_dir, facilitator, researcher, group
):
    gid, name = group["id"], researcher["name"]
    assert cli.grant([name, str(gid), "--data-dir", data_dir]) == 0
    assert capsys.readouterr().out == f"Granted {name} access to group {gid} (Basgrupp Motala).\n"
    assert [g["id"] for g in ops.lookup.groups(db, researcher["id"])] == [gid]
    assert cli.grant([name, str(gid), "--data-dir", data_dir]) == 0
    assert "already had access" in capsys.readouterr().out
    assert cli.grant([name, str(gid), "--revoke", "--data-dir", data_dir]) == 0
    assert capsys.readouterr().out == f"Revoked {name}'s access to group {gid} (Basgrupp Motala).\n"
    assert ops.lookup.groups(db, researcher["id"]) == []
    entries = ops.audit.entries(db, facilitator["id"], gid)
    assert [(e["user"], e["action"], e["path"], e["researcher"]) for e in entries] == [
        ("system", "revoke", "run.py grant", name),
        ("system", "grant", "run.py grant", name),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["Ingen Alls", "{gid}"], "error: No user has this name.\n"),
        (["Handledare Hanna", "{gid}"], "error: Access is granted to researcher accounts only.\n"),
        (["Forskare Frida", "999"], "error: No such group.\n"),
        (["Forskare Frida", "{gid}", "--revoke"], "error: This user has no access to the group.\n"),
    ],
)
def test_the_command_line_says_what_is_wrong_and_exits_1(
    capsys, data_dir, researcher, group, args, message
):
    args = [arg.format(gid=group["id"]) for arg in args]
    assert cli.grant([*args, "--data-dir", data_dir]) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message)


def test_a_data_dir_without_a_database_is_an_error_and_is_left_alone(capsys, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.grant(["Rut", "1", "--data-dir", str(empty)]) == 1
    assert "no pblapp database" in capsys.readouterr().err
    assert list(empty.iterdir()) == []


def test_run_py_grant_is_a_command(data_dir, researcher, group):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "grant",
            researcher["name"],
            str(group["id"]),
            "--data-dir",
            data_dir,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Granted {researcher['name']} access")
    bad = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "grant", researcher["name"], "x"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "group_id" in bad.stderr
