"""Following the store: one asyncio task per kernel that looks again every so often and redraws on change.

Voila keeps a kernel's event loop running after the notebook has run, so a task started from a cell keeps
going, and its widget updates leave from the kernel's own thread (ipykernel 7.0 broke sends from threads).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def follow(
    refresh: Callable[[], None],
    interval: float,
    *,
    what: str,
    while_: Callable[[], bool] = lambda: True,
    on_error: Callable[[], None] | None = None,
) -> asyncio.Task[None]:
    """Call `refresh` every `interval` seconds while `while_()` holds; a failure never stops the loop."""

    async def loop() -> None:
        while while_():
            await asyncio.sleep(interval)
            try:
                refresh()
            except Exception:  # a database hiccup must not stop a screen following
                log.exception("%s could not refresh", what)
                if on_error:
                    on_error()

    return asyncio.get_event_loop().create_task(loop())
