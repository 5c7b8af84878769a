"""`hotline agi serve` as Asterisk's admin runs it: a real process, a call, then SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from agi_fakes import ScriptedAsterisk, dial, header_block
from click.testing import CliRunner

from cli import main as hotline

HOTLINE = str(Path(sys.executable).with_name("hotline"))


def test_serve_answers_a_call_and_stops_gracefully_on_sigterm(tmp_path):
    async def main():
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "agi", "serve", "--port", "0", "--grace", "5",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=tmp_path,
        )  # fmt: skip
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert first.startswith("FastAGI listening on 127.0.0.1:"), first
        port = int(first.split(":")[1].split(";")[0])
        fake = await dial(port, ScriptedAsterisk(["0"]), header_block("ivr"))
        assert fake.log[-1] == "exec Goto hotline-operator,s,1"
        proc.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(proc.stdout.read(), 20)).decode()
        assert await proc.wait() == 0
        return rest, (await proc.stderr.read()).decode()

    rest, err = asyncio.run(main())
    assert rest.splitlines() == [
        "accepting connections from loopback only",
        f"created the recordings folder {tmp_path}/var/recordings (Asterisk writes feedback there)",
        "stopping: 0 call(s) in progress, grace 5s",
        "stopped after 1 call(s)",
    ]
    assert "Traceback" not in err


def test_simulate_rejects_an_unknown_route():
    result = CliRunner().invoke(hotline, ["simulate", "--route", "nope"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no route 'nope'; choose one of: bulletin, ")
    assert ", ivr, " in result.output


def test_serve_on_a_busy_port_is_one_line():
    async def main():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "agi", "serve", "--port", str(port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        server.close()
        return proc.returncode, err.decode()

    code, err = asyncio.run(main())
    assert code == 1
    assert err.startswith("Error: cannot listen on 127.0.0.1:") and "--port" in err
    assert "Traceback" not in err


def serve_until_listening(*options: str) -> tuple[list[str], str]:
    """`agi serve` started, then stopped once it listens: its stdout lines and stderr."""

    async def main():
        proc = await asyncio.create_subprocess_exec(
            HOTLINE, "agi", "serve", "--port", "0", *options,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert first.startswith("FastAGI listening on"), first
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err
        return (first + out.decode()).splitlines(), err.decode()

    return asyncio.run(main())


def test_serve_with_asterisk_on_another_box_does_not_create_its_recordings_folder(tmp_path):
    folder = tmp_path / "spool" / "recordings"
    lines, err = serve_until_listening("--allow", "10.0.0.5", "--recordings-dir", str(folder))
    assert lines[1:3] == [
        "accepting connections from 10.0.0.5",
        f"recordings folder {folder} is not on this host: Asterisk writes it on its own box; "
        "mount it here at the same path so hotline can read and purge it",
    ]
    assert not folder.exists() and "Traceback" not in err


def test_serve_refuses_to_start_when_it_cannot_create_the_recordings_folder(tmp_path):
    (tmp_path / "spool").write_text("a file where the folder should be")
    folder = tmp_path / "spool" / "recordings"
    result = CliRunner().invoke(hotline, ["agi", "serve", "--recordings-dir", str(folder)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: cannot create the recordings folder {folder}: Not a directory; create it "
        "(writable by Asterisk) or pick another --recordings-dir\n",
    )


def test_the_recordings_folder_comes_from_the_config_file_and_relative_is_made_absolute(
    tmp_path, monkeypatch
):
    config = tmp_path / "hotline.toml"
    config.write_text('[agi]\nrecordings_dir = "rec"\n', encoding="utf-8")
    (tmp_path / "rec").write_text("not a folder")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(hotline, ["--config", str(config), "agi", "serve"])
    assert (
        result.output == f"Error: the recordings folder {tmp_path}/rec is a file; "
        "pick another --recordings-dir\n"
    )
