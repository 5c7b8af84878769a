"""Lets the IVR tests import their helpers (agi_fakes.py, ../support) with importlib mode."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (str(HERE), str(HERE.parent)):
    if folder not in sys.path:
        sys.path.insert(0, folder)
