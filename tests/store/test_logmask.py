"""Log lines mask phone numbers and hide secrets; ids, times and counts stay readable."""

import logging

import pytest

from store import logmask
from store.logmask import clean, hide_in_logs, hide_secrets, mask_phone, mask_phones


@pytest.mark.parametrize(
    "number,masked",
    [
        ("+84905123456", "+8490****456"),
        ("84905123456", "8490****456"),
        ("0905123456", "090****456"),
        ("02363822123", "023*****123"),
        ("+14155550123", "+1415****123"),
        ("0014155550123", "0014******123"),
    ],
)
def test_a_number_keeps_its_prefix_and_last_three_digits(number, masked):
    assert mask_phone(number) == masked
    assert mask_phones(f"from {number}: hangup") == f"from {masked}: hangup"


def test_numbers_are_found_wherever_a_log_line_puts_them():
    text = (
        "call 1796194791.12 route 'ivr' from 0905123456: hangup; "
        "Dial:PJSIP/0905123456@trunk agi_callerid: +84905123456 phone=84905123456."
    )
    assert mask_phones(text) == (
        "call 1796194791.12 route 'ivr' from 090****456: hangup; "
        "Dial:PJSIP/090****456@trunk agi_callerid: +8490****456 phone=8490****456."
    )


def test_ids_times_and_counts_are_not_numbers():
    text = (
        "call 1633591200.5 thread 139828670523072 at 2021-10-07 09:00:00 on "
        "PJSIP/caller-00000001, 20000 visits, attempt 41, hotline-41, port 4573, endpos=8000"
    )
    assert mask_phones(text) == text


def test_url_passwords_and_registered_secrets_are_hidden():
    assert (
        hide_secrets("ami://hotline:s3cr3t@10.0.0.2:5038 up")
        == "ami://hotline:***@10.0.0.2:5038 up"
    )
    assert hide_secrets("postgresql+psycopg://postgres@127.0.0.1/x") == (
        "postgresql+psycopg://postgres@127.0.0.1/x"
    )
    assert hide_secrets("key is abcd-1234-efgh", {"abcd-1234-efgh"}) == "key is ***"


def test_installed_masking_cleans_every_record_and_its_traceback(caplog, monkeypatch):
    monkeypatch.setitem(logmask._state, "secrets", frozenset())
    logmask.install_log_masking(show_phones=False)
    hide_in_logs(b"the-signing-secret-xyz")
    log = logging.getLogger("hotline.test.logmask")
    with caplog.at_level(logging.INFO, "hotline.test.logmask"):
        log.info("call from %s with %s", "+84905123456", "the-signing-secret-xyz")
        try:
            raise ValueError("bad phone 0905123456")
        except ValueError:
            log.exception("import failed for %s", "0905123456")
    assert caplog.messages == ["call from +8490****456 with ***", "import failed for 090****456"]
    assert "090****456" in caplog.text and "0905123456" not in caplog.text


def test_log_phones_shows_numbers_but_never_secrets(caplog):
    try:
        logmask.install_log_masking(show_phones=True)
        hide_in_logs("another-secret-value")
        with caplog.at_level(logging.INFO, "hotline.test.logmask"):
            logging.getLogger("hotline.test.logmask").info(
                "from %s key another-secret-value", "0905123456"
            )
    finally:
        logmask.install_log_masking(show_phones=False)
    assert caplog.messages == ["from 0905123456 key ***"]
    assert clean("from 0905123456") == "from 090****456"


def test_short_values_are_words_not_secrets_and_stay_readable():
    hide_in_logs("hotline")  # the default AMI password: hiding it would blot out every id
    assert clean("channel hotline-41 on ami://hotline:hotline@127.0.0.1:5038") == (
        "channel hotline-41 on ami://hotline:***@127.0.0.1:5038"
    )
