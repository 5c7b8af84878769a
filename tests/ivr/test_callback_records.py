"""The standing callbacks campaign under concurrent first requests, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import sqlalchemy as sa

from ivr.flows.records import Records
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models import Campaign, Contact

NOW = datetime(2021, 10, 9, 1, 0, tzinfo=UTC)


def test_first_requests_at_once_make_one_campaign_and_one_contact_each(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    records = Records(session_factory(engine), clock=lambda: NOW)
    phones = [f"+8490510{i:04d}" for i in range(8)] + ["+84905100000"]  # one asks twice
    start = threading.Barrier(len(phones))
    results: dict[int, bool] = {}

    def ask(i: int, phone: str) -> None:
        start.wait()
        results[i] = records.request_callback(phone)

    threads = [threading.Thread(target=ask, args=(i, p)) for i, p in enumerate(phones)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with engine.connect() as conn:
        campaigns = conn.execute(sa.select(Campaign.name, Campaign.kind, Campaign.status)).all()
        contacts = sorted(conn.scalars(sa.select(Contact.phone)))
    engine.dispose()
    assert [tuple(c) for c in campaigns] == [("callbacks", "callback", "running")]
    assert contacts == sorted(set(phones))
    assert sorted(results.values()) == [False] + [True] * 8  # the repeat is already waiting


def test_after_a_cancelled_callbacks_campaign_the_next_request_opens_a_new_one(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade(engine)
    sessions = session_factory(engine)
    records = Records(sessions, clock=lambda: NOW)
    assert records.request_callback("+84905100001")
    with sessions.begin() as s:
        s.scalars(sa.select(Campaign)).one().status = "cancelled"
    assert records.request_callback("+84905100001")
    with sessions() as s:
        names = [(c.name, c.status) for c in s.scalars(sa.select(Campaign).order_by(Campaign.id))]
    engine.dispose()
    assert names == [("callbacks", "cancelled"), ("callbacks 2", "running")]
