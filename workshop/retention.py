"""How long a session's raw answers are kept: once it has ended, a purge keeps only what its export shows.

Its answers, written texts, participants and private requests are deleted; the results `workshop export`
prints are stored first, so the export reads the same afterwards. `workshop serve` purges at start-up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line reads RETENTION_DAYS for its --help without loading the store
    from workshop.store import Store

# Long enough to export a session's results and write them up; raw answers are never exported.
RETENTION_DAYS = 30


def purge_session(store: Store, session_id: int) -> bool:
    """Purge one ended session; False when it was purged before. PurgeRefused while it is running."""
    from workshop.exports import session_results

    if store.kept_results(session_id) is not None:
        return False
    return store.purge(session_id, session_results(store, session_id))


def purge_ended(store: Store, days: int = RETENTION_DAYS) -> list[str]:
    """Purge every session that ended more than `days` days ago; the join codes of those purged now."""
    purged = []
    for session_id in store.sessions_ended_before(store.clock() - timedelta(days=days)):
        if purge_session(store, session_id):
            purged.append(store.session(session_id).join_code)
    return purged


def purged_line(codes: list[str], days: int) -> str:
    """What the command line and `workshop serve` say about a purge of old sessions."""
    if not codes:
        return f"No session that ended more than {days} days ago still holds raw answers."
    sessions = "1 session" if len(codes) == 1 else f"{len(codes)} sessions"
    return (
        f"Purged the raw answers of {sessions} that ended more than {days} days ago ({', '.join(codes)}); "
        "workshop export still shows their results."
    )
