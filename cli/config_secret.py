# Rules: `hotline db init` is the one writer of the config file, and it only ever adds
# [security] secret when no secret is configured. The edit is textual (comments and layout
# stay), checked by re-reading: the result must parse to the same settings plus the new
# secret, else nothing is written. The new file is written beside the old one with mode
# 0600 and renamed over it, so a reader sees the old or the new file, never half of one,
# and the secret is never readable by others even for an instant. The secret is not printed.
"""Generate the signing secret into the config file."""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from pathlib import Path

from store.errors import UserError

_SECURITY_HEADER = re.compile(r"^[ \t]*\[[ \t]*security[ \t]*\][ \t]*(#.*)?$", re.MULTILINE)
NEW_FILE_HEAD = "# hotline configuration (README: Configuration). Keep this file private.\n"
SECRET_COMMENT = "# signs the dialer's call attempts (HOTLINE_ATTEMPT); never share or log it\n"


def write_new_secret(path: Path) -> None:
    """Adds a fresh [security] secret to `path` (created when missing), mode 0600."""
    secret = secrets.token_hex(32)
    old = path.read_text(encoding="utf-8") if path.exists() else None
    new = with_secret(old, secret, path)
    _replace_privately(path.resolve() if old is not None else path, new, shown=path)


def with_secret(old: str | None, secret: str, path: Path) -> str:
    """The config text with `secret = "…"` in its [security] table."""
    line = f'{SECRET_COMMENT}secret = "{secret}"\n'
    if old is None:
        return f"{NEW_FILE_HEAD}\n[security]\n{line}"
    if old and not old.endswith("\n"):
        old += "\n"
    header = _SECURITY_HEADER.search(old)
    if header is None:
        new = old + f"\n[security]\n{line}"
    else:
        cut = header.end() + 1
        new = old[:cut] + line + old[cut:]
    expected = _parse(old, add_secret=secret)
    if expected is None or _parse(new) != expected:
        raise UserError(
            f"cannot add [security] secret to {path} automatically; add a line "
            'secret = "<64 random hex digits>" to its [security] table (or set HOTLINE_SECRET)'
        )
    return new


def _parse(text: str, add_secret: str | None = None) -> dict | None:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if add_secret is not None:
        security = raw.setdefault("security", {})
        if not isinstance(security, dict) or "secret" in security:
            return None
        security["secret"] = add_secret
    return raw


def _replace_privately(path: Path, text: str, shown: Path) -> None:
    """`path` is the real file (a symlink's target is replaced, not the link)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise UserError(f"cannot write {shown}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UserError(f"cannot write {shown}: {exc.strerror}") from None
