"""Configuration: command-line option, then environment, then hotline.toml, then default.

Secrets (the AMI password) come from the environment or the config file and are never
printed; `Settings.redacted()` is what logs may show.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import UserError

DEFAULT_DATABASE_URL = "sqlite:///var/hotline.db"
DEFAULT_AMI_URL = "ami://hotline:hotline@127.0.0.1:5038"
DEFAULT_CONFIG_FILE = "hotline.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    ami_url: str = DEFAULT_AMI_URL
    config_path: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

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
        return cls(
            database_url=_first(
                database_url,
                env.get("HOTLINE_DATABASE_URL"),
                _dig(raw, "database", "url"),
                DEFAULT_DATABASE_URL,
            ),
            ami_url=_first(
                ami_url, env.get("HOTLINE_AMI_URL"), _dig(raw, "ami", "url"), DEFAULT_AMI_URL
            ),
            config_path=config_path,
            raw=raw,
        )

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}


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
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"config file {path} is not valid TOML: {exc}") from None
