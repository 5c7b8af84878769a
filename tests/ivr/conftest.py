"""Lets the IVR tests import agi_fakes.py with importlib mode (../support is on pythonpath)."""

import sys
from pathlib import Path

import pytest

from store.db import make_engine, session_factory
from store.migrate import upgrade

HERE = Path(__file__).resolve().parent
for folder in (str(HERE),):  # not tests/: its pbxsim/ folder would shadow the package
    if folder not in sys.path:
        sys.path.insert(0, folder)


@pytest.fixture
def sessions(tmp_path):
    """A session factory on a fresh SQLite database at the newest schema."""
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()
