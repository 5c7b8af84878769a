# AMI events as Asterisk 13+ writes them. Rules: field names, order and Privilege values
# are copied from the recorded traces (fixtures/asterisk/ami); a channel is a mutable
# Leg and every channel event is a snapshot of it at the moment it is emitted.
"""Channel snapshots and the events built from them."""

from __future__ import annotations

from dataclasses import dataclass

from pbxsim.amiwire import Message

UNKNOWN = "<unknown>"

STATE_DESC = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up", 7: "Busy"}

# Q.850 cause -> Asterisk's ast_cause2str text.
CAUSE_TEXT = {
    0: "Unknown",
    1: "Unallocated (unassigned) number",
    3: "No route to destination",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    20: "Subscriber absent",
    21: "Call Rejected",
    22: "Number changed",
    27: "Destination out of order",
    28: "Invalid number format",
    34: "Circuit/channel congestion",
    38: "Network out of order",
    41: "Temporary failure",
    42: "Switching equipment congestion",
    44: "Requested channel not available",
}


@dataclass
class Leg:
    """One Asterisk channel as AMI shows it."""

    name: str
    uniqueid: str
    linkedid: str
    context: str
    exten: str
    priority: int = 1
    state: int = 0
    cid_num: str = UNKNOWN
    cid_name: str = UNKNOWN
    conn_num: str = UNKNOWN
    conn_name: str = UNKNOWN
    language: str = "en"
    accountcode: str = ""

    def fields(self, prefix: str = "") -> Message:
        """The standard channel block (Channel … Linkedid), optionally prefixed (Dest, LocalOne)."""
        return [
            (f"{prefix}Channel", self.name),
            (f"{prefix}ChannelState", str(self.state)),
            (f"{prefix}ChannelStateDesc", STATE_DESC.get(self.state, "Unknown")),
            (f"{prefix}CallerIDNum", self.cid_num),
            (f"{prefix}CallerIDName", self.cid_name),
            (f"{prefix}ConnectedLineNum", self.conn_num),
            (f"{prefix}ConnectedLineName", self.conn_name),
            (f"{prefix}Language", self.language),
            (f"{prefix}AccountCode", self.accountcode),
            (f"{prefix}Context", self.context),
            (f"{prefix}Exten", self.exten),
            (f"{prefix}Priority", str(self.priority)),
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Linkedid", self.linkedid),
        ]


def channel_event(name: str, leg: Leg, *extra: tuple[str, str]) -> Message:
    """Newchannel, Newstate, NewCallerid, Hangup, …: the event name, the leg, then extras."""
    return [("Event", name), ("Privilege", "call,all"), *leg.fields(), *extra]


def hangup(leg: Leg, cause: int) -> Message:
    return channel_event(
        "Hangup", leg, ("Cause", str(cause)), ("Cause-txt", CAUSE_TEXT.get(cause, "Unknown"))
    )


def new_callerid(leg: Leg) -> Message:
    return channel_event(
        "NewCallerid", leg, ("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")
    )


def dial_event(name: str, dest: Leg, *extra: tuple[str, str]) -> Message:
    return [("Event", name), ("Privilege", "call,all"), *dest.fields("Dest"), *extra]


def local_bridge(one: Leg, two: Leg) -> Message:
    return [
        ("Event", "LocalBridge"),
        ("Privilege", "call,all"),
        *one.fields("LocalOne"),
        *two.fields("LocalTwo"),
        ("Context", two.context),
        ("Exten", two.exten),
        ("LocalOptimization", "Yes"),
    ]


def device_state(device: str, state: str) -> Message:
    return [
        ("Event", "DeviceStateChange"),
        ("Privilege", "call,all"),
        ("Device", device),
        ("State", state),
    ]


def fully_booted(uptime: int) -> Message:
    return [
        ("Event", "FullyBooted"),
        ("Privilege", "system,all"),
        ("Uptime", str(uptime)),
        ("LastReload", str(uptime)),
        ("Status", "Fully Booted"),
    ]


def event_class(message: Message) -> str:
    """The first class named in Privilege (call, system, …) for Events: masks."""
    for key, value in message:
        if key == "Privilege":
            return value.split(",")[0]
    return "call"
