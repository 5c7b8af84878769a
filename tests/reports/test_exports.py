"""`hotline report campaign|attempts|declarations|calls|feedback`: files an analyst opens in
Excel, read back here as Excel would read them."""

from __future__ import annotations

import csv
import getpass
import io
import json

import pytest
import sqlalchemy as sa
from hotline_cli import hotline
from known_campaign import FORMULA_NAME

from store.models import ExportAudit


def read_csv(path, delimiter=","):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""),
                               delimiter=delimiter))  # fmt: skip


def audits(url: str) -> list[ExportAudit]:
    with sa.orm.Session(sa.create_engine(url)) as s:
        return list(s.scalars(sa.select(ExportAudit).order_by(ExportAudit.id)))


def test_campaign_csv_has_vietnamese_intact_and_no_formula(known_db, tmp_path):
    out = tmp_path / "campaign-1.csv"
    result = hotline(known_db, "report", "campaign", "1", "--out", str(out))
    assert result.output == f"wrote 10 rows (campaign 1 contacts) to {out}\n"
    rows = read_csv(out)
    assert [r["status"] for r in rows] == [
        "declared", "opted_out", "exhausted", "answered", "answered", "failed", "answered",
        "pending", "dialing", "expired",
    ]  # fmt: skip
    first = rows[0]
    assert first["location name"] == "Chợ Hàn, Hải Châu"
    assert first["phone"] == "'+8490****001"  # masked; a leading + is neutralised
    assert (first["attempts"], first["first answered at"], first["key pressed"]) == (
        "1", "2021-10-08 08:05:12", "1",
    )  # fmt: skip
    declared = (first["declared"], first["confirmation code"], first["follow up"])
    assert declared == ("yes", "123456", "yes")
    assert [first[k] for k in ("symptoms", "fever", "cough", "breathing")] == [
        "no", "yes", "no", "no",
    ]  # fmt: skip
    assert rows[2]["final reason"] == "no answer after 3 attempts"
    assert rows[6]["declaration complete"] == "no" and rows[6]["symptoms"] == "yes"
    assert rows[7]["location name"] == "'" + FORMULA_NAME  # shown as text, never run


def test_attempts_tsv_names_each_hangup_cause(known_db, tmp_path):
    out = tmp_path / "attempts.tsv"
    hotline(known_db, "report", "attempts", "F0-TEST notice", "--out", str(out))
    rows = read_csv(out, delimiter="\t")
    assert len(rows) == 12
    assert rows[0]["originated at"] == "2021-10-08 06:30:00"  # 23:30 UTC the day before
    by_phone = {(r["phone"], r["attempt"]): r for r in rows}
    failed = by_phone[("'+8490****006", "1")]
    assert (failed["outcome"], failed["hangup cause"], failed["cause text"]) == (
        "failed", "1", "unallocated number",
    )  # fmt: skip
    busy = by_phone[("'+8490****003", "2")]
    assert (busy["ami reason"], busy["hangup cause"], busy["cause text"]) == (
        "5",
        "17",
        "user busy",
    )
    answered = by_phone[("'+8490****001", "1")]
    assert (answered["talk seconds"], answered["heard the notice"]) == ("63", "yes")
    ringing = by_phone[("'+8490****009", "1")]
    assert (ringing["outcome"], ringing["state"], ringing["ended at"]) == ("", "dialing", "")


def test_unmasked_exports_are_audited_and_masked_ones_not(known_db, tmp_path):
    before = len(audits(known_db))
    hotline(known_db, "report", "campaign", "1", "--out", str(tmp_path / "masked.csv"))
    nowhere = hotline(known_db, "report", "campaign", "1", "--unmask",
                      "--out", str(tmp_path / "no" / "x.csv"))  # fmt: skip
    assert nowhere.exit_code == 1
    assert len(audits(known_db)) == before  # nothing left the database
    out = tmp_path / "full.json"
    hotline(known_db, "report", "campaign", "1", "--unmask", "--out", str(out))
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert rows[0]["phone"] == "+84905000001"
    assert rows[0]["declared"] is True and rows[7]["declaration complete"] is None
    audit = audits(known_db)[-1]
    assert len(audits(known_db)) == before + 1
    assert audit.who == getpass.getuser()
    assert audit.what == f"report campaign 1 contacts, unmasked, to {out} (json)"
    assert audit.rows == 10


