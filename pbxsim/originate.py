# Action: Originate as manager.c reads it. Rules: the checks and their messages are
# Asterisk's ("Channel not specified", "Invalid priority", "Invalid timeout", "Invalid
# channel"); Timeout is in milliseconds (default 30000); every Variable header is also
# split on commas; CallerID is parsed like ast_callerid_parse (`"Name" <num>`, `<num>`,
# a bare number or a bare name). Pure: an AMI message in, a request or an error out.
"""Parse and validate an Originate action."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pbxsim.amiwire import Message, get, get_all
from pbxsim.events import UNKNOWN

DEFAULT_TIMEOUT_MS = 30000


class OriginateError(ValueError):
    """Bad parameters; str() is Asterisk's Message."""


@dataclass
class OriginateRequest:
    channel: str
    context: str = ""
    exten: str = ""
    priority: int = 1
    application: str = ""
    data: str = ""
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    cid_num: str = UNKNOWN
    cid_name: str = UNKNOWN
    variables: dict[str, str] = field(default_factory=dict)
    account: str = ""
    channel_id: str = ""
    other_channel_id: str = ""
    action_id: str | None = None
    is_async: bool = False


def parse_callerid(text: str) -> tuple[str, str]:
    """(number, name) with <unknown> for the missing parts."""
    text = text.strip()
    if not text:
        return UNKNOWN, UNKNOWN
    m = re.match(r'^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>', text)
    if m:
        name = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
        number = re.sub(r"[\s()\-.]", "", m.group(3))
        return number or UNKNOWN, name or UNKNOWN
    if re.fullmatch(r"[0-9+*#()\-. ]+", text):
        return re.sub(r"[\s()\-.]", "", text), UNKNOWN
    return UNKNOWN, text.strip('"')


def parse_originate(m: Message) -> OriginateRequest:
    channel = get(m, "Channel")
    if not channel:
        raise OriginateError("Channel not specified")
    priority = get(m, "Priority")
    if priority and not re.match(r"^\s*-?\d+", priority):
        raise OriginateError("Invalid priority")
    timeout = get(m, "Timeout")
    if timeout and not re.match(r"^\s*-?\d+", timeout):
        raise OriginateError("Invalid timeout")
    if "/" not in channel:
        raise OriginateError("Invalid channel")
    num, name = parse_callerid(get(m, "CallerID"))
    variables: dict[str, str] = {}
    for header in get_all(m, "Variable"):
        for assignment in header.split(","):
            key, sep, value = assignment.partition("=")
            if sep and key.strip():
                variables[key.strip()] = value
    action_id = get(m, "ActionID") or None
    return OriginateRequest(
        channel=channel,
        context=get(m, "Context"),
        exten=get(m, "Exten"),
        priority=int(re.match(r"^\s*(-?\d+)", priority).group(1)) if priority else 1,
        application=get(m, "Application"),
        data=get(m, "Data"),
        timeout_ms=int(re.match(r"^\s*(-?\d+)", timeout).group(1)) if timeout else 30000,
        cid_num=num,
        cid_name=name,
        variables=variables,
        account=get(m, "Account"),
        channel_id=get(m, "ChannelId"),
        other_channel_id=get(m, "OtherChannelId"),
        action_id=action_id,
        is_async=get(m, "Async").lower() in ("true", "yes", "1", "on", "y", "t"),
    )


def originate_response(
    req: OriginateRequest, success: bool, channel: str, reason: int, uniqueid: str
) -> Message:
    """Event: OriginateResponse, fields in Asterisk's order."""
    msg: Message = [("Event", "OriginateResponse"), ("Privilege", "call,all")]
    if req.action_id is not None:
        msg.append(("ActionID", req.action_id))
    msg += [("Response", "Success" if success else "Failure"), ("Channel", channel)]
    if req.application:
        msg += [("Application", req.application), ("Data", req.data)]
    else:
        msg += [("Context", req.context), ("Exten", req.exten)]
    msg += [
        ("Reason", str(reason)),
        ("Uniqueid", uniqueid),
        ("CallerIDNum", req.cid_num),
        ("CallerIDName", req.cid_name),
    ]
    return msg
