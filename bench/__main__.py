"""`make bench`: run every bench/bench_*.py (or those named) one after another.

Each benchmark is a script printing its own figures and its reference; this runner only
sequences them so that they never compete for the two cores.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        failed |= (
            subprocess.call([sys.executable, "-m", f"bench.{script.stem}"], cwd=HERE.parent) != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
