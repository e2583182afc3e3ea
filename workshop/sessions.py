"""How people find a session: join codes, the participant address on the venue's network, its QR code.

Join codes use an alphabet without look-alike characters (no 0/O, 1/I/L), so a code read off a projector
from the back of a room is typed right the first time.
"""

from __future__ import annotations

import secrets
import socket
from urllib.parse import urlencode

from workshop.errors import JoinError

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 5


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(typed: str) -> str:
    """The code as stored, from what a person typed (any case, spaces, a look-alike letter)."""
    if not isinstance(typed, str) or len(typed) > 40:
        raise JoinError(key="join.not-a-code")
    code = typed.strip().upper().replace(" ", "").replace("-", "")
    code = code.replace("0", "O").replace("1", "I").replace("L", "I")
    # I and O are not in the alphabet either: the look-alikes above can only be mistakes.
    if len(code) != JOIN_CODE_LENGTH or any(c not in JOIN_CODE_ALPHABET for c in code):
        raise JoinError(key="join.not-a-code")
    return code


def lan_address() -> str:
    """This machine's address on the local network, as phones on the venue's Wi-Fi reach it.

    Connecting a UDP socket sends no packet; it only asks the kernel which interface would be used.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, nothing is sent
            address: str = probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address


def participant_url(base_url: str, join_code: str) -> str:
    """The address a participant opens, with the join code filled in."""
    return f"{base_url.rstrip('/')}/?{urlencode({'code': join_code})}"


def qr_svg(url: str, *, scale: int = 6) -> str:
    """An inline SVG QR code for the address (no network needed to show it)."""
    import segno  # imported here: only the facilitator's screens draw QR codes

    svg: str = segno.make(url, error="m").svg_inline(scale=scale, border=2, dark="#111")
    return svg
