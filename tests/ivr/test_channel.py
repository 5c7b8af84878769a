"""Channel semantics against reply sequences taken from the real traces."""

from __future__ import annotations

import asyncio

import pytest
from agi_fakes import header_block, scripted_io

from ivr.agi import AgiConnection, AgiUsageError, CallerHungUp, Request
from ivr.channel import (
    Channel,
    Digits,
    HungUpWhileRecording,
    PromptMissing,
    Recording,
    RecordingFailed,
)
from ivr.link import StreamLink

DEAD = "511 Command Not Permitted on a dead channel or intercept routine\n"
SND = "/snd"


def request() -> Request:
    conn = AgiConnection()
    conn.receive_data(header_block(script="ivr?lang=vi"))
    return conn.next_event()


def channel(steps, **context):
    read, write, left = scripted_io(steps)
    link = StreamLink(read, write, read_timeout=2.0, expect_header=False)
    return Channel(link, request(), {"sounds_dir": SND, **context}), left


def run(coro):
    return asyncio.run(coro)


def test_prompts_play_by_absolute_path_in_the_callers_language():
    ch, left = channel(
        [
            ('STREAM FILE /snd/vi/welcome ""', "200 result=0 endpos=11234\n"),
            ('STREAM FILE /snd/en/welcome "12"', "200 result=50 endpos=9760\n"),
        ]
    )
    assert run(ch.play(["welcome"])) is None
    ch.lang = "en"
    assert run(ch.play(["welcome", "main-menu"], escape="12")) == "2"
    assert left == []


def test_a_prompt_id_cannot_walk_out_of_the_sounds_dir():
    ch, _ = channel([])
    with pytest.raises(AgiUsageError):
        run(ch.play(["../../etc/passwd"]))


def test_a_missing_prompt_is_not_a_hangup_and_stops_the_flow():
    ch, left = channel(
        [
            ('STREAM FILE /snd/vi/no-such-file-xyz "1"', "200 result=-1 endpos=0\n"),
            ("CHANNEL STATUS", "200 result=6\n"),
        ]
    )
    with pytest.raises(PromptMissing) as missing:
        run(ch.play(["no-such-file-xyz", "welcome"], escape="1"))
    assert missing.value.path == "/snd/vi/no-such-file-xyz"
    assert not ch.hung_up and left == []


def test_a_missing_get_data_prompt_stops_the_flow_too():
    ch, left = channel(
        [
            ("GET DATA /snd/vi/no-such-menu 6000 1", "200 result=-1\n"),
            ("CHANNEL STATUS", "200 result=6\n"),
        ]
    )
    with pytest.raises(PromptMissing):
        run(ch.ask(["no-such-menu"]))
    assert not ch.hung_up and left == []


def test_hangup_wait_then_511_then_dead_safe_get_variable():  # ivr-hangup-wait.agi
    ch, left = channel(
        [
            ('STREAM FILE /snd/vi/x "0123456789*#"', "200 result=0 endpos=1\n"),
            ("WAIT FOR DIGIT 15000", "200 result=-1\n"),
            ("CHANNEL STATUS", "HANGUP\n" + DEAD),
            ("GET VARIABLE AGISTATUS", "200 result=0\n"),
        ]
    )

    async def flow():
        with pytest.raises(CallerHungUp):
            await ch.ask(["x"], timeout=15, terminator="")
        with pytest.raises(CallerHungUp):
            await ch.play(["welcome"])  # not even sent
        return await ch.get_variable("AGISTATUS")

    assert run(flow()) is None
    assert ch.hung_up and left == []


def test_exit_on_hangup_two_hangups_then_eof():  # ivr-exit-on-hangup.agi
    ch, left = channel(
        [
            ("GET DATA /snd/vi/menu 15000 4", "200 result=-1\n"),
            ("CHANNEL STATUS", "HANGUP\nHANGUP\n\n"),
        ]
    )
    with pytest.raises(CallerHungUp):
        run(ch.ask(["menu"], timeout=15, max_digits=4))
    assert ch.closed and left == []
    with pytest.raises(CallerHungUp):
        run(ch.set_variable("X", "y"))  # the stream is gone: nothing is sent


def test_hangup_during_record_then_set_variable_works():  # ivr-hangup-record.agi
    ch, left = channel(
        [
            ('RECORD FILE /rec/a wav "#" 15000', "200 result=-1 (hangup) endpos=11212\n"),
            ('SET VARIABLE FEEDBACK "partial"', "HANGUP\n200 result=1\n"),
        ]
    )

    async def flow():
        try:
            await ch.record("/rec/a", max_s=15, beep=False)
        except CallerHungUp:
            await ch.set_variable("FEEDBACK", "partial")
            return "saved"

    assert run(flow()) == "saved" and left == []


def test_own_hangup_then_unsolicited_hangup_line():  # notice-*.agi
    ch, left = channel(
        [("HANGUP", "200 result=1\nHANGUP\n"), ('VERBOSE "bye" 1', "200 result=1\n")]
    )
    run(ch.hangup())
    run(ch.hangup())  # already gone: a no-op
    run(ch.verbose("bye"))
    with pytest.raises(CallerHungUp):
        run(ch.answer())
    assert left == []


@pytest.mark.parametrize(
    ("reply", "digits"),
    [
        ("200 result=123\n", Digits("123")),
        ("200 result=0123\n", Digits("0123")),
        ("200 result=12 (timeout)\n", Digits("12", timed_out=True)),
        ("200 result= (timeout)\n", Digits("", timed_out=True)),
        ("200 result=\n", Digits("")),
    ],
)
def test_ask_with_get_data(reply, digits):
    ch, _ = channel([("GET DATA /snd/vi/enter-phone 5000 10", reply)])
    assert run(ch.ask(["enter-phone"], timeout=5, max_digits=10)) == digits


