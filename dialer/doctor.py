"""`hotline doctor`: is everything the dialer and the IVR need in place? One line per check.

Rules: every check runs (one failure does not hide the next); each says what it found
and, when it fails, what to do about it; no check changes anything; secrets are never
shown (the AMI URL is redacted, a database password hidden). A recordings folder (the
IVR's, and the dialer's when it has its own) is judged as Asterisk sees it: Asterisk on this
host (the AMI URL is loopback) needs it here; Asterisk elsewhere needs it mounted here.
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from dialer.ami import AmiError, AmiLink, AmiUrl
from dialer.calling_hours import PolicyError
from dialer.times import format_city
from store.clock import clock_from_env
from store.errors import UserError

NOTICE_PROMPTS = (
    "notice-intro",
    "notice-exposure",
    "notice-place",
    "notice-time",
    "notice-instructions",
    "notice-menu",
    "notice-declare",
    "notice-goodbye",
    "opted-out",
    "thank-you",
    "goodbye",
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def run_checks(
    *,
    database_url: str,
    ami_url: str,
    contexts: list[str],
    sounds_dir: Path,
    recordings_dirs: Sequence[str] = (),
) -> list[Check]:
    checks = [_database(database_url)]
    checks += await _asterisk(ami_url, contexts)
    checks.append(_prompts(sounds_dir))
    asterisk_host = _asterisk_host(ami_url)
    for folder in dict.fromkeys(recordings_dirs):
        checks.append(_recordings(folder, asterisk_host))
    checks += _campaigns(database_url)
    return checks


def _database(url: str) -> Check:
    from store.db import check_reachable, make_engine
    from store.migrate import current_revision, require_current

    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    try:
        engine = make_engine(url)
        check_reachable(engine)
        require_current(engine)
        revision = current_revision(engine)
        engine.dispose()
    except UserError as exc:
        return Check("database", False, f"{shown}: {exc}")
    return Check("database", True, f"{shown} at schema revision {revision}")


async def _asterisk(ami_url: str, contexts: list[str]) -> list[Check]:
    try:
        url = AmiUrl.parse(ami_url)
    except UserError as exc:
        return [Check("AMI", False, str(exc))]
    link = AmiLink(url, ping_interval=3600)
    try:
        await link.start(timeout=5)
    except AmiError as exc:
        await link.close()
        hint = "is Asterisk running, and are [ami] url / HOTLINE_AMI_URL right?"
        return [Check("AMI", False, f"{url.redacted()}: {exc}; {hint}")]
    checks = [Check("AMI", True, f"logged in at {url.redacted()}")]
    try:
        for context in contexts:
            checks.append(await _context(link, context))
        checks.append(await _channels(link))
    finally:
        await link.close()
    return checks


async def _context(link: AmiLink, context: str) -> Check:
    name = f"dialplan context {context}"
    try:
        reply = await link.send({"Action": "ShowDialPlan", "Context": context}, 10)
    except AmiError as exc:
        return Check(name, False, f"cannot ask Asterisk: {exc}")
    messages = reply if isinstance(reply, list) else [reply]
    if messages[0].get("Response") == "Error":
        message = messages[0].get("Message", "")
        if "Permission denied" in message:
            fix = "give the AMI user write = originate,reporting in manager.conf"
        else:
            fix = "load asterisk-config/extensions.conf, then: asterisk -rx 'dialplan reload'"
        return Check(name, False, f"{message}; {fix}")
    priorities = sum(1 for m in messages if m.get("Event") == "ListDialplan")
    return Check(name, True, f"present ({priorities} priorities)")


async def _channels(link: AmiLink) -> Check:
    try:
        live = await link.live_channels()
    except AmiError as exc:
        fix = "give the AMI user write = originate,reporting in manager.conf"
        return Check("AMI CoreShowChannels", False, f"{exc}; {fix}")
    return Check("AMI CoreShowChannels", True, f"{len(live)} channel(s) up now")


def _prompts(folder: Path) -> Check:
    missing = [
        f"{lang}/{pid}"
        for lang in ("vi", "en")
        for pid in NOTICE_PROMPTS
        if not any((folder / lang).glob(f"{pid}.*"))
    ]
    if missing:
        shown = ", ".join(missing[:4]) + (" …" if len(missing) > 4 else "")
        return Check(
            "prompts",
            False,
            f"{len(missing)} notice prompt(s) missing in {folder} ({shown}); "
            "run: hotline prompts build",
        )
    return Check("prompts", True, f"the notice's prompts are in {folder} (vi, en)")


def _asterisk_host(ami_url: str) -> str | None:
    """Asterisk's host when it is another machine (from the AMI URL), else None."""
    try:
        host = AmiUrl.parse(ami_url).host
    except UserError:
        return None
    try:
        return None if ipaddress.ip_address(host).is_loopback else host
    except ValueError:
        return None if host == "localhost" else host


def _recordings(folder: str, asterisk_host: str | None = None) -> Check:
    """Asterisk writes recordings there and hotline reads (and deletes) them."""
    path = Path(folder)
    if not path.is_dir() and asterisk_host:
        return Check(
            "recordings",
            False,
            f"{folder} is not on this host: Asterisk ({asterisk_host}) writes it on its own "
            "box; mount that folder here at the same path (hotline reads and purges it)",
        )
    if not path.is_dir():
        return Check(
            "recordings",
            False,
            f"{folder} does not exist and Asterisk cannot create it: run `hotline agi serve` "
            f"(it creates it) or mkdir -p {folder}, writable by Asterisk",
        )
    owner = _owner_and_mode(path)
    if not os.access(path, os.W_OK | os.X_OK):
        return Check(
            "recordings", False, f"{folder} is not writable ({owner}); fix its owner or mode"
        )
    return Check("recordings", True, f"{folder} exists and is writable ({owner})")


def _owner_and_mode(path: Path) -> str:
    info = path.stat()
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = f"uid {info.st_uid}"
    return f"owner {owner}, mode {stat.S_IMODE(info.st_mode):o}"


def _campaigns(url: str) -> list[Check]:
    from dialer import ledger
    from store.db import make_engine, session_factory
    from store.models import Campaign

    try:
        engine = make_engine(url)
        sessions = session_factory(engine)
        with sessions() as s:
            rows = list(
                s.scalars(sa.select(Campaign).where(Campaign.status.in_(("running", "scheduled"))))
            )
            now = clock_from_env(os.environ).now()
            workers = ledger.live_workers(s, now, timedelta(minutes=1))
            checks = [_window(c, now) for c in rows]
        engine.dispose()
    except (UserError, sa.exc.SQLAlchemyError):
        return []  # the database check has said what is wrong
    if any(c.status == "running" for c in rows) and not workers:
        checks.append(
            Check("dialer", False, "a campaign is running but no dialer is: hotline dialer run")
        )
    elif rows:
        checks.append(Check("dialer", True, f"{workers} dialer worker(s) alive"))
    return checks


def _window(campaign, now) -> Check:
    from dialer.calling_hours import CallingWindow

    name = f"campaign {campaign.id} calling window"
    try:
        window = CallingWindow.parse(campaign.calling_hours, campaign.calling_days)
    except PolicyError as exc:
        return Check(name, False, f"{exc}; fix it with: hotline campaign set {campaign.id}")
    if window.is_open(now):
        closes = format_city(window.closes_at(now))[-5:]
        return Check(name, True, f"{window.describe()}: open now, until {closes}")
    return Check(
        name, True, f"{window.describe()}: closed now, opens {format_city(window.next_open(now))}"
    )
