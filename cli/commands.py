"""Where each command group is plugged into `hotline`, loaded only when it is used.

One line per top-level command or group in COMMANDS: (module, attribute), the attribute
named like the command (`_` for `-`). Each group lives in its own module so that several
people can work on the CLI without touching the same file.

`hotline X …` imports only the module that registers X; `hotline --help` imports every
module in COMMANDS, to list each command's help. So the rule for a command module is:
at module top import only the standard library, click and light project modules (cli.*
helpers that follow this rule, store.errors, store.phones, dialer.times, dialer.csvinput,
dialer.sampledata, ivr.speech, ivr.catalog, ivr.menus, ivr.menu_check). Everything heavier
(SQLAlchemy, Alembic, store.db / models / migrate, the dialer's and reports' database code,
ivr.flows, ivr.fastagi, ivr.stdio, asyncio servers, panoramisk, pyst2, APScheduler, pydub)
is imported inside the function of the command that uses it: commands that need the
database pay for it, the others do not. A group's subcommands are defined in the group's
own module (another module attaching a command to it would not be loaded by `hotline X`).
tests/test_cli_startup.py fails when `hotline --help`, `hotline say` or `hotline menu
check` loads one of those heavy modules, or when a group misses a subcommand on its own.
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
    ("cli.appointment_cmds", "appointments"),
    ("cli.calls_cmds", "calls"),
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


def load(module: str, attribute: str) -> click.Command:
    return getattr(importlib.import_module(module), attribute)


def all_commands() -> list[click.Command]:
    return [load(mod, attr) for mod, attr in COMMANDS]


class LazyGroup(click.Group):
    """A group whose subcommands come from COMMANDS, each module imported on first use."""

    def __init__(self, *args, registry: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.registry = COMMANDS if registry is None else registry
        self._loaded_all = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for module, attribute in self.registry:
                if attribute.replace("_", "-") == cmd_name:
                    self._add(load(module, attribute))
            if cmd_name not in self.commands:  # registered under another attribute name
                self._load_all()
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return sorted(self.commands)

    def _load_all(self) -> None:
        if not self._loaded_all:
            for module, attribute in self.registry:
                self._add(load(module, attribute))
            self._loaded_all = True

    def _add(self, command: click.Command) -> None:
        if command.name not in self.commands:
            self.add_command(command)
