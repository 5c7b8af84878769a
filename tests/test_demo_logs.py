"""The demo's log (var/demo/hotline.log) and output keep no full phone number and no secret.

The demo runs as `make demo` does on a fresh folder, with no HOTLINE_SECRET: `db init`
writes var/demo/hotline.toml, whose secret must then appear nowhere."""

from __future__ import annotations

import csv
import re

from click.testing import CliRunner

from cli import main
from store.logmask import install_log_masking
from store.phones import PhoneError, normalize_phone


def forms(e164: str) -> set[str]:
    """How a log line could spell +84xxxxxxxxx: with or without +, or nationally."""
    return {e164, e164[1:], "0" + e164[3:]}


def test_the_demo_log_masks_numbers_and_hides_the_secret(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOTLINE_SECRET", raising=False)
    install_log_masking(show_phones=True)  # the suite masks too: the demo must do it itself
    try:
        result = CliRunner().invoke(
            main, ["demo", "--rows", "400", "--scale", "0.0005"], catch_exceptions=False
        )
    finally:
        install_log_masking(show_phones=False)
    assert result.exit_code == 0, result.output
    config = (tmp_path / "var/demo/hotline.toml").read_text(encoding="utf-8")
    secret = re.search(r'^secret = "([0-9a-f]{64})"$', config, re.MULTILINE)[1]
    log = (tmp_path / "var/demo/hotline.log").read_text(encoding="utf-8")
    assert "route 'ivr' from 091****678: hangup" in log  # the citizen's call, masked
    assert secret not in log and secret not in result.output

    phones = {"+84912345678", "+84905000001"}
    with open(tmp_path / "var/demo/checkins.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            try:
                phones.add(normalize_phone(row["phone"]))
            except PhoneError:
                continue
    leaked = sorted(form for phone in phones for form in forms(phone) if form in log)
    assert len(phones) > 50 and leaked == []
