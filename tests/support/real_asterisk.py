# Rules: one real Asterisk per test session, built from the project's asterisk-config/ files
# (loaded byte for byte through #include) plus a test-only overlay, in a temporary folder of
# its own: its sockets, logs, spool and astdb never meet another run's. Loopback only, on
# free ports. Modules are an explicit list (autoload = no): nothing opens a port on every
# address, and no module whose configuration is absent fills the log with warnings, so a
# WARNING or ERROR in the log is always news. Skips with the reason where no Asterisk is
# installed. See asterisk_fixtures.py for how tests use it.
"""A real Asterisk for the tests: config folder, start, `asterisk -rx`, log, stop."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "asterisk-config"
OVERLAY = Path(__file__).resolve().parent / "asterisk_overlay"
PREFIX = Path(os.environ.get("HOTLINE_ASTERISK_PREFIX", "/opt/asterisk"))
BINARY = PREFIX / "sbin" / "asterisk"
DIALER_USER = "hotline-dialer"  # the shipped manager.conf's user
TEST_USER = "hotline-test"  # the overlay's all-powerful user (test callers need `system`)
TEST_NETWORK = "Local/{number}@test-pstn"  # the dialer's dial string in these tests
SILENCE_MOH = "caller-silence"  # music-on-hold class of silence for the test caller
PROBLEM = re.compile(r"\b(WARNING|ERROR)\[")

MODULES = (
    "pbx_config",
    "res_speech",
    "res_agi",
    "res_timing_timerfd",
    "res_musiconhold",
    "res_clioriginate",
    "app_dial",
    "app_queue",
    "app_amd",
    "app_mixmonitor",
    "app_playback",
    "app_senddtmf",
    "app_waitforsilence",
    "app_talkdetect",
    "app_exec",
    "app_verbose",
    "app_stack",
    "app_originate",
    "app_record",
    "app_read",
    "app_echo",
    "app_userevent",
    "func_logic",
    "func_strings",
    "func_channel",
    "func_callerid",
    "func_global",
    "func_cdr",
    "func_hangupcause",
    "func_math",
    "codec_ulaw",
    "codec_alaw",
    "codec_a_mu",
    "codec_gsm",
    "codec_resample",
    "format_wav",
    "format_pcm",
    "format_sln",
    "format_gsm",
    "bridge_simple",
    "bridge_builtin_features",
)

# Core subsystems read these at start and log an ERROR when they are absent.
QUIET_CORE = {
    "cdr.conf": "[general]\nenable=no\n",
    "cel.conf": "[general]\nenable=no\n",
    "features.conf": "[general]\n",
    "acl.conf": ";\n",
    "udptl.conf": "[general]\n",
    "ccss.conf": "[general]\n",
    "http.conf": "[general]\nenabled=no\n",
    "amd.conf": "[general]\n",
    "indications.conf": """[general]
