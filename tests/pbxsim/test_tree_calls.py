"""The tree a citizen walks, on pbxsim: the fast twin of tests/asterisk/test_tree.py.

pbxsim places the calls and speaks FastAGI over loopback to our FastAGI server (the real
routes, a database, the call log); only the catalog's prompts exist in its sounds folder,
so a prompt a flow makes up would be heard as an apology. Every branch of the tree is
walked at least once; a declaration is saved with exactly the keys pressed; keys typed
during the greeting count; a hangup mid-declaration leaves a partial declaration and the
path; the server stopping mid-call leaves the record so far; twenty callers at once all
finish; the reminder and callback campaigns run through the real dialer.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import tempfile
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from campaign_world import FRIDAY_8AM, sessions_for, until
from pbxsim_helpers import RawAmi, run
from suite_secrets import SUITE_SIGNING_SECRET

from dialer.ami import AmiLink, AmiUrl
from dialer.campaigns import start
from dialer.engine import Dialer, DialerConfig
from ivr.catalog import LANGS, load_catalog
from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES
from pbxsim import PbxSim, SimConfig
from pbxsim.population import PopulationConfig
from store.attempt_token import make_token
from store.clock import ScaledClock
from store.models import (
    Appointment,
    Campaign,
    Contact,
    Declaration,
    Feedback,
    InboundCall,
    Location,
)

SOUNDS = "/srv/hotline/sounds"
SECRET = SUITE_SIGNING_SECRET.encode()
SCALE = 0.002  # real seconds per simulated second: a prompt is 4 ms, a 6 s timeout 12 ms
NOW = datetime(2021, 10, 9, 1, 0, tzinfo=UTC)


def catalog_sounds() -> set[str]:
    return {f"{SOUNDS}/{lang}/{pid}" for pid in load_catalog().ids for lang in LANGS}


@asynccontextmanager
async def hotline_on_pbxsim(sessions, clock=lambda: NOW, scale=SCALE):
    recordings = tempfile.mkdtemp(prefix="tree-recordings-")  # pbxsim writes real files
    server = FastAgiServer(
        ROUTES, port=0, sessions=sessions, log_calls=True, sounds_dir=SOUNDS, clock=clock,
        signing_secret=SECRET, recordings_dir=recordings,
    )  # fmt: skip
    agi_port = await server.start()
    sim = PbxSim(
        SimConfig(
            agi_url=f"agi://127.0.0.1:{agi_port}", scale=scale, sounds=catalog_sounds(),
            population=PopulationConfig(seed=7, last_digit=True),
        )
    )  # fmt: skip
    await sim.start(ami_port=0)
    try:
        yield server, sim
    finally:
        await sim.close()
        await server.close(grace=1)
        shutil.rmtree(recordings, ignore_errors=True)


def calls(sessions, scripts: dict[str, str], **options):
    """Each caller (a national number) dials 1022 with its key script, all at once."""

    async def scenario():
        async with hotline_on_pbxsim(sessions) as (server, sim):
            heard = await asyncio.gather(
                *(sim.inbound_call(caller, keys, **options) for caller, keys in scripts.items())
            )
            await asyncio.wait_for(server.wait_idle(), 10)
            return dict(zip(scripts, heard, strict=True))

    return run(scenario())


def log_of(sessions) -> dict[str, tuple[list[str], str]]:
    with sessions() as s:
        return {c.caller: (c.path, c.outcome) for c in s.scalars(sa.select(InboundCall))}


def prompts(transcript) -> list[str]:
    return [name.rsplit("/", 1)[-1] for name in transcript.heard]


def test_every_branch_of_the_menus_is_reachable_by_keys(sqlite_url):
    sessions = sessions_for(sqlite_url)
    with sessions.begin() as s:
        s.add(Appointment(phone="+84905000102", site="TTYT quận Sơn Trà",
                          slot_start=NOW + timedelta(days=2),
                          slot_end=NOW + timedelta(days=2, hours=1)))  # fmt: skip
    heard = calls(
        sessions,
        {
            "0905000101": "1,1,2,3,4,9,9,*,0",  # procedures, back, English, repeat, operator
            # exposure, vaccination, bulletin, feedback (category 1, speaks, #, keeps it)
            "0905000102": "3,2,0912345678#,3,4,9,2,1,#,1",
            "0905000104": "7,,",  # a wrong key, silence twice: the operator
        },
    )
    log = log_of(sessions)
    assert log["+84905000101"] == (
        ["main", "procedures", "flow:procedure-birth", "procedures", "flow:procedure-residence",
         "procedures", "flow:procedure-land", "procedures", "flow:procedure-business",
         "procedures", "main", "flow:language", "main", "operator"],
        "operator",
    )  # fmt: skip
    assert prompts(heard["0905000101"])[-5:] == [
        "main-menu", "menu-footer", "main-menu", "menu-footer", "transfer-operator",
    ]  # in English, then * again  # fmt: skip
    assert heard["0905000101"].heard[-5].startswith(f"{SOUNDS}/en/")
    path, _ = log["+84905000102"]
    assert path[:9] == ["main", "covid", "flow:exposure", "covid", "flow:vaccination", "covid",
                        "flow:bulletin", "covid", "main"]  # fmt: skip
    assert path[9] == "flow:feedback"
    said = prompts(heard["0905000102"])
    assert "exposure-none" in said and "covid-bulletin" in said
    bring = said.index("reminder-bring")
    assert said[bring - 2 : bring + 1] == ["appointment-site", "district-son-tra", "reminder-bring"]
    with sessions() as s:
        assert s.scalars(sa.select(Feedback.status)).all() == ["new"]
    assert log["+84905000104"] == (["main", "operator"], "operator")
    assert prompts(heard["0905000104"])[3:5] == ["invalid-key", "main-menu"]
    assert "error-apology" not in {p for t in heard.values() for p in prompts(t)}


def test_a_declaration_is_saved_with_exactly_the_keys_pressed(sqlite_url):
    sessions = sessions_for(sqlite_url)
    heard = calls(sessions, {"0905000103": "3,1,2,1,2,2,3#,1"})
    with sessions() as s:
        row = s.scalars(sa.select(Declaration)).one()
    assert (row.phone, row.source, row.complete, row.follow_up) == (
        "+84905000103", "inbound", True, True,
    )  # fmt: skip
    assert row.answers == {
        "symptoms": False, "fever": True, "cough": False, "breathing": False, "people": 3,
    }  # fmt: skip
    said = prompts(heard["0905000103"])
    assert said[-2:] == ["declaration-offer-operator", "transfer-operator"]
    assert log_of(sessions)["+84905000103"] == (["main", "covid", "flow:declaration"], "operator")


def test_keys_typed_during_the_greeting_choose_from_the_main_menu(sqlite_url):
    sessions = sessions_for(sqlite_url)
    heard = calls(sessions, {"0905000107": "3,4"}, barge_in=True)
    said = prompts(heard["0905000107"])
    assert said[:2] == ["welcome", "covid-menu"]  # the main menu never played
    assert log_of(sessions)["+84905000107"][0][:3] == ["main", "covid", "flow:bulletin"]


def test_a_hangup_during_the_declaration_leaves_a_partial_one_and_the_path(sqlite_url):
    sessions = sessions_for(sqlite_url)
    calls(sessions, {"0905000108": "3,1,2,1,H"})
    with sessions() as s:
        row = s.scalars(sa.select(Declaration)).one()
    assert (row.complete, row.answers, row.follow_up) == (
        False, {"symptoms": False, "fever": True}, True,
    )  # fmt: skip
    assert log_of(sessions)["+84905000108"] == (["main", "covid", "flow:declaration"], "hangup")


def test_a_caller_the_hotline_is_trying_to_reach_hears_why_then_declares(sqlite_url):
    sessions = sessions_for(sqlite_url)
    with sessions.begin() as s:
        s.add(Location(code="DN-0001", name="Chợ Hàn", district="Hải Châu"))
        campaign = Campaign(name="F0-1 notice", created_at=NOW, status="running")
        s.add(campaign)
        s.flush()
        s.add(Contact(campaign_id=campaign.id, phone="+84905000105", created_at=NOW,
                      location_code="DN-0001", checked_in_at=NOW - timedelta(days=2),
                      why=[]))  # fmt: skip
    heard = calls(sessions, {"0905000105": "1,2,2,2,2,1#"})
    said = prompts(heard["0905000105"])
    assert said[:5] == ["welcome", "notice-intro", "notice-exposure", "notice-place",
                        "district-hai-chau"]  # fmt: skip
    with sessions() as s:
        contact = s.scalars(sa.select(Contact)).one()
        declaration = s.scalars(sa.select(Declaration)).one()
    assert (contact.status, contact.reached_at) == ("declared", NOW)
    assert (declaration.contact_id, declaration.complete) == (contact.id, True)


def test_back_from_an_empty_queue_the_caller_books_a_callback(sqlite_url):
    sessions = sessions_for(sqlite_url)

    async def scenario():
        async with hotline_on_pbxsim(sessions) as (server, sim):
            ami = await RawAmi.connect(await sim.start(ami_port=0))
            await ami.login(secret="hotline")
            await ami.read()  # FullyBooted
            await ami.send([
                ("Action", "Originate"), ("Channel", "Local/s@hotline-operator"),
                ("Context", "caller"), ("Exten", "s"), ("Priority", "1"),
                ("CallerID", '"" <0905000106>'), ("Variable", "PBXSIM_KEYS=1"),
                ("Async", "true"), ("ActionID", "cb-1"),
            ])  # fmt: skip
            await until(lambda: log_of(sessions).get("+84905000106", ([], None))[1] is not None)
            await ami.close()

    run(scenario())
    assert log_of(sessions)["+84905000106"] == (["callback-offer", "callback"], "callback")
    with sessions() as s:
        campaign = s.scalars(sa.select(Campaign)).one()
        contact = s.scalars(sa.select(Contact)).one()
    assert (campaign.kind, campaign.status, campaign.suppress_s) == ("callback", "running", 0)
    assert (contact.phone, contact.status) == ("+84905000106", "pending")


def test_twenty_callers_at_once_all_finish(sqlite_url):
    sessions = sessions_for(sqlite_url)
    scripts = {f"09050002{i:02d}": "3,1,2,2,2,2,1#" for i in range(20)}
    calls(sessions, scripts)
    with sessions() as s:
        done = s.scalar(sa.select(sa.func.count()).where(Declaration.complete.is_(True)))
    assert done == 20
    assert {outcome for _, outcome in log_of(sessions).values()} == {"hangup"}
    assert len(log_of(sessions)) == 20


def test_the_server_stopping_mid_call_leaves_the_line_up_and_the_record_so_far(sqlite_url):
    """On Asterisk the dialplan then goes on to hotline-error (tests/asterisk/test_tree.py)."""
    sessions = sessions_for(sqlite_url)

    def declaring() -> bool:
        with sessions() as s:
            return s.scalar(sa.select(sa.func.count()).select_from(Declaration)) == 1

    async def scenario():
        async with hotline_on_pbxsim(sessions, scale=0.05) as (server, sim):
            call = asyncio.ensure_future(sim.inbound_call("0905000109", "3,1", end="silent"))
            await until(declaring)
            await server.close(grace=0)
            return await asyncio.wait_for(call, 10)

    transcript = run(scenario())
    assert (transcript.status, transcript.ended_by) == ("SUCCESS", "server")  # line still up
    commands = [line for line in transcript.lines if line.startswith("> ")]
    assert not any(c.startswith(("> HANGUP", "> EXEC")) for c in commands), commands[-3:]
    with sessions() as s:
        declaration = s.scalars(sa.select(Declaration)).one()
    assert (declaration.complete, declaration.answers) == (False, {})
    assert log_of(sessions)["+84905000109"][0] == ["main", "covid", "flow:declaration"]


# ---- the reminder and the callback, called by the real dialer -----------------------------
def test_the_dialer_calls_reminders_and_callbacks_through_their_flows(sqlite_url):
    sessions = sessions_for(sqlite_url)
    clock = ScaledClock.starting(FRIDAY_8AM, 0.001)
    now = clock.now()
    with sessions.begin() as s:
        reminders = Campaign(name="reminders", kind="appointment_reminder", created_at=now,
                             calls_per_second=50)  # fmt: skip
        callbacks = Campaign(name="callbacks", kind="callback", created_at=now, suppress_s=0,
                             calls_per_second=50)  # fmt: skip
        s.add_all([reminders, callbacks])
        s.flush()
        for phone in ("+84905000301", "+84905000309"):  # presses 1; presses 2
            slot = Appointment(phone=phone, site="TTYT quận Cẩm Lệ",
                               slot_start=now + timedelta(hours=3),
                               slot_end=now + timedelta(hours=4))  # fmt: skip
            s.add(slot)
            s.flush()
            s.add(Contact(campaign_id=reminders.id, phone=phone, created_at=now, priority=1,
                          appointment_id=slot.id))  # fmt: skip
        s.add(Contact(campaign_id=callbacks.id, phone="+84905000311", created_at=now))
        start(reminders, now)
        start(callbacks, now)

    async def scenario():
        async with hotline_on_pbxsim(sessions, clock=clock.now, scale=0.001) as (server, sim):
            link = AmiLink(AmiUrl("127.0.0.1", await sim.start(ami_port=0), "hotline", "hotline"),
                           ping_interval=1.0, ping_timeout=2.0, backoff=(0.05, 0.5))  # fmt: skip
            await link.start()
            config = DialerConfig(worker="w1", refresh=0.05, heartbeat=0.5,
                                  sign=functools.partial(make_token, SECRET))  # fmt: skip
            dialer = Dialer(sessions, link, config, clock)
            task = asyncio.ensure_future(dialer.run())
            try:
                await until(lambda: campaign_status(sessions, "reminders") == "completed")
            finally:
                dialer.stop()
                await asyncio.wait_for(task, 10)
                await link.close()

    run(scenario(), timeout=60)
    with sessions() as s:
        replies = {a.phone: (a.status, a.responded_at is not None)
                   for a in s.scalars(sa.select(Appointment))}  # fmt: skip
        statuses = {c.phone: c.status for c in s.scalars(sa.select(Contact))}
        kinds = {c.name: c.status for c in s.scalars(sa.select(Campaign))}
    assert replies == {"+84905000301": ("confirmed", True), "+84905000309": ("cannot_come", True)}
    assert statuses == dict.fromkeys(["+84905000301", "+84905000309", "+84905000311"], "answered")
    assert kinds == {"reminders": "completed", "callbacks": "running"}  # callbacks never end


def campaign_status(sessions, name):
    with sessions() as s:
        return s.scalar(sa.select(Campaign.status).where(Campaign.name == name))
