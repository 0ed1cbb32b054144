"""A phone that slept: its socket died without a close frame (the Wi-Fi forgot the
connection), so the page still believes it is connected. In real Chromium, through a TCP
relay that can go silent, against a real server: the phone finds out when it comes back to
the front, connects anew and sends what waited, stored once."""

from __future__ import annotations

import socket
import threading

import pytest
from playwright.sync_api import expect

import test_browser
from helpers import free_port
from test_browser import PHONE, join, own_post, post

browser, contexts, meeting = test_browser.browser, test_browser.contexts, test_browser.meeting
pytestmark = [pytest.mark.browser, pytest.mark.server]


class SilentRelay:
    """Relays TCP connections to a port. ``go_silent()`` makes every connection open at that
    moment stop carrying bytes, both ways, without closing it (as a dropped Wi-Fi
    association does); connections made afterwards are relayed as usual."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.silenced: list[threading.Event] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            silent = threading.Event()
            with self.lock:
                self.silenced.append(silent)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pipe, args=(source, sink, silent), daemon=True
                ).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket, silent: threading.Event) -> None:
        try:
            while data := source.recv(65536):
                if silent.is_set():
                    continue  # swallowed: neither end hears anything more
                sink.sendall(data)
        except OSError:
            pass

    def go_silent(self) -> None:
        with self.lock:
            for silent in self.silenced:
                silent.set()

    def close(self) -> None:
        self.listener.close()


def test_a_phone_back_from_sleep_reconnects_and_sends_what_waited(meeting, contexts):
    port = int(meeting["url"].rsplit(":", 1)[1])
    relay = SilentRelay(port)
    try:
        phone = contexts(**PHONE).new_page()
        base = f"http://127.0.0.1:{relay.port}"
        join(phone, f"{base}/j/{meeting['join_code']}", "Anna", "FK")
        post(phone, "Före sömnen", None)
        expect(own_post(phone, "Före sömnen")).to_contain_text("Levererat")

        relay.go_silent()
        post(phone, "Skrivet när telefonen vaknade", "solution")
        # Sent into the silent socket: no ack comes, so it waits in the outbox.
        expect(own_post(phone, "Skrivet när telefonen vaknade")).not_to_contain_text(
            "Levererat", timeout=1500
        )
        # The screen is turned on again: the page doubts its socket, finds it dead and
        # connects anew through a connection that carries bytes.
        phone.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

        expect(own_post(phone, "Skrivet när telefonen vaknade")).to_contain_text(
            "Levererat", timeout=10_000
        )
        stored = test_browser.contributions_via_api(meeting)
        texts = [c["text"] for c in stored]
        assert texts == ["Före sömnen", "Skrivet när telefonen vaknade"]
    finally:
        relay.close()
