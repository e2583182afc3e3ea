"""What one network address may do on the participant server: join new devices, and guess join codes.

Each new device key is one more person in the count, so a single laptop opening fresh browsers could
outvote the room or make up the minimum group size around one partner's answer; and join codes could be
guessed quickly. Both are limited per address. Addresses are kept here, in memory, only as long as the
window needs them: never stored, never logged.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class AddressGuard:
    """Sliding windows per address: new devices joined, wrong codes tried, and lock-outs."""

    new_devices: int = 6  # per address per `device_window`; a couple on one phone each is two
    device_window: float = 600.0
    wrong_codes: int = 5  # within `code_window`, then the address is locked out for `lockout`
    code_window: float = 60.0
    lockout: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _devices: dict[str, deque[float]] = field(default_factory=dict)
    _wrong: dict[str, deque[float]] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)

    def may_add_device(self, address: str) -> bool:
        """Whether one more new device may join from this address now (and count it if so)."""
        recent = self._recent(self._devices, address, self.device_window)
        if len(recent) >= self.new_devices:
            return False
        recent.append(self.clock())
        return True

    def locked(self, address: str) -> bool:
        """Whether this address tried too many wrong codes lately and must wait."""
        until = self._locked_until.get(address)
        if until is None:
            return False
        if self.clock() >= until:
            del self._locked_until[address]
            return False
        return True

    def wrong_code(self, address: str) -> None:
        """Count a wrong code; a few in a short while lock the address out for a while."""
        recent = self._recent(self._wrong, address, self.code_window)
        recent.append(self.clock())
        if len(recent) >= self.wrong_codes:
            self._locked_until[address] = self.clock() + self.lockout
            recent.clear()

    def forget_old(self) -> None:
        """Drop every address whose windows have passed, so memory follows the room, not a flood."""
        now = self.clock()
        for windows, span in ((self._devices, self.device_window), (self._wrong, self.code_window)):
            for address in [a for a, times in windows.items() if not times or now - times[-1] > span]:
                del windows[address]
        for address in [a for a, until in self._locked_until.items() if now >= until]:
            del self._locked_until[address]

    def _recent(self, windows: dict[str, deque[float]], address: str, span: float) -> deque[float]:
        times = windows.setdefault(address, deque())
        now = self.clock()
        while times and now - times[0] > span:
            times.popleft()
        return times
