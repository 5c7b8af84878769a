"""`hotline agi serve` as deployed: whom it accepts, and what its log may show. A real
process with a private config file; calls dialed over loopback TCP; then its whole output
is searched for phone numbers, the secrets and the attempt token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from agi_fakes import ScriptedAsterisk, dial, header_block
from click.testing import CliRunner
from suite_secrets import AMI_PASSWORD

from cli import main as hotline
from store.attempt_token import make_token
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import CallAttempt, Campaign, Contact

HOTLINE = str(Path(sys.executable).with_name("hotline"))
SECRET = "serve-log-test-secret-8e1d0b7c6a"
CALLER = "0905123456"
CALLEE = "+84905000041"
NOW = datetime(2021, 10, 9, 1, 0, tzinfo=UTC)


def test_a_bind_other_machines_reach_needs_an_allowlist():
    result = CliRunner().invoke(hotline, ["agi", "serve", "--host", "0.0.0.0"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: --host 0.0.0.0 lets other machines connect; name the Asterisk server(s) "
        'allowed to, e.g. --allow 10.0.0.5 (or [agi] allow = ["10.0.0.5"] in hotline.toml)\n',
    )


def test_a_bad_allow_entry_is_one_line():
    result = CliRunner().invoke(hotline, ["agi", "serve", "--allow", "10.0.0.5/24"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: --allow 10.0.0.5/24 has host bits set; write --allow 10.0.0.0/24 for the "
        "network or --allow 10.0.0.5 for the one host\n",
    )


@pytest.fixture
def deployment(tmp_path):
    """A database with attempt 41 and a private config naming it, the secret, AMI and the
    allowlist (127.0.0.1 only: 127.0.0.2 plays a stranger)."""
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine).begin() as s:
        campaign = Campaign(name="F0-7 notice", created_at=NOW)
        s.add(campaign)
        s.flush()
        contact = Contact(campaign_id=campaign.id, phone=CALLEE, created_at=NOW, why=[])
        s.add(contact)
        s.flush()
        s.add(
            CallAttempt(
                id=41, contact_id=contact.id, number="0905000041", channel_id="hotline-41",
                originated_at=NOW,
            )
        )  # fmt: skip
    engine.dispose()
    config = tmp_path / "hotline.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n'
        f'[ami]\nurl = "ami://hotline:{AMI_PASSWORD}@127.0.0.1:5038"\n'
        f'[security]\nsecret = "{SECRET}"\n'
        '[agi]\nallow = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    return config


def serve_and_call(config: Path, *options: str) -> str:
    """Runs agi serve, places an inbound call, a genuine notice, a forged one and a stranger's
    connection, stops it; returns everything it wrote (stdout and stderr)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("HOTLINE_SECRET", "HOTLINE_DATABASE_URL")
    }
    token = make_token(SECRET.encode(), 41, "hotline-41")

    async def main():
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "--config", str(config), "agi", "serve", "--port", "0", *options,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        port = int(first.split(":")[1].split(";")[0])
        inbound = await dial(port, ScriptedAsterisk(["0"]), header_block("ivr", CALLER))
        assert inbound.log[-1] == "exec Goto hotline-operator,s,1"
        notice = await dial(port, ScriptedAsterisk([]), header_block("notice", CALLEE, [token]))
        assert "play notice-exposure" in notice.log
        forged = header_block("notice", CALLEE, ["41." + "f" * 64])
        assert (await dial(port, ScriptedAsterisk(["9"]), forged)).log[-2:] == [
            "play goodbye",
            "hangup",
        ]
        _, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.2", 0))
        writer.close()
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err
        return first + out.decode() + err.decode()

    return asyncio.run(main())


def unmasked(text: str) -> list[str]:
    forms = [CALLER, CALLER[1:], "84" + CALLER[1:], CALLEE, CALLEE[1:], "0" + CALLEE[3:]]
    return [form for form in forms if form in text]


def test_the_log_shows_no_phone_number_no_secret_no_token(deployment):
    logged = serve_and_call(deployment)
    assert "accepting connections from 127.0.0.1\n" in logged
    assert f"route 'ivr' from {CALLER[:3]}****{CALLER[-3:]}: " in logged
    assert "notice call 1795695559.1 refused: attempt 41: the token's tag is not ours" in logged
    assert "refused a FastAGI connection from 127.0.0.2" in logged
    assert "stopped after 3 call(s), refused 1 connection(s)" in logged
    assert unmasked(logged) == []
    for secret in (SECRET, AMI_PASSWORD, make_token(SECRET.encode(), 41, "hotline-41")[3:]):
        assert secret not in logged


def test_log_phones_shows_numbers_for_debugging_but_still_no_secret(deployment):
    logged = serve_and_call(deployment, "--log-phones")
    assert "Warning: --log-phones: the log shows callers' full numbers" in logged
    assert f"route 'ivr' from {CALLER}: " in logged
    assert SECRET not in logged and AMI_PASSWORD not in logged
