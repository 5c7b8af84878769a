"""pbxsim against the recorded Asterisk traces: the same action in, the same bytes out.

Each case sends the trace's own Originate to pbxsim (last-digit mode mirrors the fixture
dialplan) with a FastAGI server replaying the paired AGI trace's commands, then compares
every AMI message and every line Asterisk wrote on the FastAGI socket. Only what is not
deterministic on a real Asterisk is normalised: timestamps, uniqueids (compared by
identity), channel sequence numbers, endpos, and the far leg's position in the fixture's
own dialplan.
"""

from __future__ import annotations

import pytest
from pbxsim_helpers import (
    IDLE_SCALE,
    SCALE,
    RawAmi,
    ReplayAgi,
    fixture_sim,
    load_agi,
    load_ami,
    normal_agi_line,
    normal_events,
    normal_header,
    phases,
    run,
    summary,
    value,
)

OUTBOUND = [
    ("out-answer-5550001", "notice-camp1-5550001"),
    ("out-answer-hangup-5550005", "notice-camp1-5550005"),
    ("out-answer-press2-5550009", "notice-camp1-5550009"),
    ("out-app-agi-5550001", "notice-camp2-5550001"),
    ("out-busy-5550002", None),
    ("out-busy-with-channelid-5550002", None),
    ("out-noanswer-5550003", None),
    ("out-congestion-5550004", None),
    ("out-rejected-5550007", None),
    ("out-unallocated-5550000", None),
    ("out-bad-channel-tech", None),
    ("amd-machine-5550006", "notice-camp1-5550006-MACHINE"),
    ("amd-human-5550008", "notice-camp1-5550008-HUMAN"),
]
INBOUND = [
    ("inbound-full", "ivr-full"),
    ("inbound-hangup-wait", "ivr-hangup-wait"),
    ("inbound-exit-on-hangup", "ivr-exit-on-hangup"),
    ("inbound-hangup-getdata", "ivr-hangup-getdata"),
    ("inbound-hangup-record", "ivr-hangup-record"),
    ("inbound-silent", "ivr-silent"),
    ("inbound-clean-close", "ivr-clean-close"),
    ("inbound-agi-hangup", "ivr-agi-hangup"),
]
# Real Asterisk raced these (threads): the same events in another order than the trace
# each outcome's order was taken from...
REORDERED = {
    "amd-human-5550008",
    "amd-machine-5550006",
    "out-answer-with-channelid-5550001",
    "out-sync-answer-5550001",
}
# ...and these even raised other events (DeviceStateChange, a HangupRequest's state).
RACY = {"out-busy-with-channelid-5550002", "out-sync-busy-5550002"}


async def replay(ami_name: str, agi_name: str | None, agi_down: bool = False):
    trace = load_ami(ami_name)
    trace_agi = load_agi(agi_name) if agi_name else None
    # the recording server idled before closing; time that against the callee's hang-up
    scale = IDLE_SCALE if trace_agi and trace_agi.idle else SCALE
    agi = ReplayAgi(trace_agi, scale)
    sim = fixture_sim(await agi.start(), scale=scale)
    if agi_down:  # nothing listens on the AGI port any more
        agi.close()
        await agi.server.wait_closed()
    client = await RawAmi.connect(await sim.start(ami_port=0))
    try:
        await client.login()
        await client.read()  # FullyBooted
        action = [
            (k, v.replace(":4573/", f":{sim.config.agi_url.rsplit(':', 1)[1]}/"))
            for k, v in trace[0][1]
        ]
        if "exit-on-hangup" in ami_name:  # the fixture dialplan's ExecIf(... AGIEXITONHANGUP)
            action.insert(-1, ("Variable", "AGIEXITONHANGUP=yes"))
        await client.send(action)
        rest = [d for d, _ in trace[1:]] + [">>"]
        expected = [m for d, m in trace[1 : rest.index(">>") + 1]]
        got = [await client.read() for _ in expected]
        await sim.idle()
        return expected, got, agi
    finally:
        await client.close()
        await sim.close()
        agi.close()


def outcome(messages) -> list[str]:
    """Responses, OriginateResponse and Hangup events: what a dialer decides on."""
    keep = [
        m
        for m in messages
        if value(m, "Response") or value(m, "Event") in ("OriginateResponse", "Hangup")
    ]
    return sorted(map(repr, keep))


def check(ami_name: str, agi_name: str | None, far_leg: str, agi_down: bool = False) -> None:
    expected, got, agi = run(replay(ami_name, agi_name, agi_down))
    got_n, want_n = normal_events(got, far_leg), normal_events(expected, far_leg)
    assert outcome(got_n) == outcome(want_n)
    if ami_name not in RACY:
        assert sorted(summary(got)) == sorted(summary(expected))
        assert sorted(map(repr, got_n)) == sorted(map(repr, want_n))
    if ami_name not in RACY | REORDERED:
        assert phases(got_n) == phases(want_n)
    if agi_name:
        trace = load_agi(agi_name)
        [session] = agi.sessions
        assert normal_header(session.header) == normal_header(trace.header)
        want = [normal_agi_line(line) for lines in trace.replies for line in lines]
        assert [normal_agi_line(line) for line in session.lines] == want
        assert session.eof == trace.eof


@pytest.mark.parametrize("ami_name,agi_name", OUTBOUND, ids=[a for a, _ in OUTBOUND])
def test_outbound_call_matches_asterisk(ami_name, agi_name):
    check(ami_name, agi_name, ";2")


@pytest.mark.parametrize("ami_name,agi_name", INBOUND, ids=[a for a, _ in INBOUND])
def test_inbound_call_matches_asterisk(ami_name, agi_name):
    check(ami_name, agi_name, ";1")


@pytest.mark.parametrize(
    "ami_name,agi_name",
    [
        ("out-answer-with-channelid-5550001", "notice-camp1-5550001-3"),
        ("out-sync-answer-5550001", "notice-camp1-5550001-2"),
    ],
)
def test_racy_answers_have_the_same_events(ami_name, agi_name):
    check(ami_name, agi_name, ";2")


def test_sync_busy_answers_error_only_when_the_callee_is_busy():
    expected, got, _ = run(replay("out-sync-busy-5550002", None))
    [response] = [m for m in got if value(m, "Response")]
    assert response == [
        ("Response", "Error"),
        ("ActionID", "orig-out-sync-busy-5550002"),
        ("Message", "Originate failed"),
    ]
    assert summary(got).index("Response:Error") > summary(got).index("DialBegin;1")
    assert "OriginateResponse" not in summary(got)
    check("out-sync-busy-5550002", None, ";2")


def test_inbound_call_with_the_fastagi_server_down_hangs_up_like_asterisk():
    check("inbound-agi-server-down", None, ";1", agi_down=True)