country=us
[us]
description=United States
ringcadence=2000,4000
dial=350+440
busy=480+620/500,0/500
ring=440+480/2000,0/4000
congestion=480+620/250,0/250
callwaiting=440/300,0/10000
dialrecall=!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440
record=1400/500,0/15000
info=!950/330,!1400/330,!1800/330,0
stutter=!350+440/100,!0/100,350+440
""",
}


def missing_reason() -> str | None:
    """Why no real Asterisk can run here, or None."""
    if not BINARY.is_file():
        return f"no Asterisk at {BINARY} (../shared/tools/asterisk/install.sh installs it)"
    return None


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 right now (held open together so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass
class AsteriskPbx:
    """One Asterisk: `start()`, `rx(command)`, `log_problems(since)`, `stop()`."""

    workdir: Path
    sounds_dir: Path  # HOTLINE_SOUNDS in the dialplan: where prompts are
    queue_wait_s: int = 3  # HOTLINE_QUEUE_WAIT: the operators' queue, short for tests
    host: str = "127.0.0.1"
    ami_port: int = 0
    agi_port: int = 0
    caller_port: int = 0
    dialer_secret: str = field(default_factory=lambda: secrets.token_hex(12))
    test_secret: str = field(default_factory=lambda: secrets.token_hex(12))
    mark: int = 0  # set by the `pbx` fixture: the log position at the test's start
    boot_mark: int = 0  # the log position once fully booted: what came before is the start
    process: subprocess.Popen | None = None
    _dialplan: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.etc = self.workdir / "etc"
        self.log_file = self.workdir / "log" / "messages"
        self.console_file = self.workdir / "console.txt"
        if not (self.ami_port and self.agi_port and self.caller_port):
            self.ami_port, self.agi_port, self.caller_port = free_ports(3)

    # ---- what tests use ------------------------------------------------------------------
    @property
    def dialer_ami_url(self) -> str:
        """The shipped dialer user, as `hotline dialer run --ami-url` takes it."""
        return f"ami://{DIALER_USER}:{self.dialer_secret}@{self.host}:{self.ami_port}"

    def rx(self, command: str, timeout: float = 20.0) -> str:
        """`asterisk -rx COMMAND` on this instance; its output."""
        done = subprocess.run(
            [str(BINARY), "-C", str(self.etc / "asterisk.conf"), "-rx", command],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return done.stdout

    def log_mark(self) -> int:
        """A position in the log; `log_problems(mark)` reads what came after it."""
        return self.log_file.stat().st_size if self.log_file.exists() else 0

    def log_text(self, since: int = 0, until: int | None = None) -> str:
        with self.log_file.open("rb") as f:
            f.seek(since)
            data = f.read() if until is None else f.read(max(0, until - since))
        return data.decode("utf-8", "replace")

    def log_problems(self, since: int = 0, until: int | None = None) -> list[str]:
        """The WARNING and ERROR lines logged between `since` and `until` (default: now)."""
        text = self.log_text(since, until)
        return [line for line in text.splitlines() if PROBLEM.search(line)]

    def set_dialplan(self, name: str, text: str | None) -> None:
        """Add (or with None remove) a test's own extensions.conf text; reloads the dialplan."""
        if text is None:
            self._dialplan.pop(name, None)
        else:
            self._dialplan[name] = text
        self._write_test_dialplan()
        self.rx("dialplan reload")

    def clear_dialplan(self) -> None:
        """Remove every test's own dialplan (no reload when there was none)."""
        if self._dialplan:
            self._dialplan.clear()
            self._write_test_dialplan()
            self.rx("dialplan reload")

    def hangup_all(self) -> None:
        self.rx("channel request hangup all")

    # ---- life -----------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> None:
        self._write_config()
        console = self.console_file.open("wb")
        self.process = subprocess.Popen(
            [str(BINARY), "-C", str(self.etc / "asterisk.conf"), "-f", "-n"],
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        console.close()
        control = self.workdir / "run" / "asterisk.ctl"
        deadline = time.monotonic() + timeout
        while not control.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Asterisk did not start: {self.console_file.read_text()}")
            time.sleep(0.02)  # waiting for the control socket; no protocol to wait on yet
        booted = self.rx("core waitfullybooted", timeout=timeout)
        if "fully booted" not in booted:
            self.stop()
            raise RuntimeError(f"Asterisk did not boot: {booted!r}")
        self.boot_mark = self.log_mark()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self.rx("core stop now", timeout=10)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    # ---- the configuration folder -------------------------------------------------------
    def _write_config(self) -> None:
        for sub in ("etc", "run", "log", "spool", "db", "lib", "lib/keys", "agi-bin"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        files = dict(QUIET_CORE)
        files["asterisk.conf"] = self._asterisk_conf()
        files["modules.conf"] = "[modules]\nautoload=no\n" + "".join(
            f"load={name}.so\n" for name in MODULES
        )
        files["logger.conf"] = (
            "[general]\n[logfiles]\nmessages => notice,warning,error\n"
            "full => notice,warning,error,verbose(3),dtmf\n"
        )
        files["musiconhold.conf"] = (
            f"[default]\nmode=files\ndirectory=moh\n"
            f"[{SILENCE_MOH}]\nmode=files\ndirectory={PREFIX}/var/lib/asterisk/sounds/en/silence\n"
        )
        files["extensions.conf"] = self._extensions_conf()
        files["manager.conf"] = self._manager_conf()
        files["hotline-ami-secret.conf"] = f"secret={self.dialer_secret}\n"
        files["queues.conf"] = f'#include "{SHIPPED / "queues.conf"}"\n'
        if (SHIPPED / "amd.conf").exists():
            files["amd.conf"] = f'#include "{SHIPPED / "amd.conf"}"\n'
        for name, text in files.items():
            (self.etc / name).write_text(text, encoding="utf-8")
        self._write_test_dialplan()

    def _asterisk_conf(self) -> str:
        w = self.workdir
        return f"""[directories]
astetcdir => {self.etc}
astmoddir => {PREFIX}/lib/asterisk/modules
astdatadir => {PREFIX}/var/lib/asterisk
astvarlibdir => {w}/lib
astdbdir => {w}/db
astkeydir => {w}/lib
astagidir => {w}/agi-bin
astspooldir => {w}/spool
astrundir => {w}/run
astlogdir => {w}/log
astsbindir => {PREFIX}/sbin
[options]
verbose=3
nocolor=yes
"""

    def _extensions_conf(self) -> str:
        return f"""#include "{SHIPPED / "extensions.conf"}"
[globals](+)
HOTLINE_AGI_HOST={self.host}
HOTLINE_AGI_PORT={self.agi_port}
HOTLINE_TRUNK_TECH=Local
HOTLINE_TRUNK=test-pstn
HOTLINE_SOUNDS={self.sounds_dir}
HOTLINE_QUEUE_WAIT={self.queue_wait_s}
HOTLINE_TEST_CALLER={self.host}:{self.caller_port}
#include "{OVERLAY / "test-network.conf"}"
#include "{self.etc / "extensions-tests.conf"}"
"""

    def _manager_conf(self) -> str:
        return f"""#include "{SHIPPED / "manager.conf"}"
[general](+)
port={self.ami_port}
[{TEST_USER}]
secret={self.test_secret}
deny=0.0.0.0/0.0.0.0
permit=127.0.0.1/255.255.255.255
read=all
write=all
"""

    def _write_test_dialplan(self) -> None:
        text = "".join(f"; --- {name}\n{body}\n" for name, body in self._dialplan.items())
        (self.etc / "extensions-tests.conf").write_text(text or ";\n", encoding="utf-8")


def remove_workdir(pbx: AsteriskPbx) -> None:
    shutil.rmtree(pbx.workdir, ignore_errors=True)
