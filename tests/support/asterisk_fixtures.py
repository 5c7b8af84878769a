# Rules: the pytest face of the real-Asterisk harness. One Asterisk per test session,
# started on first use and stopped at the end; each test that takes `pbx` gets it reset
# (every channel hung up, its own dialplan removed) and a log mark, so a test can assert
# that it caused no WARNING or ERROR. Skips with the reason where Asterisk (or espeak-ng,
# for the prompts) is missing. A folder uses these fixtures by importing them into its
# conftest.py: `from asterisk_fixtures import asterisk, pbx, prompt_sounds` (noqa F401).
"""Fixtures for tests on a real Asterisk (see the module docstring of each helper).

Fixtures
- ``asterisk`` (session): a started :class:`real_asterisk.AsteriskPbx`.
- ``pbx`` (per test): the same object, reset after the test; ``pbx.mark`` is the log
  position at the test's start (``pbx.log_problems(pbx.mark)`` = its WARNING/ERROR lines).
- ``prompt_sounds`` (session): a sounds folder with every catalog prompt in Vietnamese and
  English, spoken by espeak-ng (``<dir>/<lang>/<id>.wav``); it is also the dialplan's
  HOTLINE_SOUNDS.

What an AsteriskPbx gives a test
- ``pbx.host`` (127.0.0.1), ``pbx.ami_port``; the shipped dialer user
  ``real_asterisk.DIALER_USER`` with ``pbx.dialer_secret``, as ``pbx.dialer_ami_url``
  (``ami://hotline-dialer:SECRET@127.0.0.1:PORT``); an all-powerful test user
  ``real_asterisk.TEST_USER`` / ``pbx.test_secret`` (Originate of Application=AGI needs
  the `system` class, which the dialer user has not).
- ``pbx.agi_port``: where the dialplan's [globals] send FastAGI; the test runs our server
  there, e.g. ``FastAgiServer(ROUTES, host=pbx.host, port=pbx.agi_port, sounds_dir=...)``.
- ``pbx.caller_port``: where the scripted test caller listens (scripted_caller.py).
- ``pbx.rx("dialplan show hotline-outbound")``: ``asterisk -rx``; ``pbx.log_text(since)``,
  ``pbx.log_problems(since)``; ``pbx.set_dialplan(name, text)`` adds a test's own contexts
  (``None`` removes them; the ``pbx`` fixture removes them after the test).
- The test network (asterisk_overlay/test-network.conf): dial string
  ``real_asterisk.TEST_NETWORK`` = ``Local/{number}@test-pstn``; the number's last digit:
  0 unallocated, 1 answers after 2 s and presses 1, 2 busy, 3 rings forever,
  4 congestion, 5 answers and hangs up, 6 answering machine, 7 rejected (cause 21),
  8 a person for AMD, 9 the scripted test caller (``caller.expect_callee(number, script)``).
  The network's Q.850 cause is on the Hangup event of ``<ChannelId>;2`` (docs/real-asterisk.md).
"""

from __future__ import annotations

import pytest
from espeak_prompts import make_prompts
from espeak_prompts import missing_reason as espeak_missing
from real_asterisk import AsteriskPbx
from real_asterisk import missing_reason as asterisk_missing

from ivr.catalog import LANGS


@pytest.fixture(scope="session")
def prompt_sounds(request, tmp_path_factory):
    reason = espeak_missing()
    if reason:
        pytest.skip(reason)
    cache = request.config.cache.mkdir("espeak-prompts")
    sounds = tmp_path_factory.mktemp("sounds")
    for lang in LANGS:  # a caller who presses 9 hears English
        make_prompts(sounds, cache, lang)
    return sounds


@pytest.fixture(scope="session")
def asterisk(request, tmp_path_factory):
    reason = asterisk_missing()
    if reason:
        pytest.skip(reason)
    sounds = request.getfixturevalue("prompt_sounds") if not espeak_missing() else None
    workdir = tmp_path_factory.mktemp("asterisk")
    pbx = AsteriskPbx(workdir, sounds_dir=sounds or workdir / "no-sounds")
    pbx.start()
    yield pbx
    pbx.stop()


@pytest.fixture
def pbx(asterisk):
    asterisk.mark = asterisk.log_mark()
    yield asterisk
    asterisk.hangup_all()
    asterisk.clear_dialplan()
