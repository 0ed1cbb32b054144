"""The address phones use to reach this machine."""

from __future__ import annotations

import ipaddress
import socket


def lan_address() -> str | None:
    """This machine's address on its local network, or ``None`` if it has none.

    Connecting a UDP socket sends no packet; it only asks the kernel which interface
    would route there, and so which address the machine has on that network.
    """
    candidates = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed, never answered
            candidates.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        candidates.extend(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    for address in candidates:
        if not ipaddress.ip_address(address).is_loopback and address != "0.0.0.0":
            return address
    return None


def base_url(
    public_url: str | None,
    port: int | str | None,
    host_header: str | None = None,
    scheme: str = "http",
) -> str:
    """The URL phones open: ``public_url`` if set, else the LAN address and port
    (``scheme`` is ``https`` when the server serves TLS itself)."""
    if public_url:
        return public_url.rstrip("/")
    address = lan_address()
    if address is None:
        # No network but loopback: the best we can show is what the browser used.
        return (
            f"{scheme}://{host_header}" if host_header else f"{scheme}://127.0.0.1:{port or 5000}"
        )
    return f"{scheme}://{address}:{port or 5000}"
