"""Every error a facilitator, participant or trainer can meet, in one place.

Each says what was wrong, where, and what to do. The tree::

    WorkshopError
    ├── ModuleError          a module file is missing or invalid (file and line)
    ├── DatabaseError        the store cannot be reached or used
    ├── JoinError            a join code that is wrong, or a session that has ended
    ├── AnswerRefused        an answer the kernel will not store (poll closed, value not allowed)
    ├── PollError            a facilitator action a poll's settings do not allow
    ├── PurgeRefused         a purge of a session that is still running
    └── ServeError           the servers cannot start (port in use, notebooks missing)
"""

from __future__ import annotations


class WorkshopError(Exception):
    """Base of every error the kit raises on purpose; its message is meant for people.

    An error a participant may see carries the `key` of its words in the language catalogues (and the
    values they need), so the page can say it in the module's language; its message is the English.
    """

    def __init__(self, message: str = "", *, key: str = "", **values: object) -> None:
        if key and not message:
            from workshop.language import Words

            message = Words("en")(key, **values)
        self.key = key
        self.values = values
        super().__init__(message)


class ModuleError(WorkshopError):
    """A module file that cannot be used, with where the problem is and what to do."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(f"{where}{message}")


class DatabaseError(WorkshopError):
    """The store's database cannot be reached or used."""


class JoinError(WorkshopError):
    """A participant cannot join: the code is wrong or the session has ended."""


class AnswerRefused(WorkshopError):
    """An answer the kernel will not store; nothing was written."""


class PollError(WorkshopError):
    """A facilitator action that a poll's settings do not allow (revealing a facilitator-only poll)."""


class PurgeRefused(WorkshopError):
    """A session's raw answers cannot be purged yet: it is still running."""


class ServeError(WorkshopError):
    """The Voila servers cannot be started as asked."""
