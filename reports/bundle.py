# Rules: the same exports as the commands, masked (nothing here is audited), written as
# complete files or not at all, named campaign-<id>-<what>.<ext> in one folder.
"""A campaign's reports and chart in one folder (what the demo leaves under var/reports/)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from dialer.contacts import get_campaign
from reports.chart import draw_chart
from reports.funnel import summarize
from reports.output import opened, write_sections, write_table
from reports.tables import attempts_export, campaign_export

DEFAULT_FOLDER = Path("var/reports")


def write_campaign_reports(
    sessions: sessionmaker[Session], campaign: int | str, folder: Path = DEFAULT_FOLDER
) -> list[Path]:
    """summary.csv, contacts.csv, attempts.csv and chart.png of one campaign (id or name)."""
    folder.mkdir(parents=True, exist_ok=True)
    with sessions() as session:
        found = get_campaign(session, str(campaign))
        stem = folder / f"campaign-{found.id}"
        summary = summarize(session, found)
        written = [Path(f"{stem}-summary.csv")]
        with opened(written[0], "csv") as stream:
            write_sections(stream, "csv", summary.sections())
        for name, make in (("contacts", campaign_export), ("attempts", attempts_export)):
            export = make(session, found)
            written.append(Path(f"{stem}-{name}.csv"))
            with opened(written[-1], "csv") as stream:
                write_table(stream, "csv", export.header, export.rows)
    written.append(Path(f"{stem}-chart.png"))
    draw_chart(summary, written[-1])
    return written
