"""Configuration: command-line option, then environment, then hotline.toml, then default.

Rules for secrets (the signing secret, the AMI password, a database password): they come
from the environment or the config file; one given on the command line is accepted with a
warning, because `ps` shows every process's arguments to every user. A config file that
holds a secret must be private to its owner (mode 0600 or stricter), else every command
refuses to run and says which chmod fixes it. Secrets are never printed or logged: the CLI
registers them with store.logmask.hide_in_logs, and `redact_url` is what messages may show.
"""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import click

from store.errors import UserError

DEFAULT_DATABASE_URL = "sqlite:///var/hotline.db"
DEFAULT_AMI_URL = "ami://hotline:hotline@127.0.0.1:5038"
DEFAULT_CONFIG_FILE = "hotline.toml"
MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    ami_url: str = DEFAULT_AMI_URL
    config_path: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    signing_secret: bytes | None = field(default=None, repr=False)

    @classmethod
    def load(
        cls,
        config_path: str | None = None,
        database_url: str | None = None,
        ami_url: str | None = None,
        environ: dict[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        raw = _read_config(config_path)
        url = _first(ami_url, env.get("HOTLINE_AMI_URL"), _dig(raw, "ami", "url"), DEFAULT_AMI_URL)
        ami_secret = env.get("HOTLINE_AMI_SECRET") or _dig(raw, "ami", "secret")
        return cls(
            database_url=_first(
                database_url,
                env.get("HOTLINE_DATABASE_URL"),
                _dig(raw, "database", "url"),
                DEFAULT_DATABASE_URL,
            ),
            ami_url=with_password(url, ami_secret) if ami_secret else url,
            config_path=config_path,
            raw=raw,
            signing_secret=_signing_secret(env, raw),
        )

    @property
    def config_file(self) -> Path:
        """The file this run reads (or `db init` would create): --config, else hotline.toml."""
        return Path(self.config_path or DEFAULT_CONFIG_FILE)

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    def require_signing_secret(self) -> bytes:
        """The secret the dialer signs attempts with; a UserError saying how to get one."""
        if not self.signing_secret:
            raise UserError(
                "no signing secret: run `hotline db init` (it writes one into "
                f"{self.config_file}) or set HOTLINE_SECRET"
            )
        return self.signing_secret

    def secret_values(self) -> tuple[str, ...]:
        """Every secret this run knows, for store.logmask.hide_in_logs (not the default
        AMI password, which is no secret and a word logs use)."""
        values = [url_password(self.database_url)]
        if self.ami_url != DEFAULT_AMI_URL:
            values.append(url_password(self.ami_url))
        if self.signing_secret:
            values.append(self.signing_secret.decode("utf-8", "replace"))
        return tuple(v for v in values if v)


def _signing_secret(env, raw: dict[str, Any]) -> bytes | None:
    from_env = env.get("HOTLINE_SECRET")
    value = from_env or _dig(raw, "security", "secret")
    if not value:
        return None
    if len(value) < MIN_SECRET_LENGTH:
        where = "HOTLINE_SECRET" if from_env else "[security] secret in the config file"
        raise UserError(
            f"{where} is too short ({len(value)} characters); use at least "
            f"{MIN_SECRET_LENGTH} random ones, e.g. delete it and run `hotline db init`"
        )
    return value.encode("utf-8")


def url_password(url: str) -> str:
    try:
        password = urlsplit(url).password
    except ValueError:
        return ""
    return unquote(password) if password else ""


def with_password(url: str, password: str) -> str:
    """The URL with this password, e.g. for [ami] url without one plus [ami] secret."""
    parts = urlsplit(url)
    if parts.password or not parts.username:
        return url
    user = parts.netloc.rsplit("@", 1)[0]
    host = parts.netloc.rsplit("@", 1)[1]
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return parts._replace(netloc=netloc).geturl()


def redact_url(url: str) -> str:
    """The URL with any password shown as ***, for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    return parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}").geturl()


_warned: set[str] = set()


def warn_if_secret_in_argv(url: str | None, option: str = "--ami-url") -> bool:
    """Warns on stderr, once per process, when this option value carries a password and is
    on our command line (which `ps` shows); True when it warned. `dialer run --ami-url` and
    `hotline --database-url` call it with the option's value as given."""
    if not url or not url_password(url) or not any(url in arg for arg in sys.argv[1:]):
        return False
    if option in _warned:
        return False
    _warned.add(option)
    env = "HOTLINE_AMI_URL" if option == "--ami-url" else "HOTLINE_DATABASE_URL"
    click.echo(
        f"Warning: the password in {option} is visible to every user of this machine "
        f"(ps); put the URL in {env} or the config file instead",
        err=True,
    )
    return True


def _first(*values: str | None) -> str:
    return next(v for v in values if v)


def _dig(raw: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        if not isinstance(raw, dict):
            return None
        raw = raw.get(key)
    return raw if isinstance(raw, str) else None


def _read_config(config_path: str | None) -> dict[str, Any]:
    path = Path(config_path) if config_path else Path(DEFAULT_CONFIG_FILE)
    if not path.exists():
        if config_path:
            raise UserError(
                f"config file {config_path} not found (check --config or HOTLINE_CONFIG)"
            )
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"config file {path} is not valid TOML: {exc}") from None
    _refuse_if_open_to_others(path, raw)
    return raw


def holds_secret(raw: dict[str, Any]) -> bool:
    """True when a config names the signing secret, an AMI secret or a URL password."""
    return bool(
        _dig(raw, "security", "secret")
        or _dig(raw, "ami", "secret")
        or url_password(_dig(raw, "ami", "url") or "")
        or url_password(_dig(raw, "database", "url") or "")
    )


def _refuse_if_open_to_others(path: Path, raw: dict[str, Any]) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077 and holds_secret(raw):
        raise UserError(
            f"config file {path} holds a secret but other users may open it "
            f"(mode {mode:04o}); run: chmod 600 {path}"
        )
