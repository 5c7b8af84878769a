# Rules: a report shows a phone masked unless the analyst asked for --unmask (and that export
# is audited). The mask keeps what helps without identifying: the country and network
# prefix and the last three digits. Text that is not a number (a caller id "anonymous")
# stays as it is: there is nothing to hide in it.
"""Phone numbers as reports show them: +84905123456 -> +8490****456."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if not any(ch.isdigit() for ch in phone):
        return phone
    head = 5 if phone.startswith("+") else 3
    hidden = len(phone) - head - 3
    if hidden < 2:  # an extension or a short code: only its last two digits show
        return "*" * len(phone) if len(phone) <= 3 else "*" * (len(phone) - 2) + phone[-2:]
    return phone[:head] + "*" * hidden + phone[-3:]
