# Rules: the two things most real-Asterisk tests open around a call, as async context
# managers that always close: an AMI login (the shipped dialer user, or the all-powerful
# test user) and our FastAGI server with the real routes on the port the dialplan's
# [globals] point at (pbx.agi_port), playing the test prompts.
"""`ami_login(pbx)` and `hotline_fastagi(pbx, sounds, **context)` for real-Asterisk tests."""

from __future__ import annotations

import contextlib

from ami_client import AmiClient
from real_asterisk import DIALER_USER, TEST_USER, AsteriskPbx

from ivr.fastagi import FastAgiServer
from ivr.flows import ROUTES


@contextlib.asynccontextmanager
async def ami_login(pbx: AsteriskPbx, user: str = TEST_USER, events: str = "on"):
    """An AmiClient logged in as `user` (DIALER_USER or TEST_USER)."""
    secret = pbx.dialer_secret if user == DIALER_USER else pbx.test_secret
    ami = await AmiClient.login(pbx.host, pbx.ami_port, user, secret, events=events)
    try:
        yield ami
    finally:
        await ami.close()


@contextlib.asynccontextmanager
async def hotline_fastagi(pbx: AsteriskPbx, sounds, routes=ROUTES, **context):
    """Our FastAGI server where the dialplan sends calls; context as `hotline agi serve`'s
    (sessions=..., log_calls=True, clock=...)."""
    server = FastAgiServer(
        routes, host=pbx.host, port=pbx.agi_port, sounds_dir=str(sounds), **context
    )
    await server.start()
    try:
        yield server
    finally:
        await server.close(grace=5.0)
