"""Where each command group is plugged into `hotline`.

One line per group; each group lives in its own module so that several people can
work on the CLI without touching the same file.
"""

from __future__ import annotations

import importlib

import click

# (module, attribute) of each top-level command or group.
COMMANDS: list[tuple[str, str]] = [
    ("cli.db_cmds", "db"),
    ("cli.ivr_cmds", "agi"),
    ("cli.ivr_cmds", "simulate"),
    ("cli.import_cmds", "locations"),
    ("cli.import_cmds", "checkins"),
    ("cli.case_cmds", "cases"),
    ("cli.campaign_cmds", "campaign"),
    ("cli.dialer_cmds", "dialer"),
    ("cli.dialer_cmds", "doctor"),
    ("cli.demo_cmds", "demo"),
    ("cli.speech_cmds", "say"),
    ("cli.speech_cmds", "menu"),
    ("cli.speech_cmds", "prompts"),
    ("cli.feedback_cmds", "feedback"),
    ("pbxsim.cli", "pbxsim"),
    ("cli.report_cmds", "report"),
    ("cli.purge_cmds", "purge"),
]


def all_commands() -> list[click.Command]:
    return [getattr(importlib.import_module(mod), attr) for mod, attr in COMMANDS]
