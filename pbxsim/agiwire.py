# The AGI command line as Asterisk's res_agi.c reads it, sans-I/O. Rules: arguments are
# split by parse_args' own rules (double quotes group, a backslash makes the next
# character literal, "" is an empty argument); command words match case-insensitively;
# arity errors give the 520 usage block; commands not marked dead-safe get 511 once
# the channel is dead. Written from PROTOCOL.md, never from the project's AGI codec.
"""Parse AGI command lines and format Asterisk's replies."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ARGS = 128
MAX_LINE = 8192

INVALID = "510 Invalid or unknown command\n"
DEAD = "511 Command Not Permitted on a dead channel or intercept routine\n"


def parse_args(line: str) -> list[str]:
    """Split one command line exactly like res_agi.c parse_args()."""
    args: list[str] = []
    cur: list[str] | None = None
    quoted = escaped = False
    for ch in line:
        if ch == '"' and not escaped:
            quoted = not quoted
            if quoted and cur is None:
                cur = []
                args.append("")
            continue
        if ch in " \t" and not quoted and not escaped:
            if cur is not None:
                args[-1] = "".join(cur)
            cur = None
            continue
        if ch == "\\" and not escaped:
            escaped = True
            continue
        if cur is None:
            if len(args) >= MAX_ARGS - 1:
                continue
            cur = []
            args.append("")
        cur.append(ch)
        escaped = False
    if cur is not None:
        args[-1] = "".join(cur)
    return args


@dataclass(frozen=True)
class Spec:
    """One AGI command: its words, allowed argc range (words included), dead-safety, usage."""

    words: tuple[str, ...]
    min_argc: int
    max_argc: int
    dead_ok: bool
    usage: str


def _spec(words: str, lo: int, hi: int, dead_ok: bool, usage: str) -> Spec:
    return Spec(tuple(words.split()), lo, hi, dead_ok, usage)


ANY = MAX_ARGS
COMMANDS = [
    _spec(
        "ANSWER",
        1,
        1,
        False,
        "Answers channel if not already in answer state. Returns "
        "<literal>-1</literal> on channel failure, or <literal>0</literal> if successful.",
    ),
    _spec(
        "CHANNEL STATUS",
        2,
        3,
        False,
        "Returns the status of the specified "
        "<replaceable>channelname</replaceable>. If no channel name is given then returns "
        "the status of the current channel.",
    ),
    _spec(
        "DATABASE DEL",
        4,
        4,
        True,
        "Deletes an entry in the Asterisk database for a given "
        "<replaceable>family</replaceable> and <replaceable>key</replaceable>.",
    ),
    _spec(
        "DATABASE DELTREE",
        3,
        4,
        True,
        "Deletes a <replaceable>family</replaceable> or "
        "specific <replaceable>keytree</replaceable> within a <replaceable>family</replaceable>"
        " in the Asterisk database.",
    ),
    _spec(
        "DATABASE GET",
        4,
        4,
        True,
        "Retrieves an entry in the Asterisk database for a given "
        "<replaceable>family</replaceable> and <replaceable>key</replaceable>.",
    ),
    _spec(
        "DATABASE PUT",
        5,
        5,
        True,
        "Adds or updates an entry in the Asterisk database for a "
        "given <replaceable>family</replaceable>, <replaceable>key</replaceable>, and "
        "<replaceable>value</replaceable>.",
    ),
    _spec(
        "EXEC",
        2,
        ANY,
        True,
        "Executes <replaceable>application</replaceable> with given "
        "<replaceable>options</replaceable>.",
    ),
    _spec(
        "GET DATA",
        3,
        5,
        False,
        "Stream the given <replaceable>file</replaceable>, and receive DTMF data.",
    ),
    _spec(
        "GET FULL VARIABLE",
        4,
        5,
        True,
        "Evaluates the given "
        "<replaceable>expression</replaceable> against the channel specified by "
        "<replaceable>channelname</replaceable>, or the current channel if "
        "<replaceable>channelname</replaceable> is not provided.",
    ),
    _spec(
        "GET OPTION", 4, 5, False, "Behaves similar to STREAM FILE but used with a timeout option."
    ),
    _spec(
        "GET VARIABLE",
        3,
        3,
        True,
        "Returns <literal>0</literal> if "
        "<replaceable>variablename</replaceable> is not set. Returns <literal>1</literal> if "
        "<replaceable>variablename</replaceable> is set and returns the variable in "
        "parentheses.",
    ),
    _spec(
        "HANGUP",
        1,
        2,
        False,
        "Hangs up the specified channel. If no channel name is given, hangs up the current channel",
    ),
    _spec("NOOP", 1, ANY, True, "Does nothing."),
    _spec(
        "RECORD FILE",
        6,
        ANY,
        False,
        "Record to a file until a given dtmf digit in the sequence is received.",
    ),
    _spec(
        "SAY ALPHA",
        4,
        4,
        False,
        "Say a given character string, returning early if any of "
        "the given DTMF digits are received on the channel.",
    ),
    _spec(
        "SAY DIGITS",
        4,
        4,
        False,
        "Say a given digit string, returning early if any of the "
        "given DTMF digits are received on the channel.",
    ),
    _spec(
        "SAY NUMBER",
        4,
        5,
        False,
        "Say a given number, returning early if any of the given "
        "DTMF digits are received on the channel.",
    ),
    _spec(
        "SET AUTOHANGUP",
        3,
        3,
        False,
        "Cause the channel to automatically hangup at "
        "<replaceable>time</replaceable> seconds in the future.",
    ),
    _spec("SET CALLERID", 3, 3, False, "Changes the callerid of the current channel."),
    _spec(
        "SET CONTEXT",
        3,
        3,
        False,
        "Sets the context for continuation upon exiting the application.",
    ),
    _spec(
        "SET EXTENSION",
        3,
        3,
        False,
        "Changes the extension for continuation upon exiting the application.",
    ),
    _spec("SET MUSIC", 3, 4, False, "Enables/Disables the music on hold generator."),
    _spec(
        "SET PRIORITY",
        3,
        3,
        False,
        "Changes the priority for continuation upon exiting the application.",
    ),
    _spec("SET VARIABLE", 4, 4, True, "Sets a variable to the current channel."),
    _spec(
        "STREAM FILE",
        4,
        5,
        False,
        "Send the given file, allowing playback to be interrupted by the given digits, if any.",
    ),
    _spec(
        "VERBOSE",
        2,
        3,
        True,
        "Sends <replaceable>message</replaceable> to the console via "
        "verbose message system. <replaceable>level</replaceable> is the verbose level "
        "(1-4).",
    ),
    _spec(
        "WAIT FOR DIGIT",
        4,
        4,
        False,
        "Waits up to <replaceable>timeout</replaceable> "
        "milliseconds for channel to receive a DTMF digit. Returns <literal>-1</literal> on "
        "channel failure, <literal>0</literal> if no digit is received in the timeout, or the "
        "numerical value of the ascii of the digit if one is received. Use "
        "<literal>-1</literal> for the <replaceable>timeout</replaceable> value if you desire "
        "the call to block indefinitely.",
    ),
]


def find(args: list[str]) -> Spec | None:
    """The longest command whose words start args (case-insensitive), as find_command does."""
    best = None
    upper = [a.upper() for a in args]
    for spec in COMMANDS:
        n = len(spec.words)
        if tuple(upper[:n]) == spec.words and (best is None or n > len(best.words)):
            best = spec
    return best


def usage(spec: Spec) -> str:
    return (
        "520-Invalid command syntax.  Proper usage follows:\n"
        f"{spec.usage}\n"
        "520 End of proper usage.\n"
    )


def result(code: int | str, data: str | None = None, endpos: int | None = None) -> str:
    """`200 result=<n>[ (<data>)][ endpos=<n>]` — the one shape of every success line."""
    line = f"200 result={code}"
    if data is not None:
        line += f" ({data})"
    if endpos is not None:
        line += f" endpos={endpos}"
    return line + "\n"
