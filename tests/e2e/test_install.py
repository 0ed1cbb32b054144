"""The package as people install it: a wheel (or an editable install) made from a work tree
without compiled catalogs still serves Swedish pages and writes Swedish minutes, and so does
``python run.py`` in that work tree after a non-editable install."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import requests

from helpers import PASSWORD, ROOT, api, free_port, wait_until_healthy

pytestmark = pytest.mark.server

CATALOG = Path("pblapp", "translations", "sv", "LC_MESSAGES", "messages.mo")
NOT_SOURCE = shutil.ignore_patterns(
    ".*", "*.mo", "*.egg-info", "__pycache__", "build", "dist", "sessions", "test-artifacts"
)


def pip(*args: str) -> None:
    """This interpreter's pip (build dependencies come from the package registry)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )


def clean_copy(tmp_path: Path) -> Path:
    """The work tree as a fresh clone has it: sources, no compiled catalog."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    assert not list(source.rglob("*.mo"))
    return source


def fresh_venv(tmp_path: Path) -> Path:
    """A new venv without pblapp. Its other dependencies are read from the venv running the
    tests (a path line in a .pth file), so only pblapp is installed into it."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A plain path line: the .pth files there (such as an editable pblapp's finder) are not run.
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    return python


def installed_pblapp(python: Path, cwd: Path) -> Path:
    """Where ``python`` imports pblapp from."""
    return Path(
        subprocess.run(
            [str(python), "-c", "import pblapp; print(pblapp.__file__)"],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
        ).stdout.strip()
    ).parent


class InstalledServer:
    """``run.py`` run by the venv's python from a folder of its own, so that the pblapp it
    imports is the installed one, not a source tree."""

    def __init__(self, python: Path, folder: Path):
        self.python = python
        self.folder = folder
        folder.mkdir(exist_ok=True)
        shutil.copy(ROOT / "run.py", folder / "run.py")
        self.data_dir = folder / "data"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        self.process: subprocess.Popen | None = None

    def run(self, *args: str, stdin: str = "") -> str:
        result = subprocess.run(
            [str(self.python), "run.py", *args, "--data-dir", str(self.data_dir)],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.folder,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self) -> InstalledServer:
        command = [str(self.python), "run.py", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir), "--public-url", self.url]
        env = {"PATH": "/usr/bin:/bin", "PBLAPP_SECRET_KEY": "install-test-key"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until_healthy(self.process, self.url, self.log, seconds=30)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def swedish_minutes(server: InstalledServer, token: str) -> str:
    """minutes.md of a meeting of a new group, started and closed through the API."""
    group = api(server, token, "POST", "/groups", json={"name": "Basgrupp Motala", "kind": "pbl"})
    meeting = api(server, token, "POST", f"/groups/{group['id']}/meetings", json={})
    api(server, token, "POST", f"/meetings/{meeting['id']}/start")
    api(server, token, "POST", f"/meetings/{meeting['id']}/close")
    response = requests.get(
        f"{server.url}/api/v1/meetings/{meeting['id']}/minutes.md",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.text


def test_a_wheel_from_a_clean_clone_serves_swedish_and_so_does_run_py_in_the_clone(tmp_path):
    source = clean_copy(tmp_path)
    pip("wheel", str(source), "--no-deps", "--wheel-dir", str(tmp_path / "dist"))
    (wheel,) = (tmp_path / "dist").glob("pblapp-*.whl")
    python = fresh_venv(tmp_path)
    pip("--python", str(python), "install", "--no-deps", str(wheel))
    package = installed_pblapp(python, tmp_path)
    assert package.is_relative_to(tmp_path / "venv")
    # The catalog in the venv came from the wheel: the tree it was built from had none.
    assert (package.parent / CATALOG).is_file() and not (source / CATALOG).exists()

    server = InstalledServer(python, tmp_path / "app")
    token = (
        server.run(
            "create-user", "Handledare Hanna", "--role", "facilitator", stdin=PASSWORD + "\n"
        )
        .strip()
        .splitlines()[-1]
    )
    server.start()
    try:
        assert "Gå med i ett möte" in requests.get(server.url + "/j", timeout=10).text
        minutes = swedish_minutes(server, token)
    finally:
        server.stop()
    assert "## Dagordningens punkter" in minutes and "## Agenda items" not in minutes, minutes
    assert "WARNING" not in server.log.read_text()

    # `python run.py` in the source tree after that install imports the tree, which has no
    # catalog: the server compiles it at start.
    in_tree = InstalledServer(python, source)
    in_tree.start()
    try:
        assert installed_pblapp(python, source) == source / "pblapp"
        assert "Gå med i ett möte" in requests.get(in_tree.url + "/j", timeout=10).text
    finally:
        in_tree.stop()
    assert (source / CATALOG).is_file()
    assert "Compiled the translations" in in_tree.log.read_text()
    assert "WARNING" not in in_tree.log.read_text()

    # The installed catalog is deleted: compiled again at start from its .po.
    (package.parent / CATALOG).unlink()
    server.start()
    try:
        assert "Gå med i ett möte" in requests.get(server.url + "/j", timeout=10).text
    finally:
        server.stop()

    # And with its .po gone too: the server says so at start instead of quietly serving
    # English.
    (package.parent / CATALOG).unlink()
    (package.parent / CATALOG).with_suffix(".po").unlink()
    server.start()
    try:
        assert "Gå med i ett möte" not in requests.get(server.url + "/j", timeout=10).text
    finally:
        server.stop()
    assert "WARNING: the Swedish translations are not compiled" in server.log.read_text()


def test_an_editable_install_from_a_clean_clone_compiles_the_catalog(tmp_path):
    source = clean_copy(tmp_path)
    python = fresh_venv(tmp_path)
    pip("--python", str(python), "install", "--no-deps", "--editable", str(source))
    assert installed_pblapp(python, tmp_path) == source / "pblapp"
    assert (source / CATALOG).is_file()
    said = subprocess.run(
        [
            str(python),
            "-c",
            "import gettext, pblapp, os; print(gettext.translation('messages', "
            "os.path.join(os.path.dirname(pblapp.__file__), 'translations'), ['sv'])"
            ".gettext('Join a meeting'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert said.strip() == "Gå med i ett möte"
