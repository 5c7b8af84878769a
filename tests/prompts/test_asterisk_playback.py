"""A generated prompt played by a real Asterisk to a test caller, who hears that speech.

Asterisk (../shared/tools/asterisk, installed at /opt/asterisk) runs with its own config in
tmp_path, AMI on a free loopback port. AMI Originate makes a Local channel: its ;2 half runs
the dialplan that plays our prompt by absolute path without extension (as the IVR does), its
;1 half is the caller and records what it hears. The recording must follow the prompt's
loudness envelope: Asterisk read our WAV header and played the speech in it.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
from sound_files import needs_speech_tools

from prompts import audio
from prompts.build import build_prompts

ASTERISK = Path("/opt/asterisk/sbin/asterisk")
MODULES = Path("/opt/asterisk/lib/asterisk/modules")

pytestmark = [
    pytest.mark.slow,
    needs_speech_tools,
    pytest.mark.skipif(
        not ASTERISK.exists(),
        reason="no Asterisk at /opt/asterisk (../shared/tools/asterisk/install.sh installs it)",
    ),  # fmt: skip
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(folder: Path, ami_port: int, dialplan: str) -> Path:
    for sub in ("run", "log", "spool", "lib"):
        (folder / sub).mkdir(parents=True)
    files = {
        "asterisk.conf": f"""[directories]
astetcdir => {folder}
astmoddir => {MODULES}
astdatadir => /opt/asterisk/var/lib/asterisk
astvarlibdir => {folder}/lib
astdbdir => {folder}/lib
astkeydir => {folder}/lib
astspooldir => {folder}/spool
astrundir => {folder}/run
astlogdir => {folder}/log
""",
        "modules.conf": "[modules]\nautoload = no\n"
        + "".join(
            f"load => {m}.so\n"
            for m in ("pbx_config", "app_playback", "app_record", "format_wav", "format_pcm")
        ),
        "manager.conf": f"[general]\nenabled = yes\nbindaddr = 127.0.0.1\nport = {ami_port}\n"
        "[test]\nsecret = test\nread = all\nwrite = all\n",
        "http.conf": "[general]\nenabled = no\n",
        "logger.conf": "[logfiles]\nmessages => notice,warning,error\n",
        "extensions.conf": dialplan,
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder / "asterisk.conf"


class Ami:
    """Just enough AMI over a blocking socket: send an action, read messages."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        assert self._line().startswith(b"Asterisk Call Manager/")

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("AMI closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def send(self, **fields: str) -> None:
        text = "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
        self.sock.sendall(text.encode())

    def message(self) -> dict[str, str]:
        out = {}
        while line := self._line():
            key, _, value = line.decode().partition(": ")
            out[key] = value
        return out

    def until(self, **match: str) -> dict[str, str]:
        while True:
            msg = self.message()
            if all(msg.get(k) == v for k, v in match.items()):
                return msg


def start(conf: Path) -> subprocess.Popen:
    proc = subprocess.Popen([ASTERISK, "-C", conf, "-f", "-n"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until its control socket answers
        ready = subprocess.run([ASTERISK, "-C", conf, "-rx", "core waitfullybooted"],
                               capture_output=True)  # fmt: skip
        if ready.returncode == 0 and b"fully booted" in ready.stdout:
            return proc
        assert proc.poll() is None, "Asterisk exited while starting"
        time.sleep(0.05)
    proc.kill()
    pytest.fail("Asterisk did not boot within 30 s")


def envelope(clip: audio.AudioSegment, ms: int = 20) -> list[float]:
    return [clip[i : i + ms].rms for i in range(0, len(clip) - ms + 1, ms)]


def best_correlation(heard: list[float], said: list[float], max_shift: int = 25) -> float:
    def corr(a, b):
        n = min(len(a), len(b))
        a, b = a[:n], b[:n]
        ma, mb = sum(a) / n, sum(b) / n
        cov = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
        var = (sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b)) ** 0.5
        return cov / var if var else 0.0

    return max(corr(heard[shift:], said) for shift in range(max_shift))


def test_the_caller_hears_the_generated_welcome(tmp_path):
    sounds = tmp_path / "sounds"
    build_prompts(sounds, langs=["vi"], ids={"welcome"})
    prompt = sounds / "vi" / "welcome"
    heard = tmp_path / "heard.wav"
    port = free_port()
    conf = configure(tmp_path / "asterisk", port, f"""[test]
exten => play,1,Answer()
 same => n,Playback({prompt})
 same => n,Hangup()
""")  # fmt: skip
    proc = start(conf)
    try:
        ami = Ami(port)
        ami.send(Action="Login", Username="test", Secret="test", ActionID="login")
        assert ami.until(ActionID="login")["Response"] == "Success"
        ami.send(Action="Originate", ActionID="call", Channel="Local/play@test/n",
                 Application="Record", Data=f"{heard},0,30,kqx", Async="true",
                 ChannelId="caller-1", OtherChannelId="pbx-1")  # fmt: skip
        assert ami.until(Event="OriginateResponse")["Response"] == "Success"
        hangup = ami.until(Event="Hangup", Uniqueid="caller-1")
        assert hangup["Cause"] == "16"  # normal clearing: the prompt ended, the PBX hung up
    finally:
        subprocess.run([ASTERISK, "-C", conf, "-rx", "core stop now"], capture_output=True)
        proc.wait(timeout=30)
    log = (tmp_path / "asterisk" / "log" / "messages").read_text(errors="replace")
    assert "welcome" not in log  # no "file does not exist" or format warning about the prompt
    said = audio.AudioSegment.from_wav(prompt.with_suffix(".wav"))
    caught = audio.AudioSegment.from_wav(heard)
    assert abs(len(caught) - len(said)) < 400  # the whole prompt, give or take a frame or two
    assert caught.max_dBFS > -10  # speech, not silence
    assert best_correlation(envelope(caught), envelope(said)) > 0.9
