"""Secrets stay secret: `db init` writes the signing secret privately and never shows it, a
config file others can open is refused, passwords on the command line are warned about."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from cli.settings import Settings, redact_url, warn_if_secret_in_argv

HOTLINE = str(Path(sys.executable).with_name("hotline"))


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A folder with no config and no HOTLINE_SECRET: what an operator's first run sees."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOTLINE_SECRET", raising=False)
    monkeypatch.delenv("HOTLINE_CONFIG", raising=False)
    return tmp_path


def hotline(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def secret_in(path: Path) -> str:
    return re.search(r'^secret = "([0-9a-f]{64})"$', path.read_text(), re.MULTILINE)[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_init_writes_a_private_secret_once_and_never_shows_it(fresh):
    first = hotline("--database-url", "sqlite:///h.db", "db", "init")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[1] == (
        "wrote a new signing secret to hotline.toml ([security] secret)"
    )
    config = fresh / "hotline.toml"
    secret = secret_in(config)
    assert mode(config) == 0o600
    assert secret not in first.stdout + first.stderr
    assert Settings.load(environ={}).signing_secret == secret.encode()
    again = hotline("--database-url", "sqlite:///h.db", "db", "init")
    assert "secret" not in again.stdout and secret_in(config) == secret


def test_the_secret_joins_an_existing_config_which_keeps_its_comments(fresh):
    config = fresh / "site.toml"
    text = '# our PBX\n[agi]\nhost = "127.0.0.1"  # local Asterisk\n\n[security]\n# (none yet)\n'
    config.write_text(text)
    config.chmod(0o644)
    result = hotline("--config", "site.toml", "--database-url", "sqlite:///h.db", "db", "init")
    assert result.exit_code == 0, result.output
    new = config.read_text()
    assert new.startswith('# our PBX\n[agi]\nhost = "127.0.0.1"  # local Asterisk\n\n[security]\n')
    assert new.endswith("# (none yet)\n")
    assert mode(config) == 0o600
    settings = Settings.load("site.toml", environ={})
    assert settings.section("agi") == {"host": "127.0.0.1"}
    assert settings.signing_secret == secret_in(config).encode()


def test_a_config_we_cannot_edit_safely_is_left_alone(fresh):
    config = fresh / "hotline.toml"
    config.write_text('security = { note = "inline" }\n')
    config.chmod(0o600)
    result = hotline("--database-url", "sqlite:///h.db", "db", "init")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot add [security] secret to hotline.toml automatically; add a line "
        'secret = "<64 random hex digits>" to its [security] table (or set HOTLINE_SECRET)\n'
    )
    assert config.read_text() == 'security = { note = "inline" }\n'


@pytest.mark.parametrize(
    "text",
    [
        '[security]\nsecret = "0123456789abcdef0123"\n',
        '[ami]\nsecret = "pbx-password"\n',
        '[ami]\nurl = "ami://hotline:pbx-password@10.0.0.2:5038"\n',
        '[database]\nurl = "postgresql+psycopg://hotline:db-password@10.0.0.3/hotline"\n',
    ],
)
def test_a_config_holding_a_secret_that_others_can_open_is_refused(fresh, text):
    config = fresh / "hotline.toml"
    config.write_text(text)
    config.chmod(0o640)
    result = hotline("cases", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: config file hotline.toml holds a secret but other users may open it "
        "(mode 0640); run: chmod 600 hotline.toml\n"
    )
    config.chmod(0o600)
    assert Settings.load(environ={}).raw


def test_a_config_without_secrets_may_be_world_readable(fresh):
    config = fresh / "hotline.toml"
    config.write_text('[agi]\nport = 4600\n[ami]\nurl = "ami://hotline@10.0.0.2:5038"\n')
    config.chmod(0o644)
    assert Settings.load(environ={}).section("agi") == {"port": 4600}


def test_a_short_secret_is_refused_with_the_fix(fresh, monkeypatch):
    monkeypatch.setenv("HOTLINE_SECRET", "short")
    result = hotline("cases", "list")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: HOTLINE_SECRET is too short (5 characters); use at least 16 random ones, "
        "e.g. delete it and run `hotline db init`\n"
    )


def test_the_ami_password_comes_from_the_config_or_environment(fresh):
    config = fresh / "hotline.toml"
    config.write_text('[ami]\nurl = "ami://hotline@10.0.0.2:5038"\nsecret = "p@ss word"\n')
    config.chmod(0o600)
    settings = Settings.load(environ={})
    assert settings.ami_url == "ami://hotline:p%40ss%20word@10.0.0.2:5038"
    assert redact_url(settings.ami_url) == "ami://hotline:***@10.0.0.2:5038"
    assert "p@ss word" in settings.secret_values()
    env = {"HOTLINE_AMI_SECRET": "from-env-pw", "HOTLINE_SECRET": "x" * 20}
    settings = Settings.load(environ=env, ami_url="ami://dialer@10.0.0.9:5038")
    assert settings.ami_url == "ami://dialer:from-env-pw@10.0.0.9:5038"
    assert set(settings.secret_values()) == {"from-env-pw", "x" * 20}
    assert "x" * 20 not in repr(settings)
    assert Settings().secret_values() == ()  # the default AMI URL's password is no secret


def test_a_password_on_the_command_line_is_warned_about(monkeypatch, capsys):
    url = "ami://hotline:pw-on-argv@10.0.0.2:5038"
    monkeypatch.setattr(sys, "argv", ["hotline", "dialer", "run", "--ami-url", url])
    monkeypatch.setattr("cli.settings._warned", set())
    assert warn_if_secret_in_argv(url) is True
    assert warn_if_secret_in_argv(url) is False  # once per process
    assert capsys.readouterr().err == (
        "Warning: the password in --ami-url is visible to every user of this machine (ps); "
        "put the URL in HOTLINE_AMI_URL or the config file instead\n"
    )
    monkeypatch.setattr("cli.settings._warned", set())
    assert warn_if_secret_in_argv("ami://hotline:from-env@10.0.0.2:5038") is False
    assert warn_if_secret_in_argv("ami://hotline@10.0.0.2:5038") is False


def test_a_database_password_on_the_command_line_is_warned_about_and_never_shown(tmp_path):
    bad_port = "postgresql+psycopg://hotline:pw-in-ps@127.0.0.1:port/hotline"
    env = {k: v for k, v in os.environ.items() if k != "HOTLINE_CONFIG"}
    run = subprocess.run(
        [HOTLINE, "--database-url", bad_port, "db", "init"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.splitlines() == [
        "Warning: the password in --database-url is visible to every user of this machine "
        "(ps); put the URL in HOTLINE_DATABASE_URL or the config file instead",
        "Error: cannot read database URL 'postgresql+psycopg://hotline:***@127.0.0.1:port/"
        "hotline'; fix --database-url or HOTLINE_DATABASE_URL",
    ]


def test_an_unreachable_database_error_shows_no_password():
    result = hotline(
        "--database-url", "postgresql+psycopg://u:pw-unseen@127.0.0.1:1/x", "db", "init"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot connect to the database: ")
    assert "pw-unseen" not in result.output


def test_the_dialer_will_not_place_unsigned_calls(fresh):
    result = hotline("--database-url", "sqlite:///h.db", "dialer", "run")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no signing secret: run `hotline db init` (it writes one into hotline.toml) "
        "or set HOTLINE_SECRET\n",
    )
