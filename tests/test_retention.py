"""A purge deletes an ended session's raw answers and keeps what its export shows; on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.test_exports import run_session
from workshop.content import Module
from workshop.errors import PurgeRefused
from workshop.exports import as_csv, as_json, session_results
from workshop.retention import RETENTION_DAYS, purge_ended, purge_session
from workshop.store import Store, answers, participants, room_requests


def _rows_of(store: Store, session_id: int) -> dict[str, int]:
    with store.engine.connect() as db:
        return {
            table.name: db.execute(
                sa.select(sa.func.count()).select_from(table).where(table.c.session_id == session_id)
            ).scalar_one()
            for table in (answers, participants, room_requests)
        }


def test_a_purge_deletes_the_raw_answers_and_the_export_reads_the_same(store: Store, tiny: Module) -> None:
    session_id = run_session(store, tiny)
    store.end_session(session_id)
    before = session_results(store, session_id)
    assert purge_session(store, session_id)
    assert _rows_of(store, session_id) == {"answers": 0, "participants": 0, "room_requests": 0}
    after = session_results(store, session_id)
    assert (as_json(after), as_csv(after)) == (as_json(before), as_csv(before))
    assert not purge_session(store, session_id)  # purged before: its kept results stay as they were
    assert as_json(session_results(store, session_id)) == as_json(before)


def test_a_running_session_is_never_purged(store: Store, tiny: Module) -> None:
    session_id = run_session(store, tiny)
    code = store.session(session_id).join_code
    with pytest.raises(PurgeRefused, match=f"session {code} is still running — end it"):
        purge_session(store, session_id)
    assert _rows_of(store, session_id)["answers"] == 7
    assert store.kept_results(session_id) is None


def test_sessions_ended_longer_ago_than_the_retention_are_purged(store: Store, tiny: Module) -> None:
    now = [datetime(2025, 1, 1, 20, 0, tzinfo=UTC)]
    timed = Store(store.url, create=False, clock=lambda: now[0])
    old = timed.start_session(tiny)
    timed.join(old.id, "a" * 32)
    timed.end_session(old.id)
    now[0] += timedelta(days=20)
    recent = timed.start_session(tiny)
    timed.join(recent.id, "a" * 32)
    timed.end_session(recent.id)
    running = timed.start_session(tiny)
    timed.join(running.id, "a" * 32)
    now[0] += timedelta(days=RETENTION_DAYS - 19)  # the first ended 31 days ago, the second 11
    assert purge_ended(timed) == [old.join_code]
    assert [timed.joined_count(s.id) for s in (old, recent, running)] == [0, 1, 1]
    assert purge_ended(timed) == []
    assert purge_ended(timed, days=0) == [recent.join_code]
    assert timed.joined_count(running.id) == 1
    timed.close()


def test_after_a_purge_no_text_is_left_in_the_database_files(
    sqlite_store: Store, tiny: Module, tmp_path: Path
) -> None:
    session = sqlite_store.start_session(tiny, min_group_size=1)
    me, you = sqlite_store.join(session.id, "a" * 32), sqlite_store.join(session.id, "b" * 32)
    sqlite_store.open_poll(session.id, "words")
    sqlite_store.record_answer(session.id, me, "words", "Wombat-lantern-5519 approved")
    sqlite_store.record_answer(session.id, you, "words", "Heron-violet-8830 never read")
    sqlite_store.close_poll(session.id, "words")
    sqlite_store.moderate(session.id, "words", me, "Wombat-lantern-5519 approved", "approved")
    sqlite_store.end_session(session.id)
    purge_session(sqlite_store, session.id)
    files = [tmp_path / "workshop.sqlite3", tmp_path / "workshop.sqlite3-wal"]
    on_disk = b"".join(path.read_bytes() for path in files if path.exists())
    # Approved, it is in the kept results (a room saw it), once, and no raw answer row holds it.
    assert on_disk.count(b"Wombat-lantern-5519") == 1
    assert b"Heron-violet-8830" not in on_disk
    polls = {poll["id"]: poll for poll in session_results(sqlite_store, session.id)["polls"]}
    assert polls["words"]["approved"] == ["Wombat-lantern-5519 approved"]
