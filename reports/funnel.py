# Rules: every figure is one SQL aggregate (GROUP BY in the database), so a campaign of a
# million contacts costs a few scans and no memory. The funnel's meaning, fixed here once:
# contacts = rows of contact; dialed = contacts with an attempt; answered = contacts with an
# attempt whose answered_at is set; heard = an attempt with notice_heard_at; pressed a key =
# an attempt with key_pressed; declared, opted out, exhausted = the contact's status. Rates
# are of the contacts, and of the step before for the chain contacts → declared. "By hour"
# is the city-time hour (Asia/Ho_Chi_Minh, UTC+7 without DST since 1975) of originated_at.
"""`hotline report summary`: the funnel, by attempt number, by hour and by location."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reports.output import Rate, rate
from store.models import (
    ATTEMPT_OUTCOMES,
    CONTACT_STATUSES,
    CallAttempt,
    Campaign,
    Contact,
    Location,
)

CHAIN = ("contacts", "dialed", "answered", "heard", "pressed", "declared")
STEP_LABELS = {
    "contacts": "contacts",
    "dialed": "dialed",
    "answered": "answered",
    "heard": "heard the notice to the end",
    "pressed": "pressed a key",
    "declared": "declared",
    "opted_out": "opted out",
    "exhausted": "exhausted (no more attempts)",
}
IN_PROGRESS = "in progress"
OUTCOME_COLUMNS = (*(o for o in ATTEMPT_OUTCOMES if o != "answered"), IN_PROGRESS)
ATTEMPT_HEADER = ["attempt", "attempts", "answered", "answer rate",
                  *[o.replace("_", " ") for o in OUTCOME_COLUMNS]]  # fmt: skip
LOCATION_HEADER = ["location", "name", "contacts", "dialed", "answered", "declared",
                   "answer rate"]  # fmt: skip


@dataclass
class AttemptRow:
    attempt_no: int
    outcomes: Counter = field(default_factory=Counter)
    answered: int = 0

    @property
    def attempts(self) -> int:
        return sum(self.outcomes.values())


@dataclass
class LocationRow:
    code: str
    name: str
    contacts: int
    dialed: int
    answered: int
    declared: int


@dataclass
class Summary:
    title: str
    steps: dict[str, int]
    statuses: Counter
    by_attempt: list[AttemptRow]
    by_hour: dict[int, tuple[int, int]]  # city hour -> (attempts, answered)
    by_location: list[LocationRow]

    def funnel_rows(self) -> list[tuple[str, int, Rate | None, Rate | None]]:
        total = self.steps["contacts"]
        rows = []
        for i, key in enumerate(STEP_LABELS):
            count = self.steps[key]
            previous = self.steps[CHAIN[i - 1]] if 0 < i < len(CHAIN) else None
            step_rate = rate(count, previous) if previous is not None else None
            rows.append((STEP_LABELS[key], count, rate(count, total), step_rate))
        return rows

    def sections(self) -> list[tuple[str, list[str], list[list]]]:
        """The summary as small tables: (title, header, rows)."""
        return [
            (self.title, ["step", "contacts", "of contacts", "of the step before"],
             [list(r) for r in self.funnel_rows()]),
            ("contacts by status", ["status", "contacts"],
             [[s, self.statuses[s]] for s in CONTACT_STATUSES]),
            ("by attempt number", ATTEMPT_HEADER, [self._attempt_row(r) for r in self.by_attempt]),
            ("by hour (city time)", ["hour", "attempts", "answered", "answer rate"],
             [[f"{h:02d}:00", n, a, rate(a, n)] for h, (n, a) in sorted(self.by_hour.items())]),
            ("by location", LOCATION_HEADER, [self._location_row(r) for r in self.by_location]),
        ]  # fmt: skip

    @staticmethod
    def _attempt_row(r: AttemptRow) -> list:
        outcomes = [r.outcomes[o] for o in OUTCOME_COLUMNS]
        return [r.attempt_no, r.attempts, r.answered, rate(r.answered, r.attempts), *outcomes]

    @staticmethod
    def _location_row(r: LocationRow) -> list:
        return [r.code, r.name, r.contacts, r.dialed, r.answered, r.declared,
                rate(r.answered, r.dialed)]  # fmt: skip


def summarize(session: Session, campaign: Campaign | None = None) -> Summary:
    """The funnel of one campaign, or of every campaign together."""
    where = [Contact.campaign_id == campaign.id] if campaign is not None else []
    title = "all campaigns"
    if campaign is not None:
        title = f"campaign {campaign.id} {campaign.name} ({campaign.status})"
    statuses = Counter(dict(session.execute(
        sa.select(Contact.status, sa.func.count()).where(*where).group_by(Contact.status)
    ).all()))  # fmt: skip
    flags = _contact_flags(where)
    dialed, answered, heard, pressed = session.execute(
        sa.select(
            sa.func.count(),
            *[
                sa.func.coalesce(sa.func.sum(flags.c[k]), 0)
                for k in ("answered", "heard", "pressed")
            ],
        )
    ).one()
    steps = {
        "contacts": sum(statuses.values()),
        "dialed": dialed,
        "answered": answered,
        "heard": heard,
        "pressed": pressed,
        "declared": statuses["declared"],
        "opted_out": statuses["opted_out"],
        "exhausted": statuses["exhausted"],
    }
    return Summary(
        title,
        steps,
        statuses,
        _by_attempt(session, where),
        _by_hour(session, where),
        _by_location(session, where, flags),
    )


def _flag(column) -> sa.ColumnElement:
    return sa.func.max(sa.case((column.is_not(None), 1), else_=0))


def _contact_flags(where: list) -> sa.Subquery:
    """One row per dialed contact: answered, heard, pressed as 0/1."""
    return (
        sa.select(
            CallAttempt.contact_id.label("contact_id"),
            _flag(CallAttempt.answered_at).label("answered"),
            _flag(CallAttempt.notice_heard_at).label("heard"),
            _flag(CallAttempt.key_pressed).label("pressed"),
        )
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(*where)
        .group_by(CallAttempt.contact_id)
        .subquery()
    )


def _by_attempt(session: Session, where: list) -> list[AttemptRow]:
    rows: dict[int, AttemptRow] = {}
    for attempt_no, outcome, n, answered in session.execute(
        sa.select(
            CallAttempt.attempt_no,
            CallAttempt.outcome,
            sa.func.count(),
            sa.func.count(CallAttempt.answered_at),
        )
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(*where)
        .group_by(CallAttempt.attempt_no, CallAttempt.outcome)
    ):
        row = rows.setdefault(attempt_no, AttemptRow(attempt_no))
        row.outcomes[outcome or IN_PROGRESS] += n
        row.answered += answered
    return [rows[k] for k in sorted(rows)]


def _by_hour(session: Session, where: list) -> dict[int, tuple[int, int]]:
    hour = city_hour(session.get_bind().dialect.name, CallAttempt.originated_at).label("hour")
    counts: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for h, n, answered in session.execute(
        sa.select(hour, sa.func.count(), sa.func.count(CallAttempt.answered_at))
        .join(Contact, Contact.id == CallAttempt.contact_id)
        .where(*where)
        .group_by(hour)
    ):
        counts[int(h)] = (n, answered)
    return dict(counts)


def city_hour(dialect: str, column) -> sa.ColumnElement:
    """The Asia/Ho_Chi_Minh hour of a UtcDateTime column, computed by the database."""
    if dialect == "postgresql":
        local = sa.func.timezone("Asia/Ho_Chi_Minh", column)
        return sa.cast(sa.extract("hour", local), sa.Integer)
    # SQLite keeps UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' (store.types): hour + 7, mod 24.
    return (sa.cast(sa.func.substr(column, 12, 2), sa.Integer) + 7) % 24


def _by_location(session: Session, where: list, flags: sa.Subquery) -> list[LocationRow]:
    declared = sa.func.sum(sa.case((Contact.status == "declared", 1), else_=0))
    query = (
        sa.select(
            Contact.location_code,
            sa.func.coalesce(sa.func.max(Location.name), ""),
            sa.func.count(),
            sa.func.count(flags.c.contact_id),
            sa.func.coalesce(sa.func.sum(flags.c.answered), 0),
            declared,
        )
        .outerjoin(flags, flags.c.contact_id == Contact.id)
        .outerjoin(Location, Location.code == Contact.location_code)
        .where(*where)
        .group_by(Contact.location_code)
        .order_by(sa.func.count().desc(), Contact.location_code)
    )
    return [LocationRow(*row) for row in session.execute(query)]
