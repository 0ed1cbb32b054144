"""The app's settings: its secret key, its time zone, and the URL phones are given."""

from pblapp import create_app
from pblapp.netinfo import base_url


def test_the_generated_secret_key_is_private_to_its_owner(tmp_path, monkeypatch):
    monkeypatch.delenv("PBLAPP_SECRET_KEY", raising=False)
    create_app({"DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    first = (tmp_path / "secret_key").read_text()
    create_app({"DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == first


def test_an_unknown_time_zone_falls_back_to_utc(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "TIMEZONE": "Mars/Olympus"})
    assert app.config["TIMEZONE"] == "UTC"


def test_without_a_public_url_phones_get_the_lan_address_never_localhost(monkeypatch):
    monkeypatch.setattr("pblapp.netinfo.lan_address", lambda: "10.20.30.40")
    assert base_url(None, 5000) == "http://10.20.30.40:5000"
    assert base_url("https://moten.example.se/", 5000) == "https://moten.example.se"
