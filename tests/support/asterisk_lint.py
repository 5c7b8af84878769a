# Rules: asterisklint (PyPI) on one Asterisk configuration file, run as its own process
# (asterisklint keeps its findings in module globals): extensions*.conf and test-network.conf
# get the dialplan check (syntax, applications, jumps to labels and contexts), every other
# file the generic configuration check. asterisklint 0.4.3 knows Asterisk 13's applications;
# the few newer ones our dialplan uses are named below, as present in the Asterisk the tests
# run (which loads the same files). A dialplan fragment that Asterisk reads through
# #include (test-network.conf) has no [general] and [globals] of its own: only those two
# hints are muted for it. Prints asterisklint's findings; exit 1 when any.
"""`python asterisk_lint.py FILE`: asterisklint on one configuration file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

NEWER_APPS = ("AMD", "WaitForNoise", "StartMusicOnHold", "StopMusicOnHold")
DIALPLANS = ("extensions", "test-network")
FRAGMENT_HINTS = "H_DP_GENERAL_MISPLACED,H_DP_GLOBALS_MISPLACED"


def lint(path: Path) -> int:
    if path.name.startswith(DIALPLANS) and path.name != "extensions.conf":
        os.environ["ALINT_IGNORE"] = FRAGMENT_HINTS  # read when asterisklint is imported
    from asterisklint import FileConfigParser, FileDialplanParser
    from asterisklint.app.base import AppBase
    from asterisklint.application import AppLoader
    from asterisklint.defines import MessageDefManager

    loader = AppLoader()
    for name in NEWER_APPS:
        loader.register(type(name, (AppBase,), {})())
    if path.name.startswith(DIALPLANS):
        parser = FileDialplanParser()
        parser.include(str(path))
        next(iter(parser)).walk_jump_destinations()
    else:
        parser = FileConfigParser()
        parser.include(str(path))
        for _ in parser:
            pass
    return 1 if any(not found[0].muted for found in MessageDefManager.raised.values()) else 0


if __name__ == "__main__":
    sys.exit(lint(Path(sys.argv[1])))
