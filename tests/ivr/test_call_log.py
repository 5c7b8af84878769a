"""Every call to 1022 leaves an InboundCall record with its path, even when cut short."""

import sqlalchemy as sa
from agi_fakes import ScriptedAsterisk, header_block
from served_calls import NOW, serve_call

from ivr.flows import ROUTES
from store.db import make_engine, session_factory
from store.models import InboundCall


def call(keys, **context):
    return serve_call(ROUTES, ScriptedAsterisk(list(keys)), header_block("ivr"), **context)


def calls(sessions):
    with sessions() as s:
        return [
            (c.caller, c.path, c.outcome, c.ended_at) for c in s.scalars(sa.select(InboundCall))
        ]


def test_caller_who_hangs_up_mid_menu_leaves_the_path_so_far(sessions):
    call(["3"], sessions=sessions, log_calls=True)
    assert calls(sessions) == [("+84905123456", ["main", "covid"], "hangup", NOW)]


def test_operator_and_the_flow_visited_are_recorded(sessions):
    call(["1", "2", "0"], sessions=sessions, log_calls=True)
    assert calls(sessions) == [
        (
            "+84905123456",
            ["main", "procedures", "flow:procedure-residence", "procedures", "operator"],
            "operator",
            NOW,
        )
    ]


def test_no_log_without_the_drivers_asking(sessions):
    call(["0"], sessions=sessions)
    assert calls(sessions) == []


def test_a_database_without_schema_never_costs_the_caller_the_menus(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    fake = call(["0"], sessions=session_factory(engine), log_calls=True)
    engine.dispose()
    assert "play transfer-operator" in fake.log and fake.log[-1].startswith("exec Goto")
