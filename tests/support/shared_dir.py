"""Where ../shared (DESIGN.md, the real Asterisk traces) lives for this checkout.

CI clones the repo into another folder with a copy of shared/ beside it; a developer's
checkout has it beside the repo too. HOTLINE_SHARED_DIR overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    candidates = [os.environ.get("HOTLINE_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "fixtures" / "asterisk").is_dir():
            return Path(candidate)
    raise FileNotFoundError("../shared/fixtures/asterisk not found; set HOTLINE_SHARED_DIR")


SHARED = shared_dir()
FIXTURES = SHARED / "fixtures" / "asterisk"
AGI_TRACES = FIXTURES / "agi"
AMI_TRACES = FIXTURES / "ami"
