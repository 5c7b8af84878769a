# Rules: pure, no I/O, no clock reads (callers pass `now`). Who may speak FastAGI to us: the
# allowlist is exactly what `--allow` or [agi] allow names, else loopback only. An IPv4 peer
# reaching an IPv6 socket (::ffff:a.b.c.d) is judged by its IPv4 address. A bind address
# that other machines can reach needs an explicit allowlist. Refusals are counted per peer
# and reported at most once per peer per interval, so a scanner cannot flood the log.
"""The FastAGI peer allowlist and the refusal log's rate limit."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

from store.errors import UserError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK: tuple[Network, ...] = (
    ipaddress.ip_network("127.0.0.0/8"),
    ipaddress.ip_network("::1/128"),
)


def parse_allow(texts: Iterable[str]) -> tuple[Network, ...]:
    """Networks from '10.0.0.5', '10.0.1.0/24', 'fd00::/8' (commas also separate)."""
    networks: list[Network] = []
    for text in texts:
        for item in filter(None, (part.strip() for part in str(text).split(","))):
            networks.append(_network(item))
    return tuple(networks)


def _network(item: str) -> Network:
    try:
        return ipaddress.ip_network(item)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(item, strict=False)
    except ValueError:
        raise UserError(
            f"--allow {item!r} is not an address or network; "
            "write e.g. --allow 10.0.0.5 or --allow 10.0.0.0/24"
        ) from None
    host = item.split("/", 1)[0]
    raise UserError(
        f"--allow {item} has host bits set; write --allow {loose} for the network "
        f"or --allow {host} for the one host"
    )


def describe(networks: Iterable[Network]) -> str:
    networks = tuple(networks)
    if networks == LOOPBACK:
        return "loopback only"
    return ", ".join(str(n.network_address) if n.num_addresses == 1 else str(n) for n in networks)


@dataclass(frozen=True)
class Allowlist:
    networks: tuple[Network, ...] = LOOPBACK

    def admits(self, address: str) -> bool:
        """True when the peer address (as getpeername gives it) is in an allowed network."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        return any(ip.version == net.version and ip in net for net in self.networks)


def is_loopback_host(host: str) -> bool:
    """True when a server bound to `host` can be reached from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # '', 0.0.0.0-like names or a host name: assume others can reach it
        return False


@dataclass
class RefusalLog:
    """Per peer: a refusal is reported when none was in the last `interval` seconds;
    the report carries how many were refused, unreported, since the previous one."""

    interval: float = 60.0
    max_peers: int = 4096
    _peers: dict[str, tuple[float, int]] = field(default_factory=dict)

    def refused(self, peer: str, now: float) -> int | None:
        """None: stay quiet. A number: log now; it counts the refusals held back before."""
        last = self._peers.get(peer)
        if last is not None and now - last[0] < self.interval:
            self._peers[peer] = (last[0], last[1] + 1)
            return None
        if last is None and len(self._peers) >= self.max_peers:
            self._forget_before(now - self.interval)  # still full (a wide scan): start over
        self._peers[peer] = (now, 0)
        return 0 if last is None else last[1]

    def _forget_before(self, cutoff: float) -> None:
        self._peers = {p: v for p, v in self._peers.items() if v[0] >= cutoff}
        if len(self._peers) >= self.max_peers:
            self._peers.clear()
