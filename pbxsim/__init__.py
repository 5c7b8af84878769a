"""pbxsim: a stand-in Asterisk that speaks AMI and dials FastAGI over loopback TCP.

Rules: imports nothing from ivr/, dialer/, store/ or cli/ (it is written against the
protocol, not against our code); stdlib only, click only in pbxsim.cli. PbxSim and
SimConfig are loaded on first use, so `hotline --help` (which imports pbxsim.cli) does
not load the simulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pbxsim.sim import PbxSim, SimConfig

__all__ = ["PbxSim", "SimConfig"]


def __getattr__(name: str):
    if name in __all__:
        from pbxsim import sim

        return getattr(sim, name)
    raise AttributeError(f"module 'pbxsim' has no attribute {name!r}")
