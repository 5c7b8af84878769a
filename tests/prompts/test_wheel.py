"""The catalog, the menus and the sounds come with an installed wheel, not from the checkout.

The wheel is built from a copy of the source (with small stand-in sound files, as a release
would carry the built prompts), installed by pip into a fresh venv, and `hotline menu check`
and `hotline prompts check` run there from a folder far from the checkout. To stay fast and
offline, the venv borrows its third-party packages from the test's own venv (a .pth line);
everything of ours comes from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from sound_files import write_wav

from ivr.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
NOT_IN_A_WHEEL = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
    "tests", "bench", "docs", "sounds",
)  # fmt: skip

pytestmark = pytest.mark.slow


def run(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(list(map(str, args)), cwd=cwd, env=env, capture_output=True, text=True)


def test_an_installed_wheel_finds_its_catalog_menus_and_sounds(tmp_path):
    pytest.importorskip("wheel", reason="building a wheel needs the test extras (make install)")
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_IN_A_WHEEL)
    catalog = load_catalog()
    for lang in catalog.langs:
        for pid in catalog.ids:
            write_wav(source / "prompts" / "sounds" / lang / f"{pid}.wav", ms=10, hz=0)
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                "--no-index", "-w", tmp_path / "dist", source)  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("hotline-*.whl")

    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python = venv / "bin" / "python"
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "-q",
                    "--no-deps", "--no-index", wheel)  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())  # fmt: skip
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HOTLINE_", "PYTHON"))}  # fmt: skip
    where = run(python, "-c", "import ivr.catalog, ivr.menus, prompts; print(ivr.catalog."
                "DEFAULT_PATH, ivr.menus.DEFAULT_PATH, prompts.DEFAULT_SOUNDS_DIR)",
                cwd=away, env=env)  # fmt: skip
    assert [Path(p).is_relative_to(site) for p in where.stdout.split()] == [True] * 3, where

    menus = run(venv / "bin" / "hotline", "menu", "check", cwd=away, env=env)
    assert (menus.returncode, menus.stdout) == (0, "ok: 3 menus, 6 prompts\n"), menus.stderr
    sounds = run(venv / "bin" / "hotline", "prompts", "check", cwd=away, env=env)
    assert sounds.returncode == 0, sounds.stdout + sounds.stderr
    assert sounds.stdout == f"ok: {len(catalog.ids)} prompts in vi, en\n"
