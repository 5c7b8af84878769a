"""The one exception every package raises for bad input a user can fix.

The CLI prints its message as one line and exits 1; nothing else is shown.
"""


class UserError(Exception):
    """Bad input or a missing prerequisite, explained in one actionable line."""
