# Rules: one builder per AGI command we use, producing exactly the bytes Asterisk's own
# examples and the recorded traces show: escape digits, variable values and messages are
# always quoted (`STREAM FILE beep ""`, `SET VARIABLE X "v"`); other arguments are bare
# when they hold only safe characters and quoted otherwise (`EXEC Dial "PJSIP/100,30"`).
# `wait_s` tells a driver how long the command may run before its reply is overdue.
"""AGI command builders: the commands a Channel sends, as `agi.Command` values."""

from __future__ import annotations

from ivr.agi import Command, Quoted

PLAY_WAIT_S = 600.0  # a prompt file is never longer than this
EXEC_WAIT_S = 4 * 3600.0  # EXEC Dial to an operator lasts as long as the conversation


def answer() -> Command:
    return Command("ANSWER")


def hangup() -> Command:
    return Command("HANGUP")


def channel_status() -> Command:
    return Command("CHANNEL STATUS")


def stream_file(path: str, escape: str = "") -> Command:
    return Command("STREAM FILE", (path, Quoted(escape)), PLAY_WAIT_S)


def get_data(path: str, timeout_ms: int, max_digits: int) -> Command:
    wait = PLAY_WAIT_S + timeout_ms / 1000 * (max_digits + 1)
    return Command("GET DATA", (path, str(int(timeout_ms)), str(int(max_digits))), wait)


def wait_for_digit(timeout_ms: int) -> Command:
    return Command("WAIT FOR DIGIT", (str(int(timeout_ms)),), max(timeout_ms, 0) / 1000)


def record_file(
    path: str,
    fmt: str = "wav",
    escape: str = "#",
    max_ms: int = 60000,
    beep: bool = False,
    silence_s: int | None = None,
) -> Command:
    args = [path, fmt, Quoted(escape), str(int(max_ms))]
    if beep or silence_s:
        args.append("0")
        args += ["BEEP"] if beep else []
        args += [f"s={int(silence_s)}"] if silence_s else []
    return Command("RECORD FILE", tuple(args), PLAY_WAIT_S + max_ms / 1000)


def say_digits(digits: str, escape: str = "") -> Command:
    return Command("SAY DIGITS", (digits, Quoted(escape)), PLAY_WAIT_S)


def say_number(number: int | str, escape: str = "") -> Command:
    return Command("SAY NUMBER", (str(number), Quoted(escape)), PLAY_WAIT_S)


def get_variable(name: str) -> Command:
    return Command("GET VARIABLE", (name,))


def get_full_variable(expression: str) -> Command:
    return Command("GET FULL VARIABLE", (expression,))


def set_variable(name: str, value: str) -> Command:
    return Command("SET VARIABLE", (name, Quoted(value)))


def exec_app(application: str, data: str | None = None) -> Command:
    """EXEC's application data is ONE argument: commas and spaces stay inside it."""
    return Command("EXEC", (application,) if data is None else (application, data), EXEC_WAIT_S)


def verbose(message: str, level: int = 1) -> Command:
    return Command("VERBOSE", (Quoted(message), str(int(level))))


def noop(text: str = "") -> Command:
    return Command("NOOP", (text,) if text else ())


def database_put(family: str, key: str, value: str) -> Command:
    return Command("DATABASE PUT", (family, key, value))


def database_get(family: str, key: str) -> Command:
    return Command("DATABASE GET", (family, key))


def set_music(on: bool, music_class: str = "default") -> Command:
    return Command("SET MUSIC", ("ON", music_class) if on else ("OFF",))
