"""`hotline report summary`: every funnel figure, against a database with known contents."""

from __future__ import annotations

import json

from hotline_cli import hotline


def summary_json(url: str, *args: str) -> dict:
    result = hotline(url, "report", "summary", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_funnel_of_one_campaign(known_db):
    data = summary_json(known_db, "--campaign", "1")
    funnel = data["campaign 1 F0-TEST notice (running)"]
    assert [(r["step"], r["contacts"]) for r in funnel] == [
        ("contacts", 10),
        ("dialed", 9),
        ("answered", 5),
        ("heard the notice to the end", 4),
        ("pressed a key", 3),
        ("declared", 1),
        ("opted out", 1),
        ("exhausted (no more attempts)", 1),
    ]
    assert [r["of contacts"] for r in funnel] == [1.0, 0.9, 0.5, 0.4, 0.3, 0.1, 0.1, 0.1]
    assert [r["of the step before"] for r in funnel] == [
        None, 0.9, 5 / 9, 0.8, 0.75, 1 / 3, None, None,
    ]  # fmt: skip
    assert {r["status"]: r["contacts"] for r in data["contacts by status"] if r["contacts"]} == {
        "pending": 1, "dialing": 1, "answered": 3, "declared": 1, "opted_out": 1,
        "failed": 1, "exhausted": 1, "expired": 1,
    }  # fmt: skip


def test_by_attempt_number_hour_and_location(known_db):
    data = summary_json(known_db, "--campaign", "F0-TEST notice")
    attempts = {r["attempt"]: r for r in data["by attempt number"]}
    assert {n: (r["attempts"], r["answered"]) for n, r in attempts.items()} == {
        1: (9, 4), 2: (2, 1), 3: (1, 0),
    }  # fmt: skip
    assert (attempts[1]["busy"], attempts[1]["no answer"], attempts[1]["failed"]) == (1, 2, 1)
    assert attempts[1]["in progress"] == 1
    assert attempts[2]["busy"] == 1 and attempts[3]["no answer"] == 1
    hours = {r["hour"]: (r["attempts"], r["answered"]) for r in data["by hour (city time)"]}
    assert hours == {"06:00": (1, 0), "08:00": (5, 2), "09:00": (3, 2), "10:00": (3, 1)}
    places = [
        (r["location"], r["contacts"], r["dialed"], r["answered"], r["declared"])
        for r in data["by location"]
    ]
    assert places == [
        ("DN-0001", 4, 4, 2, 1),
        ("DN-0002", 4, 4, 3, 0),
        ("DN-0003", 2, 1, 0, 0),
    ]
    assert data["by location"][0]["name"] == "Chợ Hàn, Hải Châu"


def test_every_campaign_together(known_db):
    data = summary_json(known_db)
    funnel = {r["step"]: r["contacts"] for r in data["all campaigns"]}
    assert (funnel["contacts"], funnel["dialed"], funnel["answered"], funnel["pressed a key"]) == (
        11, 10, 6, 4,
    )  # fmt: skip


def test_the_text_a_supervisor_reads(known_db):
    text = hotline(known_db, "report", "summary", "--campaign", "1").output
    assert text.startswith(
        "campaign 1 F0-TEST notice (running)\n"
        "  step                          contacts  of contacts  of the step before\n"
        "  contacts                            10       100.0%\n"
        "  dialed                               9        90.0%               90.0%\n"
        "  answered                             5        50.0%               55.6%\n"
    )
    assert (
        "\nby hour (city time)\n  hour   attempts  answered  answer rate\n  06:00         1" in text
    )


def test_an_unknown_campaign_is_one_line(known_db):
    result = hotline(known_db, "report", "summary", "--campaign", "12")
    assert result.output == "Error: no campaign '12'; see: hotline campaign list\n"
    assert result.exit_code == 1
