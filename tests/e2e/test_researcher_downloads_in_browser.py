"""A granted researcher in a real Chromium against a real server: logs in, writes down a
case story on the group page, downloads the group archive from there and opens its
log.xlsx.

Debian's Chromium is driven through Playwright's sync API, as in test_browser.py.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
import requests
import socketio

from conftest import PASSWORD
from helpers import new_user_token
from pblapp import ops
from pblapp.db import Database
from pblapp.domain.exports import CSV_COLUMNS

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    message = "Debian's chromium is not installed: apt-get install chromium"
    if os.environ.get("CI") == "true":
        raise RuntimeError(message)
    pytest.skip(message, allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)
RESEARCHER = "Forskare Frida"
POSTS = ["=1+1", "Vad innebär dag 180?"]


def a_group_with_posts(process, token) -> dict:
    """A group whose live meeting has two posts from one phone (over its real socket)."""
    api, headers = process.url + "/api/v1", {"Authorization": f"Bearer {token}"}
    group = requests.post(
        f"{api}/groups", json={"name": "Basgrupp Motala", "kind": "pbl"}, headers=headers, timeout=5
    ).json()
    meeting = requests.post(
        f"{api}/groups/{group['id']}/meetings", json={}, headers=headers, timeout=5
    ).json()
    requests.post(f"{api}/meetings/{meeting['id']}/start", headers=headers, timeout=5)
    joined = requests.post(
        f"{process.url}/j/{meeting['join_code']}",
        json={"display_name": "Anna Andersson", "organization": "FK"},
        timeout=5,
    ).json()
    phone = socketio.Client(reconnection=False)
    phone.connect(
        process.url, auth={"token": joined["token"]}, transports=["websocket"], wait_timeout=10
    )
    for text in POSTS:
        ack = phone.call(
            "contribution:add",
            {"client_id": str(uuid.uuid4()), "text": text, "qtype": "value"},
            timeout=10,
        )
        assert ack["ok"], ack
    phone.disconnect()
    return group


def test_a_granted_researcher_downloads_the_archive_and_opens_its_log_xlsx(server, tmp_path):
    process, token = server
    group = a_group_with_posts(process, token)
    researcher_token = new_user_token(process.data_dir, RESEARCHER, role="researcher")
    database = Database(process.data_dir / "pblapp.sqlite3")
    try:
        researcher = ops.accounts.user_for_api_token(database, researcher_token)
        ops.groups.grant(database, group["id"], researcher["id"])
    finally:
        database.close()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(accept_downloads=True)
            page = context.new_page()
            page.goto(process.url + "/")
            page.fill("input[name=name]", RESEARCHER)
            page.fill("input[name=password]", PASSWORD)
            page.locator("input[name=password]").press("Enter")
            page.wait_for_load_state()
            page.goto(f"{process.url}/groups/{group['id']}")
            downloads = page.get_by_test_id("downloads")
            expect(downloads).to_be_visible()

            # A story told in the meeting, written down by the researcher afterwards.
            page.locator(".case-new summary").click()
            form = page.get_by_test_id("case-form")
            form.get_by_test_id("case-text").fill("Hon fick tillbaka jobbet när alla möttes.")
            form.get_by_test_id("case-outcome").select_option("successful")
            form.get_by_test_id("case-organization").select_option("AF")
            form.get_by_test_id("case-save").click()
            page.wait_for_load_state()
            expect(page.get_by_test_id("case-story")).to_have_count(1)
            expect(page.get_by_test_id("case-story")).to_contain_text("Hon fick tillbaka jobbet")

            with page.expect_download() as download_info:
                page.get_by_test_id("download-archive").click()
            download = download_info.value
            assert download.suggested_filename == f"group-{group['id']}-archive.zip"
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
        finally:
            browser.close()

    archive = zipfile.ZipFile(saved)
    assert "README.txt" in archive.namelist()
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("log.xlsx"))).active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == list(CSV_COLUMNS)
    text_column = CSV_COLUMNS.index("text")
    texts = [row[text_column] for row in rows[1:]]
    assert [cell.value for cell in texts] == POSTS
    assert texts[0].data_type == "s"  # "=1+1" is the participant's text, not a formula
    assert "Anna" not in archive.read("log.csv").decode("utf-8")
    cases = list(csv.DictReader(io.StringIO(archive.read("cases.csv").decode(), newline="")))
    assert [(c["source"], c["outcome"], c["organization"]) for c in cases] == [
        ("typed", "successful", "AF")
    ]


def test_the_facilitator_marks_a_post_as_a_case_story_in_the_console(server):
    process, token = server
    group = a_group_with_posts(process, token)
    api, headers = process.url + "/api/v1", {"Authorization": f"Bearer {token}"}
    meeting = requests.get(f"{api}/groups/{group['id']}", headers=headers, timeout=5).json()[
        "meetings"
    ][0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(process.url + "/")
            page.fill("input[name=name]", "Handledare Hanna")
            page.fill("input[name=password]", PASSWORD)
            page.locator("input[name=password]").press("Enter")
            page.wait_for_load_state()
            page.goto(f"{process.url}/meetings/{meeting['id']}")
            post = page.get_by_test_id("contribution").filter(has_text="dag 180")
            post.get_by_test_id("more").click()  # the case story is under the post's "More"
            post.get_by_test_id("case-story").locator("summary").click()
            # The narrator is the author unless the facilitator says otherwise.
            expect(post.get_by_test_id("case-organization")).to_have_value("FK")
            post.get_by_test_id("case-outcome").select_option("failed")
            post.get_by_test_id("case-problem").fill("Ingen tog ansvar")
            post.get_by_test_id("case-save").click()
            expect(post.get_by_test_id("case-story-saved")).to_be_visible()
            # A second time is refused, and the refusal shows on the post.
            post.get_by_test_id("case-story").locator("summary").click()
            post.get_by_test_id("case-save").click()
            expect(post.get_by_test_id("item-error")).to_be_visible()
            # After a reload the console still shows which post is a case story.
            page.reload()
            post = page.get_by_test_id("contribution").filter(has_text="dag 180")
            expect(post.get_by_test_id("case-story-saved")).to_be_visible()
            other = page.get_by_test_id("contribution").filter(has_text="=1+1")
            expect(other.get_by_test_id("case-story-saved")).to_be_hidden()
        finally:
            browser.close()
    cases = requests.get(f"{api}/groups/{group['id']}/cases", headers=headers, timeout=5).json()
    assert [(c["text"], c["organization"], c["outcome"], c["problem"]) for c in cases] == [
        ("Vad innebär dag 180?", "FK", "failed", "Ingen tog ansvar")
    ]
