"""The store: sessions, poll states, anonymous participants and their answers, in SQL.

SQLAlchemy Core over one schema. SQLite (WAL, busy timeout) is the embedded default; PostgreSQL is chosen
by URL when several participant servers share one database. Participants are kept only as a hash of a
random device token: no names, addresses or user agents are ever written, no participant or request is
numbered in the order it came, and no answer keeps a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from workshop.content import REVIEWS, Module, PollStatus, Review
from workshop.errors import AnswerRefused, DatabaseError, JoinError, PollError, PurgeRefused
from workshop.polls import (
    Answer,
    Results,
    Tally,
    check_answer,
    results_from_json,
    results_json,
    shift,
    tally,
)
from workshop.reveal import live_batch, may_reveal, policy_of
from workshop.safety import flags
from workshop.schema import (
    add_missing_columns,
    answers,
    drop_what_is_no_longer_kept,
    erase_freed_pages,
    kept_results,
    metadata,
    participants,
    poll_states,
    room_requests,
    sessions,
)
from workshop.sessions import new_join_code, normalise_join_code
from workshop.support import Contact, contacts_from_json, contacts_json

Clock = Callable[[], datetime]
NewId = Callable[[], int]


REQUEST_KINDS = ("private-word", "pause")
PRIVATE_WORD_ALPHABET = "ACDEFHJKMNPRTUVWXY3479"  # no look-alikes, no vowels that spell words


@dataclass(frozen=True)
class SessionRecord:
    """One workshop session as stored."""

    id: int
    join_code: str
    module: Module
    module_hash: str
    min_group_size: int
    current_section: str | None
    started_at: datetime
    ended_at: datetime | None
    version: int
    expected_people: int | None = None
    joining_closed: bool = False

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True)
class SessionState:
    """What a participant page follows: cheap to read several times a second."""

    version: int
    ended: bool
    open_poll: str | None
    revealed_poll: str | None = None
    current_section: str | None = None


@dataclass(frozen=True)
class TextAnswer:
    """One open-text answer as the facilitator's moderation queue shows it."""

    participant_id: int
    text: str
    review: Review
    flags: tuple[str, ...]  # the categories of danger it speaks of (workshop.safety)


def default_database_url(data_folder: Path | None = None) -> str:
    """WORKSHOP_DATABASE_URL, or the embedded SQLite file under the data folder."""
    url = os.environ.get("WORKSHOP_DATABASE_URL")
    if url:
        return url
    folder = data_folder or Path(os.environ.get("WORKSHOP_DATA", "data"))
    return f"sqlite:///{(folder / 'workshop.sqlite3').resolve()}"


