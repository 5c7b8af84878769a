"""Tests on a real Asterisk: the harness's fixtures (tests/support/asterisk_fixtures.py)."""

from asterisk_fixtures import asterisk, pbx, prompt_sounds  # noqa: F401
