"""The Channel of an Originate, from the configured template and a contact's phone.

Rules (DESIGN.md "Wiring to Asterisk"): the template names `{number}` (national form,
0xxxxxxxxx) and/or `{e164}` (+84…), nothing else; the phone is E.164 from our own tables,
and anything but digits after the plus is refused rather than sent to the PBX.
"""

from __future__ import annotations

import string

from store.errors import UserError
from store.phones import national_form

DEFAULT_DIAL_STRING = "PJSIP/{number}@trunk"
_FIELDS = {"number", "e164"}


def check_template(template: str) -> str:
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise UserError(f"cannot read --dial-string {template!r}: {exc}") from None
    if not names or not names <= _FIELDS or "/" not in template:
        raise UserError(
            f"--dial-string {template!r} must be TECH/… with {{number}} (0xxxxxxxxx) or "
            "{e164} (+84…), e.g. PJSIP/{number}@trunk"
        )
    return template


def dial_string(template: str, e164: str) -> str:
    if not (e164.startswith("+") and e164[1:].isdigit()):
        raise ValueError(f"not an E.164 number: {e164!r}")
    return template.format(number=national_form(e164), e164=e164)
