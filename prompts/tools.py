# Rules: the external programs are found on PATH when a command needs them, never at import.
# A missing one is a UserError naming the Debian package that provides it; a program that
# fails is a ToolError with the last line it printed. Arguments are passed as a list (no
# shell); text to speak goes through stdin, so it can never be read as an option.
"""espeak-ng and ffmpeg, as the prompt tools run them."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from store.errors import UserError

PACKAGES = {"espeak-ng": "espeak-ng", "ffmpeg": "ffmpeg"}


class ToolError(UserError):
    """An external program failed; the message has its last line of output."""


def missing(*programs: str) -> list[str]:
    return [p for p in programs if shutil.which(p) is None]


def require(*programs: str) -> None:
    absent = missing(*programs)
    if absent:
        packages = " ".join(PACKAGES.get(p, p) for p in absent)
        raise UserError(
            f"{' and '.join(absent)} not installed; install with: sudo apt-get install {packages}"
            " (or: make system-deps)"
        )


def run(args: Sequence[str], stdin: bytes | None = None) -> bytes:
    """Run a program to completion; its stdout, or ToolError with its last stderr line."""
    try:
        done = subprocess.run(list(args), input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        require(args[0])
        raise
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ToolError(f"{args[0]} failed: {lines[-1] if lines else f'exit {done.returncode}'}")
    return done.stdout
