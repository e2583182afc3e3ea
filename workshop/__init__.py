"""A workshop kit for couples-relationship groups: modules, anonymous polls, a facilitator console.

Names are imported on first use (PEP 562), so the participant server, which needs only the store and the
room, never pays for Plotly or the widgets.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_WHERE = {
    "Module": "workshop.content",
    "Section": "workshop.content",
    "Poll": "workshop.content",
    "load_module": "workshop.content",
    "find_module": "workshop.content",
    "find_modules": "workshop.content",
    "Store": "workshop.store",
    "SessionRecord": "workshop.store",
    "Tally": "workshop.polls",
    "check_answer": "workshop.polls",
    "Room": "workshop.room",
    "Console": "workshop.console",
    "WorkshopError": "workshop.errors",
    "ModuleError": "workshop.errors",
    "DatabaseError": "workshop.errors",
    "JoinError": "workshop.errors",
    "AnswerRefused": "workshop.errors",
    "PurgeRefused": "workshop.errors",
    "ServeError": "workshop.errors",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'workshop' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
