"""A citizen dials 1022: sim.inbound_call walks a FastAGI flow with a key script."""

from __future__ import annotations

import asyncio
import wave

from pbxsim_helpers import FlowAgi, RawAmi, fixture_sim, run, until, value


async def call(flow, keys, sim_overrides=None, **kwargs):
    agi = FlowAgi(flow)
    sim = fixture_sim(await agi.start(), **(sim_overrides or {}))
    try:
        transcript = await sim.inbound_call("0905123456", keys, **kwargs)
    finally:
        await sim.close()
        agi.close()
    return transcript, agi


def test_a_key_script_answers_one_question_at_a_time():
    seen = []

    async def menu(c):
        seen.append(await c.cmd("CHANNEL STATUS"))
        await c.cmd("ANSWER")
        seen.append(await c.cmd("GET DATA hello-world 3000 1"))
        seen.append(await c.cmd('STREAM FILE beep "12"'))
        seen.append(await c.cmd("WAIT FOR DIGIT 5000"))
        seen.append(await c.cmd("GET DATA beep 5000 6"))
        seen.append(await c.cmd("GET DATA beep 2000 4"))
        await c.cmd("HANGUP")

    transcript, agi = run(call(menu, "1,2,123#,45"))
    assert seen == [
        "200 result=4",
        "200 result=1",
        "200 result=0 endpos=3440",
        "200 result=50",
        "200 result=123",
        "200 result=45 (timeout)",
    ]
    assert agi.calls[0].header["agi_callerid"] == "0905123456"
    assert agi.calls[0].header["agi_network_script"] == "ivr"
    assert transcript.pressed == ["1", "2", "123#", "45"]
    assert transcript.heard == ["hello-world", "beep", "beep", "beep"]
    assert transcript.ended_by == "agi" and transcript.status == "HANGUP"
    assert "> GET DATA beep 2000 4" in transcript.lines


def test_a_caller_who_barges_in_interrupts_the_prompt():
    seen = []

    async def menu(c):
        await c.cmd("ANSWER")
        seen.append(await c.cmd('STREAM FILE hello-world "12"'))

    run(call(menu, "2", barge_in=True))
    assert seen[0].startswith("200 result=50 endpos=")


def test_h_hangs_up_and_the_flow_sees_minus_one_then_hangup():
    seen = []

    async def menu(c):
        await c.cmd("ANSWER")
        seen.append(await c.cmd("WAIT FOR DIGIT 5000"))
        seen.append(await c.cmd("WAIT FOR DIGIT 5000"))
        seen.append(await c.cmd('STREAM FILE beep ""'))  # HANGUP came after the -1
        seen.append(c.hung_up)
        seen.append(await c.cmd("GET VARIABLE CALLERID(num)"))

    transcript, _ = run(call(menu, "9,H"))
    assert seen == [
        "200 result=57",
        "200 result=-1",
        "511 Command Not Permitted on a dead channel or intercept routine",
        True,
        "200 result=1 (0905123456)",
    ]
    assert transcript.ended_by == "caller"


def test_silence_times_out_and_recordings_end_by_key_silence_or_timeout(tmp_path):
    seen = []
    base = tmp_path / "rec"

    async def menu(c):
        await c.cmd("ANSWER")
        seen.append(await c.cmd("WAIT FOR DIGIT 2000"))
        seen.append(await c.cmd("GET DATA beep 2000 4"))
        seen.append(await c.cmd(f'RECORD FILE {base}-1 wav "#" 15000 0 BEEP s=3'))
        seen.append(await c.cmd(f'RECORD FILE {base}-2 wav "#" 15000 0 s=3'))
        seen.append(await c.cmd(f'RECORD FILE {base}-3 wav "#" 4000'))
        seen.append(await c.cmd('STREAM FILE no-such-prompt ""'))
        seen.append(await c.cmd("EXEC NoSuchApp x"))

    run(call(menu, ",,#,x,", end="silent"))
    assert seen[0] == "200 result=0"
    assert seen[1] == "200 result= (timeout)"
    assert seen[2].startswith("200 result=35 (dtmf) endpos=")
    assert seen[3].startswith("200 result=9000 (timeout) endpos=")  # spoke 3 s, 3 s silence
    assert seen[4] == "200 result=0 (timeout) endpos=32000"
    assert seen[5] == "200 result=-1 endpos=0"
    assert seen[6] == "200 result=-2"
    for n, reply in zip((1, 2, 3), seen[2:5], strict=True):  # each file as long as its endpos
        endpos = int(reply.rsplit("endpos=", 1)[1])
        with wave.open(str(tmp_path / f"rec-{n}.wav")) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
            assert w.getnframes() == endpos > 0


