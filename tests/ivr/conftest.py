"""Lets the IVR tests import agi_fakes.py with importlib mode (../support is on pythonpath)."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (str(HERE),):  # not tests/: its pbxsim/ folder would shadow the package
    if folder not in sys.path:
        sys.path.insert(0, folder)
