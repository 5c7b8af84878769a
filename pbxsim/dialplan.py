# pbxsim's dialplan: which AGI each context runs. Rules: a context maps to one AGI() line
# (URL and arguments with ${VAR} filled from the channel's variables, as Asterisk's
# substitution does: unset is empty); the callee's number is the dial string's data
# before any '@'; AGI URL parts follow res_agi (agi://host[:port]/script[?query]).
"""Contexts, variable substitution, dial strings and AGI URLs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_AGI_PORT = 4573
INBOUND_EXTEN = "1022"


@dataclass(frozen=True)
class Context:
    """One context: `AGI(<url>,<args…>)` at `priority`, then NoOp and Hangup() (so a clean
    AGI exit hangs up at priority + 2); `has_h` when it has an h extension."""

    url: str
    args: tuple[str, ...] = ()
    priority: int = 1
    has_h: bool = True
    amd: bool = False  # AMD() runs first: ${AMDSTATUS} is MACHINE or HUMAN
    amd_if: str = ""  # ...or only when this channel variable is 1 (the shipped dialplan)

    def runs_amd(self, variables: dict[str, str]) -> bool:
        return self.amd or (bool(self.amd_if) and variables.get(self.amd_if) == "1")

    @property
    def hangup_priority(self) -> int:
        return self.priority + 2


def default_contexts(agi_base: str) -> dict[str, Context]:
    """The shipped contexts plus the ones of the recorded test dialplan (fixtures)."""
    return {
        "hotline-outbound": Context(
            f"{agi_base}/notice", ("${HOTLINE_ATTEMPT}",), 2, amd_if="HOTLINE_AMD"
        ),
        "hotline-inbound": Context(f"{agi_base}/ivr", (), 2),
        # the operators' queue: nobody is ever on duty here, so straight back to the IVR
        "hotline-operator": Context(f"{agi_base}/ivr", ("callback",), 4),
        "outbound-notice": Context(f"{agi_base}/notice", ("${CAMPAIGN}", "${TARGET}"), 2),
        "outbound-amd": Context(
            f"{agi_base}/notice", ("${CAMPAIGN}", "${TARGET}", "${AMDSTATUS}"), 4, False, True
        ),
        "ivr-inbound": Context(f"{agi_base}/ivr", ("${SCENARIO}", "${EXTEN}"), 4),
    }


@dataclass
class Dialplan:
    contexts: dict[str, Context] = field(default_factory=dict)
    inbound_contexts: frozenset[str] = frozenset(
        {"hotline-inbound", "ivr-inbound", "hotline-operator"}
    )

    def lookup(self, context: str) -> Context | None:
        return self.contexts.get(context)

    def is_inbound(self, context: str, number: str) -> bool:
        """A Local channel into an IVR context, or any dial of 1022, reaches our IVR."""
        return context in self.inbound_contexts or number == INBOUND_EXTEN


_VAR = re.compile(r"\$\{([^}]*)\}")


def substitute(template: str, variables: dict[str, str]) -> str:
    return _VAR.sub(lambda m: variables.get(m.group(1), ""), template)


@dataclass(frozen=True)
class DialString:
    tech: str
    data: str  # everything after Tech/

    @property
    def number(self) -> str:
        return self.data.split("@", 1)[0].split("/", 1)[0]

    @property
    def context(self) -> str:
        """For Local/N@ctx the callee's context; for PJSIP/N@trunk the endpoint."""
        rest = self.data.split("@", 1)
        return rest[1].split("/", 1)[0] if len(rest) == 2 else ""


def parse_dial_string(channel: str) -> DialString | None:
    tech, sep, data = channel.partition("/")
    if not sep:
        return None
    return DialString(tech, data)


@dataclass(frozen=True)
class AgiTarget:
    host: str
    port: int
    script: str  # path after host/, with ?query
    request: str  # the whole URL
    args: tuple[str, ...]


def agi_target(app_data: str) -> AgiTarget | None:
    """`agi://host[:port]/script[?q],arg1,arg2` as the AGI() application receives it."""
    url, *args = app_data.split(",")
    if not url.startswith("agi://"):
        return None
    hostport, _, script = url[len("agi://") :].partition("/")
    host, _, port = hostport.partition(":")
    return AgiTarget(host, int(port) if port else DEFAULT_AGI_PORT, script, url, tuple(args))
