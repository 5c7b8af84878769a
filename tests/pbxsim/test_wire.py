"""pbxsim's two codecs, with no socket: AMI framing and Asterisk's AGI argument rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pbxsim_helpers import load_agi

from pbxsim import agiwire
from pbxsim.agi_client import AgiChannel, AgiEnv, AgiSession
from pbxsim.amiwire import AmiParser, encode
from pbxsim.callee import Callee, key_script
from pbxsim.dialplan import agi_target, parse_dial_string, substitute
from pbxsim.originate import parse_callerid

LOGIN = (
    "Action: Login\r\nUsername: hotline\r\nSecret: s\r\n\r\n"
    'Action: Originate\r\nCallerID: "Trung tâm 1022" <84236>\r\n'
    "Variable: A=1,B=2\r\nVariable: C=3\r\n\r\n"
).encode()


def feed_in(chunks: list[bytes]) -> list:
    parser = AmiParser()
    return [m for chunk in chunks for m in parser.feed(chunk)]


def test_messages_survive_any_split_including_inside_a_utf8_character():
    whole = feed_in([LOGIN])
    assert whole == feed_in([LOGIN[i : i + 1] for i in range(len(LOGIN))])
    assert whole[1][1] == ("CallerID", '"Trung tâm 1022" <84236>')
    assert [v for k, v in whole[1] if k == "Variable"] == ["A=1,B=2", "C=3"]


def test_a_message_without_its_blank_line_waits_for_more():
    parser = AmiParser()
    assert parser.feed(b"Action: Ping\r\nActionID: 1\r\n") == []
    assert parser.feed(b"\r\n") == [[("Action", "Ping"), ("ActionID", "1")]]


def test_encoding_ends_lines_with_crlf_and_cannot_be_forged_by_a_newline():
    assert encode([("Response", "Success"), ("AccountCode", "")]) == (
        b"Response: Success\r\nAccountCode: \r\n\r\n"
    )
    assert encode([("Message", "a\r\nEvent: Fake")]) == b"Message: a  Event: Fake\r\n\r\n"


@pytest.mark.parametrize(
    "line,args",
    [
        ('STREAM FILE beep ""', ["STREAM", "FILE", "beep", ""]),
        ('EXEC Dial "PJSIP/100,30"', ["EXEC", "Dial", "PJSIP/100,30"]),
        ('VERBOSE "say \\"hi\\" now" 1', ["VERBOSE", 'say "hi" now', "1"]),
        ("SET VARIABLE X a\\ b", ["SET", "VARIABLE", "X", "a b"]),
        ("GET  DATA\tbeep   3000", ["GET", "DATA", "beep", "3000"]),
        ('SET VARIABLE X ab"c d"e', ["SET", "VARIABLE", "X", "abc de"]),
    ],
)
def test_commands_split_like_res_agi(line, args):
    assert agiwire.parse_args(line) == args


def test_words_match_case_insensitively_and_the_longest_command_wins():
    assert agiwire.find(["get", "full", "variable", "x"]).words == ("GET", "FULL", "VARIABLE")
    assert agiwire.find(["GET", "VARIABLE", "x"]).words == ("GET", "VARIABLE")
    assert agiwire.find(["FOO", "BAR"]) is None


def test_usage_block_is_the_one_asterisk_sends():
    trace = load_agi("ivr-silent")
    lines = trace.replies[trace.commands.index("WAIT FOR DIGIT")]
    assert agiwire.usage(agiwire.find(["WAIT", "FOR", "DIGIT"])) == "\n".join(lines) + "\n"


def test_agi_urls_and_dial_strings_read_like_asterisk():
    target = agi_target(substitute("agi://10.0.0.5/notice?lang=en,${A},${B}", {"A": "7"}))
    assert (target.host, target.port, target.script) == ("10.0.0.5", 4573, "notice?lang=en")
    assert target.request == "agi://10.0.0.5/notice?lang=en" and target.args == ("7", "")
    assert parse_dial_string("PJSIP/0905123456@trunk").number == "0905123456"
    assert parse_dial_string("Local/0905123456@trunk/n").number == "0905123456"
    assert parse_dial_string("0905123456") is None


@pytest.mark.parametrize(
    "text,parsed",
    [
        ('"Hotline" <84950000000>', ("84950000000", "Hotline")),
        ("<84950000000>", ("84950000000", "<unknown>")),
        ("Trung tâm <(0236) 3.822-111>", ("02363822111", "Trung tâm")),
        ("0236 3822 111", ("02363822111", "<unknown>")),
        ("", ("<unknown>", "<unknown>")),
    ],
)
def test_caller_ids_parse_like_ast_callerid_parse(text, parsed):
    assert parse_callerid(text) == parsed


def test_the_header_block_leaves_out_an_empty_script_and_numbers_the_arguments():
    chan = AgiChannel("PJSIP/trunk-00000001", "1.1", "PJSIP", "hotline-inbound", "1022", 2)
    session = AgiSession(
        AgiEnv(sleep=None), chan, Callee(key_script("")), agi_target("agi://127.0.0.1:4573,a b,c")
    )
    lines = session.header().split("\n")
    assert lines[:2] == ["agi_network: yes", "agi_request: agi://127.0.0.1:4573"]
    assert lines[-4:] == ["agi_arg_1: a b", "agi_arg_2: c", "", ""]
    assert "agi_calleridname: unknown" in lines


@given(st.binary(max_size=300), st.integers(1, 7))
def test_any_bytes_in_any_chunks_parse_without_raising(data, step):
    parser = AmiParser()
    for i in range(0, len(data), step):
        parser.feed(data[i : i + step])


@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[A-Za-z][A-Za-z-]{0,10}", fullmatch=True),
            st.text(
                st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                max_size=30,
            ).map(str.strip),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_what_pbxsim_writes_it_reads_back(message):
    assert AmiParser().feed(encode(message)) == [message]


@given(st.text(max_size=200))
def test_any_command_line_splits_without_raising(line):
    agiwire.find(agiwire.parse_args(line))