def test_declarations_since_a_time(known_db):
    result = hotline(known_db, "report", "declarations", "--format", "json")
    every = json.loads(result.output)
    assert [(d["source"], d["campaign"], d["complete"]) for d in every] == [
        ("campaign", "F0-TEST notice", True),
        ("inbound", "", True),
        ("campaign", "F0-TEST notice", False),
    ]
    assert every[1]["other answers"] == "note=gọi lại"
    assert every[1]["phone"] == "+8491****678"
    result = hotline(known_db, "report", "declarations", "--since", "2021-10-08 09:00",
                     "--format", "json")  # fmt: skip
    assert [d["created at"] for d in json.loads(result.output)] == [
        "2021-10-08 09:01:00",
        "2021-10-08 10:07:00",
    ]


def test_inbound_calls_and_feedback_on_stdout(known_db):
    result = hotline(known_db, "report", "calls")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(result.output.lstrip("\ufeff"), newline="")))
    assert rows == [
        ["started at", "ended at", "seconds", "caller", "path", "outcome"],
        ["2021-10-08 09:00:00", "2021-10-08 09:02:00", "120", "'+8491****678",
         "main > covid > flow:declaration", "hangup"],
        ["2021-10-08 11:00:00", "", "", "anonymous", "main", ""],
    ]  # fmt: skip
    result = hotline(known_db, "report", "feedback", "--since", "2021-10-08", "--format", "tsv")
    header, row = (line.split("\t") for line in result.output.lstrip("\ufeff").splitlines())
    assert dict(zip(header, row, strict=True)) == {
        "ticket": "2110000001", "created at": "2021-10-08 09:30:00", "caller": "'+8491****678",
        "category": "'=SUM(1,2)", "status": "new", "seconds": "12.3",
        "recording": "/var/spool/hotline/feedback-2110000001",
    }  # fmt: skip


def test_bad_output_and_since_are_one_line(known_db, tmp_path):
    result = hotline(known_db, "report", "calls", "--out", str(tmp_path / "no" / "x.csv"))
    assert result.output == (
        f"Error: cannot write {tmp_path / 'no' / 'x.csv'}: No such file or directory; check --out\n"
    )
    assert result.exit_code == 1
    result = hotline(known_db, "report", "calls", "--since", "yesterday-ish")
    assert result.exit_code == 2
    assert "'yesterday-ish': use a date 2021-10-07, a time 2021-10-07 08:00, or 7d / 12h" in (
        result.output
    )


def drawn_once(url: str) -> None:
    """The chart is drawn from a Summary, which test_summary checks on both databases."""
    if url.startswith("postgresql"):
        pytest.skip("the chart is drawn once, from SQLite (matplotlib is slow to load)")


def test_chart_png(known_db, tmp_path):
    drawn_once(known_db)
    out = tmp_path / "chart.png"
    result = hotline(known_db, "report", "chart", "1", "--out", str(out))
    assert result.output == (f"wrote the chart of campaign 1 F0-TEST notice (running) to {out}\n")
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (990, 378)


def test_the_demos_folder_of_reports(known_db, tmp_path):
    drawn_once(known_db)
    from reports.bundle import write_campaign_reports
    from store.db import make_engine, session_factory

    engine = make_engine(known_db)
    paths = write_campaign_reports(session_factory(engine), 1, tmp_path / "reports")
    engine.dispose()
    assert [p.name for p in paths] == [
        "campaign-1-summary.csv", "campaign-1-contacts.csv", "campaign-1-attempts.csv",
        "campaign-1-chart.png",
    ]  # fmt: skip
    assert len(read_csv(paths[1])) == 10 and len(read_csv(paths[2])) == 12
    summary = paths[0].read_text(encoding="utf-8-sig").splitlines()
    assert summary[:3] == [
        "campaign 1 F0-TEST notice (running)",
        "step,contacts,of contacts,of the step before",
        "contacts,10,100.0%,",
    ]
