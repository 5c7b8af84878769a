"""The dialing loop of one worker (one per Asterisk box): claim, originate, record, repeat.

Rules:
- Order of work for one call: claim (contact leased, attempt `queued`, committed) ->
  `dialing` committed -> Originate -> OriginateResponse -> (answered: wait for the Hangup)
  -> finish (outcome, next attempt or final status, committed). Nothing is dialed that the
  database does not already show as dialing.
- Pacing: at most `channels` calls of this worker at once; per campaign, at most its
  channels across all workers (counted in the database at claim time) and its calls per
  second (a token bucket on the campaign clock, the rate shared among live workers).
- The calling window is checked before any claim; a closed window sleeps until it opens.
- After a start or a reconnect the worker reconciles: its unfinished attempts whose
  channel Asterisk still has are followed to their Hangup; the rest end as `unknown`
  (queued ones were never sent and are put back). Other workers' attempts are settled by
  the scheduler once their lease runs out.
- A refused Originate (our parameters or dialplan, not the callee) dials nobody: the claim
  is given back and the campaign paused with the reason in the log, so a broken dialplan
  cannot burn every contact's attempts.
- All database work runs in threads; the event loop only waits on AMI and timers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from dialer import ledger
from dialer.ami import AmiError, AmiLink, CallWatch, LinkDown, OriginateRefused
from dialer.attempts import REASON_ANSWERED
from dialer.dialstring import DEFAULT_DIAL_STRING, dial_string
from dialer.ledger import CampaignPlan, Claimed
from dialer.pacing import TokenBucket
from store.clock import Clock, SystemClock
from store.models import Campaign

log = logging.getLogger("hotline.dialer")


@dataclass
class DialerConfig:
    worker: str
    dial_string: str = DEFAULT_DIAL_STRING
    context: str = "hotline-outbound"
    channels: int = 30  # this worker's (this Asterisk box's) limit
    lease: timedelta = timedelta(minutes=2)  # beyond the ring timeout; renewed while live
    heartbeat: float = 5.0  # real seconds
    refresh: float = 0.5  # real seconds between reads of the campaigns
    hangup_grace: float = 2.0  # real seconds to wait for a failed call's Hangup (its Cause)
    originate_grace: float = 15.0  # real seconds past the ring timeout before giving up
    exit_when_idle: bool = False  # stop once no campaign is running or scheduled
    recordings_dir: str | None = None
    scheduler: bool = True
    sign: object = None  # callable(attempt_id, channel_id) -> HOTLINE_ATTEMPT value
    retention: dict | None = None  # the config's [retention] table, for the daily purge


@dataclass
class Stats:
    started: int = 0
    outcomes: Counter = field(default_factory=Counter)
    peak: int = 0
    refused: int = 0
    followed: int = 0


@dataclass
class LiveCall:
    claimed: Claimed
    watch: CallWatch | None = None
    over: bool = False  # hung up: its channel is free, its record not yet written


class Dialer:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        link: AmiLink,
        config: DialerConfig,
        clock: Clock | None = None,
    ) -> None:
        self.sessions = sessions
        self.link = link
        self.config = config
        self.clock = clock or SystemClock()
        self.stats = Stats()
        self.live: dict[int, LiveCall] = {}  # attempt id -> call
        self.plans: dict[int, CampaignPlan] = {}
        self.ready: dict[int, deque[Claimed]] = {}  # claimed ahead, not yet dialed
        self.buckets: dict[int, TokenBucket] = {}
        self.workers = 1
        # SQLite takes one writer at a time: more threads here would only wait on its lock
        sqlite = sessions.kw["bind"].dialect.name == "sqlite"
        self._db_threads = ThreadPoolExecutor(1 if sqlite else 4, thread_name_prefix="dialer-db")
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()
        self._reconciled = asyncio.Event()
        self._running = False
        self.scheduler = None
        link.on_login.append(self._after_login)
        link.on_lost.append(self._reconciled.clear)

    # --- database in threads ----------------------------------------------------------------
    async def db(self, fn, *args, **kwargs):
        def work():
            with self.sessions.begin() as session:
                return fn(session, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._db_threads, work)

    @property
    def in_use(self) -> int:
        """Channels this worker holds now: calls dialed and not yet hung up."""
        return sum(not call.over for call in self.live.values())

    # --- lifecycle ----------------------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def run(self) -> Stats:
        """Dial until stop() (or, with exit_when_idle, until no campaign is left)."""
        background = [self._spawn(self._heartbeat())]
        if self.config.scheduler:
            from dialer.jobs import SchedulerSeat

            self.scheduler = SchedulerSeat(self)
            background.append(self._spawn(self.scheduler.run()))
        self._running = True
        try:
            await self._reconcile()
            await self._dispatch()
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            if self.scheduler is not None:
                await self.scheduler.close()
        return self.stats

    async def drain(self) -> None:
        """Wait for every live call to end (after stop(), for a clean exit)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- the dispatcher -----------------------------------------------------------------------
    async def _dispatch(self) -> None:
        refreshed, plans = -math.inf, []
        while not self._stop.is_set():
            self._wake.clear()
            wait = self.config.refresh
            if self.link.connected and self._reconciled.is_set():
                if time.monotonic() - refreshed >= self.config.refresh:
                    plans, refreshed = await self._refresh(), time.monotonic()
                idle = self.config.exit_when_idle and not plans and not self.live
                if idle and not await self.db(_any_scheduled):
                    return
                for plan in plans:
                    wait = min(wait, await self._feed(plan))
                    if self._stop.is_set():
                        break
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.001, wait))
            except TimeoutError:
                pass
        await self._release_ready(list(self.ready))

    async def _refresh(self) -> list[CampaignPlan]:
        plans = await self.db(ledger.load_plans)
        running = {p.id for p in plans}
        await self._release_ready([cid for cid in self.ready if cid not in running])
        self.plans.update({p.id: p for p in plans})
        for plan in plans:
            rate = self._share(plan)
            bucket = self.buckets.get(plan.id)
            if bucket is None:
                self.buckets[plan.id] = TokenBucket(rate, now=self.clock.monotonic())
            elif bucket.rate != rate:
                bucket.set_rate(rate)
        return plans

    async def _feed(self, plan: CampaignPlan) -> float:
        """Dial what this campaign may dial now, then claim the next few ahead; returns the
        real seconds until it may have more to do (the loop also wakes when a call ends)."""
        now = self.clock.now()
        window = plan.policy.window
        if not window.is_open(now) or plan.policy.expired(now):
            await self._release_ready([plan.id])
            if plan.policy.expired(now):
                return self.config.refresh
            return self.clock.real((window.next_open(now) - now).total_seconds())
        ready = self.ready.setdefault(plan.id, deque())
        wait = await self._dial_ready(plan, ready)
        want = min(self._depth(plan), plan.policy.max_channels) - len(ready)
        if want > 0:
            result = await self.db(
                ledger.claim,
                plan,
                worker=self.config.worker,
                now=now,
                limit=want,
                lease=self._lease(plan),
            )
            ready.extend(result.claimed)
            if result.claimed and wait == self.config.refresh:
                wait = 0.0  # go round again: they may be dialed now
            elif result.next_due is not None and not ready:
                wait = min(wait, self.clock.real((result.next_due - now).total_seconds()))
        return wait

    async def _dial_ready(self, plan: CampaignPlan, ready: deque) -> float:
        """Originate the ready claims while channels and the campaign's pace allow.

        A few claims at a time (about a tenth of a real second of dialing) go to `dialing`
        in one transaction, each stamped with its own moment on the pace; each Originate is
        then written at that moment, and the pace counts from when it really went."""
        bucket = self.buckets[plan.id]
        while ready and self.in_use < self.config.channels:
            wait = bucket.ready_in(self.clock.monotonic())
            if wait > 0:
                return min(self.config.refresh, self.clock.real(wait))
            size = min(len(ready), self.config.channels - self.in_use, self._batch(plan))
            batch = [ready.popleft() for _ in range(size)]
            recordings = [self._recording_path(plan, c) for c in batch]
            stamps = await self.db(
                _start_dialing,
                batch,
                self.clock.now,
                1.0 / bucket.rate,
                recordings,
                plan.policy.max_channels,
            )
            full = [c for c, stamp in zip(batch, stamps, strict=True) if stamp == "full"]
            ready.extendleft(reversed(full))  # every channel of the campaign is in use
            for claimed, stamp, recording in zip(batch, stamps, recordings, strict=True):
                if not isinstance(stamp, datetime):
                    continue  # full (back in the queue) or gone (someone else settled it)
                if not await self._dial_at(plan, claimed, stamp, recording):
                    return self.config.refresh
            if full:
                return self.config.refresh
        return self.config.refresh

    async def _dial_at(self, plan: CampaignPlan, claimed: Claimed, stamp, recording) -> bool:
        """Write one Originate at its stamped moment (and never closer to the previous one
        than the pace allows); False when the link was down and nothing was sent."""
        bucket = self.buckets[plan.id]
        delay = max(
            (stamp - self.clock.now()).total_seconds(), bucket.ready_in(self.clock.monotonic())
        )
        if delay > 0:
            await asyncio.sleep(self.clock.real(delay))
        try:
            pending = self._send(plan, claimed, recording)
        except LinkDown:  # not written: nobody was dialed
            await self.db(ledger.not_sent, claimed.attempt_id)
            return False
        bucket.sent(self.clock.monotonic())
        self.live[claimed.attempt_id] = LiveCall(claimed, self.link.watches[claimed.channel_id])
        self._spawn(self._call(plan, claimed, pending))
        self.stats.started += 1
        self.stats.peak = max(self.stats.peak, self.in_use)
        return True

    def _batch(self, plan: CampaignPlan) -> int:
        """How many dials one transaction prepares: a tenth of a real second's worth."""
        return max(1, min(20, math.ceil(self._dials_per_real_second(plan) / 10)))

    def _depth(self, plan: CampaignPlan) -> int:
        """How many claims to hold ready: about half a real second of dialing, 2 to 50."""
        return max(2, min(50, math.ceil(self._dials_per_real_second(plan) / 2)))

    def _share(self, plan: CampaignPlan) -> float:
        """This worker's share of the campaign's pace, in calls per campaign second."""
        return plan.policy.calls_per_second / max(1, self.workers)

    def _dials_per_real_second(self, plan: CampaignPlan) -> float:
        return self._share(plan) / self.clock.real(1)

    async def _release_ready(self, campaign_ids: list[int]) -> None:
        ids = [c.attempt_id for cid in campaign_ids for c in self.ready.pop(cid, ())]
        if ids:
            await self.db(ledger.release, ids)

    def _lease(self, plan: CampaignPlan) -> timedelta:
        """Past the ring timeout, and always at least four heartbeats (which renew it) long,
        in campaign time: a live worker's calls are never taken for a dead one's."""
        beats = timedelta(seconds=4 * self.config.heartbeat / self.clock.real(1.0))
        return max(plan.policy.ring_timeout + self.config.lease, beats)

    # --- one call -------------------------------------------------------------------------------
    def _send(self, plan: CampaignPlan, claimed: Claimed, recording: str | None):
        """Write the Originate now; the awaitable of its outcome (LinkDown if not written)."""
        variables = {"HOTLINE_ATTEMPT": self._attempt_value(claimed)}
        if plan.amd:
            variables["HOTLINE_AMD"] = "1"
        if recording:
            variables["HOTLINE_RECORD"] = recording
        ring = plan.policy.ring_timeout.total_seconds()
        return self.link.originate(
            channel=dial_string(self.config.dial_string, claimed.phone),
            context=self.config.context,
            channel_id=claimed.channel_id,
            other_id=claimed.other_id,
            variables=variables,
            ring_timeout_ms=int(ring * 1000),
            caller_id=plan.caller_id,
            timeout=self.clock.real(ring) + self.config.originate_grace,
        )

    async def _call(self, plan: CampaignPlan, claimed: Claimed, pending) -> None:
        try:
            watch = await self._outcome(plan, claimed, pending)
            if watch is not None:
                await self._follow(plan, claimed, watch)
        except Exception:
            log.exception("call attempt %s failed in the dialer", claimed.attempt_id)
        finally:
            self.live.pop(claimed.attempt_id, None)
            self.link.forget(claimed.channel_id)
            self._wake.set()

    async def _outcome(self, plan: CampaignPlan, claimed: Claimed, pending) -> CallWatch | None:
        try:
            return await pending
        except OriginateRefused as exc:
            self.stats.refused += 1
            await self.db(_refused, claimed.attempt_id, plan.id, str(exc))
            log.error(
                "campaign %s paused: Asterisk refused the Originate (%s); check --context, "
                "--dial-string and the dialplan (hotline doctor), then: hotline campaign resume %s",
                plan.id,
                exc,
                plan.id,
            )
            return None
        except LinkDown:
            # The call may exist: after the reconnect, reconciliation tells live from gone.
            return self.live[claimed.attempt_id].watch

    async def _follow(self, plan: CampaignPlan, claimed: Claimed, watch: CallWatch) -> None:
        while not watch.outcome_known.is_set() and not watch.hungup.is_set():
            await _first(watch.outcome_known.wait(), watch.hungup.wait())
        answered = None
        if watch.reason == REASON_ANSWERED:
            # written with the outcome at the hangup: one transaction a call, not two (the
            # notice flow has marked the attempt answered by then if the callee heard it)
            answered = self.clock.now()
            await watch.hungup.wait()
        else:  # a failed call's Hangup (its Cause) follows the OriginateResponse, or the
            # other way round: give the late one a moment
            await _within(watch.hungup.wait(), self.config.hangup_grace)
            await _within(watch.outcome_known.wait(), self.config.hangup_grace)
        if claimed.attempt_id in self.live:
            self.live[claimed.attempt_id].over = True
        status = await self._finish(plan, claimed, watch, self.clock.now(), answered)
        self.stats.outcomes[status or "?"] += 1

    async def _finish(
        self, plan: CampaignPlan, claimed: Claimed, watch: CallWatch, ended, answered=None
    ) -> str | None:
        policy = (await self._plan(plan.id)).policy
        for attempt in range(5):
            try:
                return await self.db(
                    ledger.finish,
                    claimed.attempt_id,
                    now=ended,
                    policy=policy,
                    reason=watch.reason,
                    causes=watch.causes,
                    cause_txt=watch.cause_txt,
                    channel=watch.channel,
                    lost=watch.lost,
                    answered_at=answered,
                )
            except Exception:
                if attempt == 4:
                    raise
                log.warning("recording attempt %s failed; retrying", claimed.attempt_id)
                await asyncio.sleep(0.2 * 2**attempt)
        return None

    async def _plan(self, campaign_id: int) -> CampaignPlan:
        plan = self.plans.get(campaign_id)
        if plan is None:
            plan = await self.db(_plan_any_status, campaign_id)
            self.plans[campaign_id] = plan
        return plan

    def _attempt_value(self, claimed: Claimed) -> str:
        if self.config.sign is not None:
            return self.config.sign(claimed.attempt_id, claimed.channel_id)
        return str(claimed.attempt_id)

    def _recording_path(self, plan: CampaignPlan, claimed: Claimed) -> str | None:
        if not plan.record or not self.config.recordings_dir:
            return None
        folder = Path(self.config.recordings_dir).resolve()
        return str(folder / f"campaign-{plan.id}" / f"attempt-{claimed.attempt_id}.wav")

    # --- reconciliation -----------------------------------------------------------------------
    async def _after_login(self) -> None:
        if not self._running:
            return  # run() reconciles first thing
        try:
            await self._reconcile()
        except AmiError as exc:
            log.warning("reconciliation after login failed (%s); retrying at the next login", exc)
            self.link.abort()

    async def _reconcile(self) -> None:
        """Match what the database says is live with what Asterisk has."""
        if not await self.link.wait_connected(None):
            return
        live_ids = await self.link.live_channels()
        for call in list(self.live.values()):
            watch = call.watch
            if watch is None or watch.hungup.is_set():
                continue
            if watch.channel_id not in live_ids and watch.other_id not in live_ids:
                watch.gone()
        held = {c.attempt_id for queue in self.ready.values() for c in queue}
        for row in await self.db(ledger.unfinished, self.config.worker):
            if row.attempt_id in self.live or row.attempt_id in held:
                continue
            plan = await self._plan(row.campaign_id)
            other = ledger.other_channel_id(row.channel_id)
            if row.state != "queued" and (row.channel_id in live_ids or other in live_ids):
                self._adopt(plan, row, other)
                continue
            await self.db(
                ledger.finish,
                row.attempt_id,
                now=self.clock.now(),
                policy=plan.policy,
                lost=True,
            )
        self._reconciled.set()
        self._wake.set()

    def _adopt(self, plan: CampaignPlan, row: ledger.Unfinished, other: str) -> None:
        """Follow a call a previous run of this worker started and Asterisk still has."""
        claimed = Claimed(row.attempt_id, row.contact_id, row.campaign_id, "", 0, row.channel_id)
        watch = self.link.watch(row.channel_id, other)
        if row.state in ("answered", "machine"):
            watch.reason = REASON_ANSWERED
            watch.outcome_known.set()
        self.live[row.attempt_id] = LiveCall(claimed, watch)
        self.stats.followed += 1
        self._spawn(self._follow_adopted(plan, claimed, watch))

    async def _follow_adopted(self, plan, claimed, watch) -> None:
        try:
            await self._follow(plan, claimed, watch)
        finally:
            self.live.pop(claimed.attempt_id, None)
            self.link.forget(claimed.channel_id)
            self._wake.set()

    # --- heartbeat -------------------------------------------------------------------------
    async def _heartbeat(self) -> None:
        while True:
            try:
                await self._beat()
            except Exception:
                log.exception("dialer heartbeat failed")
            await asyncio.sleep(self.config.heartbeat)

    async def _beat(self) -> None:
        now = self.clock.now()
        contacts = [c.claimed.contact_id for c in self.live.values()]
        contacts += [c.contact_id for queue in self.ready.values() for c in queue]
        lease = max((self._lease(p) for p in self.plans.values()), default=self.config.lease)
        within = timedelta(seconds=3 * self.config.heartbeat / self.clock.real(1.0))
        self.workers = await self.db(
            _beat,
            self.config.worker,
            now,
            self.in_use,
            self.link.connected,
            contacts,
            lease,
            within,
        )