def checked_database_url(url: str) -> str:
    """A database URL every server and kernel reads the same way; DatabaseError saying what to write.

    A relative SQLite path is made absolute here, in the folder `workshop serve` runs from: each kernel
    runs in another folder and would otherwise open a different, empty file.
    """
    example = "use sqlite:///data/workshop.sqlite3 or postgresql+psycopg://user@host:5432/workshop"
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseError(f"{url!r} is not a database URL — {example}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(f"the kit stores its data in SQLite or PostgreSQL, not {backend!r} — {example}")
    try:
        parsed.get_dialect().import_dbapi()  # the driver itself, not only SQLAlchemy's name for it
    except (sa.exc.NoSuchModuleError, ImportError):
        raise DatabaseError(f"there is no driver for {parsed.drivername!r} here — {example}") from None
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseError(
                "an in-memory database would be a different one in every server and kernel — "
                "give a file: sqlite:///data/workshop.sqlite3"
            )
        url = parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(hide_password=False)
    return url


def hash_device_token(token: str) -> str:
    """The only trace of a device the store keeps."""
    return hashlib.sha256(f"workshop-device:{token}".encode()).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def new_random_id() -> int:
    """A participant's or a request's number: random, so it says nothing of who came first."""
    return secrets.randbits(62)


def _to_the_minute(moment: datetime) -> datetime:
    """A session's start or end as the console and exports show it, and no finer."""
    return moment.replace(second=0, microsecond=0)


class Store:
    """All reads and writes of workshop data; one per process (or per kernel)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Clock = _utcnow,
        create: bool = True,
        connections: int = 1,
        new_id: NewId = new_random_id,
    ) -> None:
        self.url = url or default_database_url()
        self.clock = clock
        self.new_id = new_id
        self._has_kept_results: bool | None = None
        self._modules: dict[int, Module] = {}
        self.engine = self._make_engine(self.url, connections)
        if create:
            self.create_schema()

    @staticmethod
    def _make_engine(url: str, connections: int) -> sa.Engine:
        if url.startswith("sqlite"):
            path = sa.make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # timeout is SQLite's busy timeout: a writer waits for another instead of failing.
            engine = sa.create_engine(url, connect_args={"timeout": 15})

            @sa.event.listens_for(engine, "connect")
            def _pragmas(connection: Any, _record: Any) -> None:
                cursor = connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA synchronous=NORMAL")
                # Deleted and replaced rows are overwritten with zeros, not left readable in free space.
                cursor.execute("PRAGMA secure_delete=ON")
                cursor.close()

            return engine
        # A facilitator kernel needs one connection, a participant server one per worker thread; none
        # grows with the number of phones, so a room of 300 stays far inside max_connections.
        return sa.create_engine(url, pool_size=connections, max_overflow=2, pool_pre_ping=True)

    def describe(self) -> str:
        """The database URL without its password, for messages."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    def create_schema(self) -> None:
        try:
            metadata.create_all(self.engine)
            add_missing_columns(self.engine)
            drop_what_is_no_longer_kept(self.engine)
        except sa.exc.OperationalError as error:
            raise DatabaseError(
                f"cannot reach the database at {self.describe()} ({_first_line(error)}) — "
                "check that it is running, or set WORKSHOP_DATABASE_URL / --database"
            ) from None

    def close(self) -> None:
        self.engine.dispose()

    # Sessions -------------------------------------------------------------------------------------

    def start_session(
        self,
        module: Module,
        *,
        min_group_size: int = 5,
        support: tuple[Contact, ...] = (),
        expected_people: int | None = None,
    ) -> SessionRecord:
        """Start a session of a module with a fresh join code (and the local support contacts)."""
        if min_group_size < 1:
            raise ValueError("min_group_size must be at least 1")
        if expected_people is not None and expected_people < 1:
            raise ValueError("expected_people must be at least 1")
        for _ in range(20):
            code = new_join_code()
            try:
                with self.engine.begin() as db:
                    key = db.execute(
                        sessions.insert().values(
                            join_code=code,
                            module_id=module.id,
                            module_hash=module.content_hash,
                            module_json=json.dumps(module.to_dict(), ensure_ascii=False),
                            min_group_size=min_group_size,
                            current_section=module.sections[0].id,
                            started_at=_to_the_minute(self.clock()),
                            version=0,
                            support_json=contacts_json(support),
                            expected_people=expected_people,
                            joining_closed=False,
                        )
                    ).inserted_primary_key
                assert key is not None
                return self.session(int(key[0]))
            except sa.exc.IntegrityError:
                continue  # the code is taken: draw another
        raise DatabaseError("could not find a free join code — end some old sessions")

    def session(self, session_id: int) -> SessionRecord:
        with self.engine.connect() as db:
            row = db.execute(sessions.select().where(sessions.c.id == session_id)).one_or_none()
        if row is None:
            raise JoinError(f"There is no session number {session_id}.")
        return self._record(row)

    def session_by_code(self, code: str, *, include_ended: bool = False) -> SessionRecord:
        """The running session with this join code; JoinError when there is none or it has ended."""
        wanted = normalise_join_code(code)
        with self.engine.connect() as db:
            row = db.execute(sessions.select().where(sessions.c.join_code == wanted)).one_or_none()
        if row is None:
            raise JoinError(key="join.no-match")
        record = self._record(row)
        if record.ended and not include_ended:
            raise JoinError(key="join.ended")
        return record

    def all_sessions(self) -> list[SessionRecord]:
        """Every session, newest first: what `workshop export` offers."""
        with self.engine.connect() as db:
            rows = db.execute(sessions.select().order_by(sessions.c.id.desc())).all()
        return [self._record(row) for row in rows]

    def newest_running_session(self) -> int | None:
        """The id of the most recently started session still running: what the projector follows."""
        with self.engine.connect() as db:
            found = db.execute(
                sa.select(sessions.c.id)
                .where(sessions.c.ended_at.is_(None))
                .order_by(sessions.c.id.desc())
                .limit(1)
            ).scalar()
        return int(found) if found is not None else None

    def running_sessions(self) -> list[SessionRecord]:
        with self.engine.connect() as db:
            rows = db.execute(
                sessions.select().where(sessions.c.ended_at.is_(None)).order_by(sessions.c.id.desc())
            ).all()
        return [self._record(row) for row in rows]

    def end_session(self, session_id: int) -> None:
        """End a session: polls close, and the private requests (and their codes) are gone."""
        with self.engine.begin() as db:
            db.execute(room_requests.delete().where(room_requests.c.session_id == session_id))
            db.execute(
                poll_states.update()
                .where(poll_states.c.session_id == session_id, poll_states.c.status == "open")
                .values(status="closed")
            )
            self._touch(db, session_id, ended_at=_to_the_minute(self.clock()))

    def set_section(self, session_id: int, section_id: str) -> None:
        self.module(session_id).section(section_id)  # KeyError for a section the module lacks
        with self.engine.begin() as db:
            self._touch(db, session_id, current_section=section_id)

    def state(self, session_id: int) -> SessionState:
        """The version, whether it ended, and the open poll: what participant pages poll for."""
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(
                    sessions.c.version,
                    sessions.c.ended_at,
                    sessions.c.revealed_poll,
                    sessions.c.current_section,
                ).where(sessions.c.id == session_id)
            ).one()
            open_poll = db.execute(
                sa.select(poll_states.c.poll_id).where(
                    poll_states.c.session_id == session_id, poll_states.c.status == "open"
                )
            ).scalar()
        return SessionState(
            row.version, row.ended_at is not None, open_poll, row.revealed_poll, row.current_section
        )

    def support(self, session_id: int) -> tuple[Contact, ...]:
        """The support contacts the session started with."""
        with self.engine.connect() as db:
            text = db.execute(
                sa.select(sessions.c.support_json).where(sessions.c.id == session_id)
            ).scalar_one_or_none()
        return contacts_from_json(text)

    # Private requests ----------------------------------------------------------------------------

    def ask_for(self, session_id: int, kind: str) -> str:
        """Record a private request; a private word returns its random code (the asker's alone)."""
        if kind not in REQUEST_KINDS:
            raise ValueError(f"unknown request {kind!r}")
        code = (
            "".join(secrets.choice(PRIVATE_WORD_ALPHABET) for _ in range(4)) if kind == "private-word" else ""
        )
        with self.engine.begin() as db:
            if self._ended(db, session_id):
                raise JoinError(key="join.ended")
            self._insert_with_new_id(
                db, room_requests, {"session_id": session_id, "kind": kind, "code": code or None}
            )
        return code

    def requests(self, session_id: int) -> tuple[list[str], int]:
        """The private-word codes (in no meaningful order) and how many asked for a pause."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(room_requests.c.kind, room_requests.c.code).where(
                    room_requests.c.session_id == session_id
                )
            ).all()
        codes = sorted(row.code for row in rows if row.kind == "private-word" and row.code)
        return codes, sum(1 for row in rows if row.kind == "pause")

    def versions(self, session_ids: list[int]) -> dict[int, int]:
        """Each session's version in one query: all a server's watcher reads while nothing changes."""
        if not session_ids:
            return {}
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(sessions.c.id, sessions.c.version).where(sessions.c.id.in_(session_ids))
            ).all()
        return {row.id: row.version for row in rows}

    def answered_polls(self, participant_id: int) -> list[str]:
        """The polls a participant has answered: a reloaded page says "received" for them."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(answers.c.poll_id).where(answers.c.participant_id == participant_id)
            ).all()
        return [row.poll_id for row in rows]

    def module(self, session_id: int) -> Module:
        """The module snapshot a session runs (cached: it never changes)."""
        if session_id not in self._modules:
            self._modules[session_id] = self.session(session_id).module
        return self._modules[session_id]

    # Polls ----------------------------------------------------------------------------------------

    def open_poll(self, session_id: int, poll_id: str) -> None:
        """Open a poll for answers; any other open poll of the session closes (one question at a time)."""
        self.module(session_id).poll(poll_id)
        with self.engine.begin() as db:
            if self._ended(db, session_id):
                raise JoinError("This session has ended; start or resume another to open polls.")
            db.execute(
                poll_states.update()
                .where(
                    poll_states.c.session_id == session_id,
                    poll_states.c.status == "open",
                    poll_states.c.poll_id != poll_id,
                )
                .values(status="closed")
            )
            self._set_poll_status(db, session_id, poll_id, "open")
            # The room turns to the new question: results leave the screen and phones. A poll reopened
            # after its results were shown is hidden too, or its next reveal would appear unasked.
            self._touch(db, session_id, revealed_poll=None)

    def close_poll(self, session_id: int, poll_id: str) -> None:
        self.module(session_id).poll(poll_id)
        with self.engine.begin() as db:
            self._set_poll_status(db, session_id, poll_id, "closed")
            self._touch(db, session_id)

    def reveal_poll(self, session_id: int, poll_id: str) -> None:
        """Put a poll's results in front of the room; an after-close poll that is still open closes.

        What the room then sees still depends on the minimum group size (see `workshop.reveal`).
        """
        poll = self.module(session_id).poll(poll_id)
        if not may_reveal(self.module(session_id), poll):
            raise PollError(f"The results of “{poll.prompt}” are for the facilitator only (reveal: never).")
        with self.engine.begin() as db:
            if self._ended(db, session_id):
                raise JoinError("This session has ended; start or resume another to reveal results.")
            if policy_of(poll) == "after-close":
                status = db.execute(
                    sa.select(poll_states.c.status).where(
                        poll_states.c.session_id == session_id, poll_states.c.poll_id == poll_id
                    )
                ).scalar()
                if status == "open":
                    self._set_poll_status(db, session_id, poll_id, "closed")
            self._touch(db, session_id, revealed_poll=poll_id)

    def hide_poll(self, session_id: int) -> None:
        """Take results off the screen and the phones."""
        with self.engine.begin() as db:
            self._touch(db, session_id, revealed_poll=None)

    def poll_statuses(self, session_id: int) -> dict[str, PollStatus]:
        """Each poll that was ever opened, with "open" or "closed"; the others are not yet asked."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(poll_states.c.poll_id, poll_states.c.status).where(
                    poll_states.c.session_id == session_id
                )
            ).all()
        return {row.poll_id: cast(PollStatus, row.status) for row in rows}

    # Participants and answers ---------------------------------------------------------------------

    def known_participant(self, session_id: int, device_token: str) -> int | None:
        """The participant number of a device that has joined this session before, else None."""
        device_hash = hash_device_token(device_token)
        where = (participants.c.session_id == session_id) & (participants.c.device_hash == device_hash)
        with self.engine.connect() as db:
            found = db.execute(sa.select(participants.c.id).where(where)).scalar()
        return None if found is None else int(found)

    def set_expected_people(self, session_id: int, expected: int | None) -> None:
        """How many people the facilitator expects in the room (None: not said)."""
        if expected is not None and expected < 1:
            raise ValueError("expected_people must be at least 1")
        with self.engine.begin() as db:
            self._touch(db, session_id, expected_people=expected)

    def set_joining_closed(self, session_id: int, closed: bool) -> None:
        """Close joining once the room is in (a device seen before still comes back), or open it again."""
        with self.engine.begin() as db:
            self._touch(db, session_id, joining_closed=closed)

    def join(self, session_id: int, device_token: str) -> int:
        """Register a device (by the hash of its token) and return its participant number (a random one).

        The same device joining again, after a reload, gets the same number back, even once joining is
        closed; a new device is then refused.
        """
        if not (16 <= len(device_token) <= 128) or not device_token.isalnum():
            raise JoinError(key="join.bad-key")
        device_hash = hash_device_token(device_token)
        where = (participants.c.session_id == session_id) & (participants.c.device_hash == device_hash)
        with self.engine.begin() as db:
            if self._ended(db, session_id):
                raise JoinError(key="join.ended")
            joined = sa.select(participants.c.id).where(where)
            found = db.execute(joined).scalar()
            if found is not None:
                return int(found)
            closed = db.execute(
                sa.select(sessions.c.joining_closed).where(sessions.c.id == session_id)
            ).scalar()
            if closed:
                raise JoinError(key="join.closed")
            return self._insert_with_new_id(
                db, participants, {"session_id": session_id, "device_hash": device_hash}, unless=joined
            )

    def joined_count(self, session_id: int) -> int:
        with self.engine.connect() as db:
            return int(
                db.execute(
                    sa.select(sa.func.count()).where(participants.c.session_id == session_id)
                ).scalar_one()
            )

    def record_answer(self, session_id: int, participant_id: int, poll_id: str, value: object) -> Answer:
        """Store a participant's answer, replacing an earlier one while the poll is open.

        Everything is checked here, whatever the page allowed: the participant belongs to the session,
        the poll is open, and the value is one the poll allows. Otherwise AnswerRefused, and nothing is
        written.
        """
        try:
            poll = self.module(session_id).poll(poll_id)
        except (KeyError, JoinError):
            raise AnswerRefused(key="refused.not-in-session") from None
        stored = check_answer(poll, value)
        key = (answers.c.participant_id == participant_id) & (answers.c.poll_id == poll_id)
        replaced = None
        with self.engine.begin() as db:
            owner = db.execute(
                sa.select(participants.c.session_id).where(participants.c.id == participant_id)
            ).scalar()
            if owner != session_id:
                raise AnswerRefused(key="refused.not-joined")
            if self._ended(db, session_id):
                raise AnswerRefused(key="refused.ended")
            values: dict[str, Any] = {"session_id": session_id, "value": json.dumps(stored), "revision": 1}
            if poll.kind == "text":
                values["review"] = "pending"  # a new text replaces the old one and waits to be read again
                values["flags"] = None
                replaced = db.execute(sa.select(answers.c.value).where(key)).scalar()
            insert = self._insert(answers).values(participant_id=participant_id, poll_id=poll_id, **values)
            db.execute(
                insert.on_conflict_do_update(
                    index_elements=[answers.c.participant_id, answers.c.poll_id],
                    set_=dict(values, revision=sa.func.coalesce(answers.c.revision, 1) + 1),
                )
            )
            # Checked after the write, under its lock (SQLite) or a share lock on the poll (PostgreSQL):
            # a poll closed and revealed meanwhile makes this roll back, so no bar moves after a reveal.
            status = db.execute(
                sa.select(poll_states.c.status)
                .where(poll_states.c.session_id == session_id, poll_states.c.poll_id == poll_id)
                .with_for_update(read=True)
            ).scalar()
            if status != "open":
                raise AnswerRefused(key="refused.closed")
        if replaced not in (None, values["value"]):
            erase_freed_pages(self.engine)  # the words someone took back must not stay readable in the WAL
        return stored

    def answers(self, session_id: int, poll_id: str) -> list[Answer]:
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(answers.c.value).where(
                    answers.c.session_id == session_id, answers.c.poll_id == poll_id
                )
            ).scalars()
            return [json.loads(value) for value in rows]

    def answer_count(self, session_id: int, poll_id: str) -> int:
        """How many have answered a poll: what the screen shows while it is open, several times a second."""
        with self.engine.connect() as db:
            return int(
                db.execute(
                    sa.select(sa.func.count()).where(
                        answers.c.session_id == session_id, answers.c.poll_id == poll_id
                    )
                ).scalar_one()
            )

    def tally(self, session_id: int, poll_id: str) -> Tally:
        return tally(self.module(session_id).poll(poll_id), self.answers(session_id, poll_id))

    def results(self, session_id: int, poll_id: str) -> Results:
        """A poll's tally, or for a scale asked again, both rounds side by side."""
        module = self.module(session_id)
        poll = module.poll(poll_id)
        if not poll.before:
            return self.tally(session_id, poll_id)
        before = module.poll(poll.before)
        first, second = answers.alias("first"), answers.alias("second")
        with self.engine.connect() as db:
            pairs = db.execute(
                sa.select(first.c.value, second.c.value)
                .join(second, first.c.participant_id == second.c.participant_id)
                .where(
                    first.c.session_id == session_id,
                    first.c.poll_id == before.id,
                    second.c.poll_id == poll.id,
                )
            ).all()
        return shift(
            before,
            poll,
            self.answers(session_id, before.id),
            self.answers(session_id, poll.id),
            [(json.loads(b), json.loads(a)) for b, a in pairs],
        )

    def room_results(self, session_id: int, poll_id: str, *, live: bool) -> Results:
        """The results the room (screen and phones) may see: for a live poll, in batches.

        A live chart that moved with each tap would show a partner sitting alongside what was just
        answered. So once the room has seen a distribution, it keeps it until at least a batch of
        answers (new or changed, `reveal.live_batch`) has come in since; then it moves on to the
        results as they stand. Below the minimum group size no view draws a distribution, so until
        then the room follows the count exactly. Every view of the room reads the same stored batch:
        the screen and the phones never differ by one answer.
        """
        if not live:
            return self.results(session_id, poll_id)
        module = self.module(session_id)
        poll = module.poll(poll_id)
        before = module.poll(poll.before) if poll.before else None
        rounds = [poll_id, *([before.id] if before else [])]
        state = (poll_states.c.session_id == session_id) & (poll_states.c.poll_id == poll_id)
        with self.engine.connect() as db:
            events = int(
                db.execute(
                    sa.select(
                        sa.func.coalesce(sa.func.sum(sa.func.coalesce(answers.c.revision, 1)), 0)
                    ).where(answers.c.session_id == session_id, answers.c.poll_id.in_(rounds))
                ).scalar_one()
            )
            shown = db.execute(
                sa.select(poll_states.c.shown_json, poll_states.c.shown_events).where(state)
            ).first()
            minimum = db.execute(
                sa.select(sessions.c.min_group_size).where(sessions.c.id == session_id)
            ).scalar_one()
        shown_json, shown_events = (shown[0], shown[1] or 0) if shown else (None, 0)
        last = results_from_json(poll, before, shown_json) if shown_json else None
        if last is not None and last.respondents >= minimum and events - shown_events < live_batch(minimum):
            return last
        current = self.results(session_id, poll_id)
        with self.engine.begin() as db:
            # Whoever reads first moves the batch on; the others find it moved and read the same one.
            db.execute(
                poll_states.update()
                .where(state, sa.func.coalesce(poll_states.c.shown_events, 0) == shown_events)
                .values(shown_json=results_json(current), shown_events=events)
            )
            stored = db.execute(sa.select(poll_states.c.shown_json).where(state)).scalar()
        return results_from_json(poll, before, stored) if stored else current

    def text_answers(self, session_id: int, poll_id: str) -> list[TextAnswer]:
        """An open-text poll's answers for moderation, in an order that says nothing of who or when."""
        module = self.module(session_id)
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(answers.c.participant_id, answers.c.value, answers.c.review, answers.c.flags).where(
                    answers.c.session_id == session_id, answers.c.poll_id == poll_id
                )
            ).all()
        found = [
            TextAnswer(
                row.participant_id,
                text := str(json.loads(row.value)),
                cast(Review, row.review or "pending"),
                tuple(
                    json.loads(row.flags) if row.flags else flags(text, module.language, module.safety_words)
                ),
            )
            for row in rows
        ]
        return sorted(found, key=lambda a: hashlib.sha256(f"{session_id}:{a.text}".encode()).hexdigest())

    def moderate(self, session_id: int, poll_id: str, participant_id: int, text: str, review: Review) -> bool:
        """Approve or reject one text answer, as the facilitator read it.

        False when the participant has since replaced it: a text nobody has read is never approved. A
        rejected text's words are wiped for good; the answer still counts, with the kinds of danger it named.
        """
        if review not in REVIEWS:
            raise ValueError(f"review must be one of {REVIEWS}")
        values: dict[str, Any] = {"review": review}
        if review == "rejected":
            module = self.module(session_id)
            values["value"] = json.dumps("")
            values["flags"] = json.dumps(flags(text, module.language, module.safety_words))
        with self.engine.begin() as db:
            changed = db.execute(
                answers.update()
                .where(
                    answers.c.session_id == session_id,
                    answers.c.poll_id == poll_id,
                    answers.c.participant_id == participant_id,
                    answers.c.value == json.dumps(text),
                    answers.c.review.is_distinct_from("rejected"),  # its words are gone: nothing to approve
                )
                .values(**values)
            ).rowcount
            if changed:
                self._touch(db, session_id)  # the room's view of this poll may change
        if changed and review == "rejected":
            erase_freed_pages(self.engine)
        return bool(changed)

    def approved_texts(self, session_id: int, poll_id: str) -> list[str]:
        """The open-text answers the facilitator approved, in the queue's neutral order."""
        return [a.text for a in self.text_answers(session_id, poll_id) if a.review == "approved"]

    def has_answered(self, participant_id: int, poll_id: str) -> bool:
        with self.engine.connect() as db:
            found = db.execute(
                sa.select(answers.c.poll_id).where(
                    answers.c.participant_id == participant_id, answers.c.poll_id == poll_id
                )
            ).first()
        return found is not None

    # After a session: its results kept, its raw answers purged (see workshop.retention) ---------------

    def sessions_ended_before(self, moment: datetime) -> list[int]:
        """The sessions that ended before `moment` and still hold their raw answers, oldest first."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(sessions.c.id)
                .where(
                    sessions.c.ended_at < moment,
                    sessions.c.id.not_in(sa.select(kept_results.c.session_id)),
                )
                .order_by(sessions.c.id)
            ).scalars()
            return [int(session_id) for session_id in rows]

    def kept_results(self, session_id: int) -> dict[str, Any] | None:
        """The results a purged session kept for `workshop export`; None while it holds its raw answers."""
        if self._has_kept_results is None:  # a database no version with purge has opened: none purged
            self._has_kept_results = sa.inspect(self.engine).has_table("kept_results")
        if not self._has_kept_results:
            return None
        with self.engine.connect() as db:
            text = db.execute(
                sa.select(kept_results.c.results_json).where(kept_results.c.session_id == session_id)
            ).scalar()
        return json.loads(text) if text is not None else None

    def purge(self, session_id: int, results: dict[str, Any]) -> bool:
        """Keep an ended session's `results` and delete its answers, texts, participants and requests.

        False when it was purged before (its kept results stay as they were); PurgeRefused while it runs.
        """
        with self.engine.begin() as db:
            if not self._ended(db, session_id):
                code = db.execute(sa.select(sessions.c.join_code).where(sessions.c.id == session_id)).scalar()
                raise PurgeRefused(
                    f"session {code} is still running — end it on the facilitator console, then purge it"
                )
            if db.execute(
                sa.select(kept_results.c.session_id).where(kept_results.c.session_id == session_id)
            ).first():
                return False
            db.execute(
                kept_results.insert().values(
                    session_id=session_id, results_json=json.dumps(results, ensure_ascii=False)
                )
            )
            for table in (answers, participants, room_requests):
                db.execute(table.delete().where(table.c.session_id == session_id))
        self._has_kept_results = True
        if self.engine.dialect.name == "postgresql":
            # PostgreSQL keeps deleted rows as dead tuples until VACUUM makes their space reusable.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
                db.exec_driver_sql("VACUUM answers, participants, room_requests")
        erase_freed_pages(self.engine)
        return True

    # Internals ------------------------------------------------------------------------------------

    def _insert(self, table: sa.Table) -> Any:
        """An INSERT with ON CONFLICT, in the dialect of this database."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def _set_poll_status(self, db: sa.Connection, session_id: int, poll_id: str, status: PollStatus) -> None:
        insert = self._insert(poll_states).values(session_id=session_id, poll_id=poll_id, status=status)
        db.execute(
            insert.on_conflict_do_update(
                index_elements=[poll_states.c.session_id, poll_states.c.poll_id], set_={"status": status}
            )
        )

    def _insert_with_new_id(
        self,
        db: sa.Connection,
        table: sa.Table,
        values: dict[str, Any],
        *,
        unless: sa.Select[Any] | None = None,
    ) -> int:
        """Insert a row under a random id, drawing again in the rare case it is taken; its id.

        `unless` finds a row that makes this one unneeded: the same device, joined from another tab.
        """
        for _ in range(20):
            key = self.new_id()
            insert = self._insert(table).values(id=key, **values).on_conflict_do_nothing()
            if db.execute(insert.returning(table.c.id)).first() is not None:
                return key
            if unless is not None and (found := db.execute(unless).scalar()) is not None:
                return int(found)
        raise DatabaseError(f"could not draw a free number in {table.name} — is WORKSHOP_DATABASE_URL right?")

    @staticmethod
    def _ended(db: sa.Connection, session_id: int) -> bool:
        ended_at = db.execute(sa.select(sessions.c.ended_at).where(sessions.c.id == session_id)).one_or_none()
        if ended_at is None:
            raise JoinError(f"There is no session number {session_id}.")
        return ended_at[0] is not None

    @staticmethod
    def _touch(db: sa.Connection, session_id: int, **values: Any) -> None:
        db.execute(
            sessions.update()
            .where(sessions.c.id == session_id)
            .values(version=sessions.c.version + 1, **values)
        )

    def _record(self, row: sa.Row[Any]) -> SessionRecord:
        module = Module.from_dict(json.loads(row.module_json), origin=f"session {row.id}")
        return SessionRecord(
            id=row.id,
            join_code=row.join_code,
            module=module,
            module_hash=row.module_hash,
            min_group_size=row.min_group_size,
            current_section=row.current_section,
            started_at=row.started_at,
            ended_at=row.ended_at,
            version=row.version,
            expected_people=row.expected_people,
            joining_closed=bool(row.joining_closed),
        )


def _first_line(error: Exception) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0]