def test_recording_into_a_missing_folder_is_writefile_after_the_beep(tmp_path):
    seen = []
    folder = tmp_path / "not-yet"

    async def menu(c):
        await c.cmd("ANSWER")
        seen.append(await c.cmd(f'RECORD FILE {folder}/msg wav "#" 15000 0 BEEP s=3'))
        seen.append(await c.cmd("CHANNEL STATUS"))  # the line is still up

    transcript, _ = run(call(menu, "#"))
    assert seen == ["200 result=-1 (writefile)", "200 result=6"]
    assert not folder.exists()  # Asterisk creates no folder, so neither does pbxsim


def test_a_key_or_a_hangup_during_the_beep_is_randomerror(tmp_path):
    seen = []

    async def menu(c):
        await c.cmd("ANSWER")
        seen.append(await c.cmd(f'RECORD FILE {tmp_path}/a wav "#" 15000 0 BEEP'))
        seen.append(await c.cmd(f'RECORD FILE {tmp_path}/b wav "#" 15000 0 BEEP'))

    run(call(menu, "#,H", barge_in=True))
    assert seen == ["200 result=35 (randomerror) endpos=0", "200 result=-1 (randomerror) endpos=0"]
    assert list(tmp_path.iterdir()) == []  # the file is opened only after the beep


def test_an_operator_transfer_ends_when_the_caller_hangs_up():
    seen = []

    async def menu(c):
        await c.cmd("ANSWER")
        seen.append(await c.cmd('EXEC Dial "PJSIP/operator,30"'))
        seen.append(await c.cmd("GET VARIABLE DIALSTATUS"))
        seen.append(c.hung_up)

    run(call(menu, ""))
    assert seen == ["200 result=-1", "200 result=1 (ANSWER)", True]


def test_ami_sees_the_inbound_channel_ring_answer_and_hang_up():
    release = asyncio.Event()

    async def menu(c):
        await c.cmd("ANSWER")
        await release.wait()
        await c.cmd("HANGUP")

    async def scenario():
        agi = FlowAgi(menu)
        sim = fixture_sim(await agi.start())
        client = await RawAmi.connect(await sim.start(ami_port=0))
        await client.login()
        await client.read()
        placed = asyncio.create_task(sim.inbound_call("0905123456", ""))
        seen = await until(client, lambda m: value(m, "Event") == "Newstate")
        release.set()
        seen += await until(client, lambda m: value(m, "Event") == "Hangup")
        await placed
        await client.close()
        await sim.close()
        agi.close()
        return seen

    seen = run(scenario())
    names = [value(m, "Event") for m in seen]
    assert names[0] == "Newchannel" and "Newstate" in names and names[-1] == "Hangup"
    assert value(seen[0], "Channel").startswith("PJSIP/trunk-")
    assert value(seen[0], "CallerIDNum") == "0905123456"
    assert (value(seen[0], "Context"), value(seen[0], "Exten")) == ("hotline-inbound", "1022")


def test_prompts_last_as_long_as_their_wav_and_missing_ones_fail(tmp_path):
    (tmp_path / "vi").mkdir()
    with wave.open(str(tmp_path / "vi" / "welcome.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 12000)  # 1.5 s
    seen = []

    async def menu(c):
        await c.cmd("ANSWER")
        seen.append(await c.cmd(f'STREAM FILE {tmp_path}/vi/welcome ""'))
        seen.append(await c.cmd(f'STREAM FILE {tmp_path}/vi/missing ""'))

    run(call(menu, "", {"sounds": None, "sounds_dir": str(tmp_path)}))
    assert seen == ["200 result=0 endpos=12000", "200 result=-1 endpos=0"]