# --- small transactions ------------------------------------------------------------------------
def _start_dialing(
    session: Session,
    batch: list[Claimed],
    clock,
    spacing: float,
    recordings: list[str | None],
    max_channels: int,
) -> list:
    """For each claim: the moment it may be dialed (now `dialing`, stamped with it), or
    "full" (the campaign's channels are all in use, by any worker) or "gone".

    The stamps are read after the count, inside the transaction, one `spacing` of campaign
    seconds apart: no call that ended before them can look as if it overlapped, and no
    second of them holds more than the pace."""
    from store.models import CallAttempt

    free = max_channels - ledger.dialing_attempts(session, batch[0].campaign_id, lock=True)
    base = clock()
    out: list = []
    for i, (claimed, recording) in enumerate(zip(batch, recordings, strict=True)):
        if i >= free:
            out.append("full")
            continue
        stamp = base + timedelta(seconds=i * spacing)
        if not ledger.mark_dialing(session, claimed.attempt_id, stamp):
            out.append("gone")
            continue
        if recording:
            session.get(CallAttempt, claimed.attempt_id).recording_path = recording
        out.append(stamp)
    return out


def _refused(session: Session, attempt_id: int, campaign_id: int, message: str) -> None:
    ledger.not_sent(session, attempt_id)
    campaign = session.get(Campaign, campaign_id)
    if campaign is not None and campaign.status == "running":
        campaign.status = "paused"


def _plan_any_status(session: Session, campaign_id: int) -> CampaignPlan:
    return ledger.plan_of(session.get(Campaign, campaign_id))


def _any_scheduled(session: Session) -> bool:
    import sqlalchemy as sa

    return (
        session.scalar(
            sa.select(Campaign.id).where(Campaign.status.in_(("running", "scheduled"))).limit(1)
        )
        is not None
    )


def _beat(session, worker, now, in_use, connected, contacts, lease, within) -> int:
    ledger.heartbeat(session, worker, now, in_use, connected)
    ledger.renew_leases(session, contacts, now + lease)
    session.flush()
    return max(1, ledger.live_workers(session, now, within))


async def _within(aw, seconds: float) -> None:
    try:
        await asyncio.wait_for(aw, seconds)
    except TimeoutError:
        pass


async def _first(*aws) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
