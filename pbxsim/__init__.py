"""pbxsim: a stand-in Asterisk that speaks AMI and dials FastAGI over loopback TCP.

Rules: imports nothing from ivr/, dialer/, store/ or cli/ (it is written against the
protocol, not against our code); stdlib only, click only in pbxsim.cli.
"""

from pbxsim.sim import PbxSim, SimConfig

__all__ = ["PbxSim", "SimConfig"]