def test_ask_interrupted_prompt_then_wait_for_digit_until_terminator():
    ch, left = channel(
        [
            ('STREAM FILE /snd/vi/intro "0123456789*#"', "200 result=53 endpos=17440\n"),
            ("WAIT FOR DIGIT 3000", "200 result=50\n"),
            ("WAIT FOR DIGIT 3000", "200 result=35\n"),
        ]
    )
    assert run(ch.ask(["intro", "menu"], timeout=3, max_digits=4)) == Digits("52")
    assert left == []


def test_ask_wait_for_digit_timeout_keeps_partial_digits():
    ch, _ = channel(
        [
            ('STREAM FILE /snd/vi/menu "0123456789*#"', "200 result=0 endpos=1\n"),
            ("WAIT FOR DIGIT 2000", "200 result=49\n"),
            ("WAIT FOR DIGIT 2000", "200 result=0\n"),
        ]
    )
    assert run(ch.ask(["menu"], timeout=2, max_digits=3, terminator="*")) == Digits("1", True)


def test_record_ended_by_dtmf():  # ivr-full.agi
    ch, _ = channel(
        [('RECORD FILE /r/x wav "#" 15000 0 BEEP s=10', "200 result=35 (dtmf) endpos=9612\n")]
    )
    rec = run(ch.record("/r/x", max_s=15, silence_s=10))
    assert rec == Recording("/r/x", "dtmf", "#", 9612)


RECORD = 'RECORD FILE /r/x wav "#" 120000 0 BEEP s=5'


def test_record_into_a_folder_asterisk_cannot_write_fails_on_a_live_line():
    ch, left = channel([(RECORD, "200 result=-1 (writefile)\n")])
    with pytest.raises(RecordingFailed, match="writefile"):
        run(ch.record("/r/x", max_s=120, silence_s=5))
    assert not ch.hung_up and left == []  # the caller is still there: no probe needed


def test_any_other_minus_one_on_a_live_line_is_a_failed_recording():
    ch, left = channel(
        [(RECORD, "200 result=-1 (waitfor) endpos=0\n"), ("CHANNEL STATUS", "200 result=6\n")]
    )
    with pytest.raises(RecordingFailed, match="waitfor"):
        run(ch.record("/r/x", max_s=120, silence_s=5))
    assert not ch.hung_up and left == []


def test_a_hangup_during_the_recording_tells_what_was_recorded():  # ivr-hangup-record.agi
    ch, _ = channel([(RECORD, "200 result=-1 (hangup) endpos=11212\nHANGUP\n")])
    with pytest.raises(HungUpWhileRecording) as caught:
        run(ch.record("/r/x", max_s=120, silence_s=5))
    assert caught.value.recording == Recording("/r/x", "hangup", None, 11212)
    assert isinstance(caught.value, CallerHungUp) and ch.hung_up


def test_a_hangup_during_the_beep_is_a_hangup_not_a_failure():
    ch, left = channel(
        [(RECORD, "200 result=-1 (randomerror) endpos=0\n"), ("CHANNEL STATUS", DEAD)]
    )
    with pytest.raises(HungUpWhileRecording) as caught:
        run(ch.record("/r/x", max_s=120, silence_s=5))
    assert caught.value.recording.endpos == 0 and left == []  # the probe found it dead


def test_a_key_during_the_beep_ends_an_empty_recording():
    ch, _ = channel([(RECORD, "200 result=35 (randomerror) endpos=0\n")])
    assert run(ch.record("/r/x", max_s=120, silence_s=5)) == Recording("/r/x", "dtmf", "#", 0)


def test_transfer_quotes_the_dial_string_as_one_argument():
    ch, left = channel(
        [('EXEC Dial "PJSIP/100,30"', "200 result=0\n")], operator="Dial:PJSIP/100,30"
    )
    run(ch.transfer())
    assert ch.transferred_to == "Dial:PJSIP/100,30" and left == []


def test_rejected_command_is_our_error():
    ch, _ = channel([("GET VARIABLE X", "510 Invalid or unknown command\n")])
    with pytest.raises(AgiUsageError, match="rejected"):
        run(ch.get_variable("X"))


def test_get_variable_value_and_unset():  # ivr-silent.agi
    ch, _ = channel(
        [
            ("GET VARIABLE RDIGITS", "200 result=1 ()\n"),
            ("GET VARIABLE NO_SUCH_VAR", "200 result=0\n"),
        ]
    )
    assert run(ch.get_variable("RDIGITS")) == ""
    assert run(ch.get_variable("NO_SUCH_VAR")) is None


def test_say_number_uses_the_speech_module():
    ch, left = channel(
        [
            (f'STREAM FILE /snd/vi/{pid} ""', "200 result=0 endpos=1\n")
            for pid in ["num-2", "word-muoi", "num-1-mot"]
        ]
    )
    assert run(ch.say_number(21)) is None and left == []


def test_language_from_the_script_query():
    conn = AgiConnection()
    conn.receive_data(header_block(script="ivr?lang=en"))
    read, write, _ = scripted_io([])
    ch = Channel(StreamLink(read, write, expect_header=False), conn.next_event())
    assert ch.lang == "en" and ch.request.script == "ivr"


def test_an_unknown_language_in_the_query_falls_back_to_vietnamese():
    conn = AgiConnection()
    conn.receive_data(header_block(script="ivr?lang=../../etc"))
    read, write, _ = scripted_io([])
    ch = Channel(StreamLink(read, write, expect_header=False), conn.next_event())
    assert ch.lang == "vi"
