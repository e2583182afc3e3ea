"""The store's contract, run on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from workshop.content import Module, load_module
from workshop.errors import AnswerRefused, JoinError, PollError
from workshop.polls import Shift
from workshop.sessions import JOIN_CODE_ALPHABET
from workshop.store import Store, answers, hash_device_token, metadata, participants, room_requests, sessions

DEVICE_A = "a" * 32
DEVICE_B = "b" * 32


def test_a_session_gets_a_join_code_without_look_alikes(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    assert len(session.join_code) == 5
    assert set(session.join_code) <= set(JOIN_CODE_ALPHABET)
    assert not set(session.join_code) & set("01ILO")
    assert store.session_by_code(session.join_code.lower()).id == session.id


def test_a_session_keeps_the_module_as_it_was(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny, min_group_size=3)
    again = store.session(session.id)
    assert again.module == tiny
    assert again.module_hash == tiny.content_hash
    assert again.min_group_size == 3


def test_a_wrong_or_ended_code_says_so(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    with pytest.raises(JoinError, match="doesn't match"):
        store.session_by_code("ZZZZZ" if session.join_code != "ZZZZZ" else "YYYYY")
    with pytest.raises(JoinError, match="look like a join code"):
        store.session_by_code("x" * 10_000)
    store.end_session(session.id)
    with pytest.raises(JoinError, match="ended"):
        store.session_by_code(session.join_code)


def test_the_same_device_joins_as_the_same_participant(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    first = store.join(session.id, DEVICE_A)
    assert store.join(session.id, DEVICE_A) == first
    assert store.join(session.id, DEVICE_B) != first
    assert store.joined_count(session.id) == 2


def test_only_a_hash_of_the_device_key_is_stored(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    store.join(session.id, DEVICE_A)
    with store.engine.connect() as db:
        rows = db.execute(sa.select(participants)).mappings().all()
    assert len(rows) == 1
    assert DEVICE_A not in json.dumps([dict(r) for r in rows])
    assert set(rows[0]) == {"id", "session_id", "device_hash"}


def test_a_forged_device_key_is_refused(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    for key in ["", "short", "x" * 10_000, "<script>alert(1)</script>xxxxxxxxxx"]:
        with pytest.raises(JoinError):
            store.join(session.id, key)
    assert store.joined_count(session.id) == 0


def test_an_answer_is_stored_only_while_its_poll_is_open(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    me = store.join(session.id, DEVICE_A)
    with pytest.raises(AnswerRefused, match="closed"):
        store.record_answer(session.id, me, "who", "Usually me")
    store.open_poll(session.id, "who")
    store.record_answer(session.id, me, "who", "Usually me")
    store.close_poll(session.id, "who")
    with pytest.raises(AnswerRefused, match="closed"):
        store.record_answer(session.id, me, "who", "About equally")
    assert store.answers(session.id, "who") == ["Usually me"]


def test_second_answer_replaces_the_first(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    me = store.join(session.id, DEVICE_A)
    store.open_poll(session.id, "who")
    store.record_answer(session.id, me, "who", "Usually me")
    store.record_answer(session.id, me, "who", "About equally")
    assert store.answers(session.id, "who") == ["About equally"]
    assert store.tally(session.id, "who").counts == (0, 0, 1)


def test_opening_a_poll_closes_the_one_that_was_open(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    store.open_poll(session.id, "who")
    store.open_poll(session.id, "how")
    assert store.poll_statuses(session.id) == {"who": "closed", "how": "open"}
    assert store.state(session.id).open_poll == "how"


def test_every_facilitator_action_moves_the_version(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    versions = [store.state(session.id).version]
    store.open_poll(session.id, "who")
    versions.append(store.state(session.id).version)
    store.set_section(session.id, "end")
    versions.append(store.state(session.id).version)
    store.close_poll(session.id, "who")
    versions.append(store.state(session.id).version)
    store.end_session(session.id)
    state = store.state(session.id)
    versions.append(state.version)
    assert versions == sorted(set(versions))
    assert state.ended and state.open_poll is None
    assert store.session(session.id).current_section == "end"


@pytest.mark.parametrize(
    ("poll", "forged"),
    [
        ("who", "Somebody else"),
        ("who", ["Usually me"]),
        ("who", None),
        ("who", "x" * 10_000_000),
        ("which", ["Asking to talk", "Needing space", "Changing the subject"]),  # max_picks is 2
        ("which", ["Not an option"]),
        ("which", []),
        ("which", "Asking to talk"),
        ("how", 0),
        ("how", 6),
        ("how", "3"),
        ("how", True),
        ("how", 2.5),
    ],
)
def test_a_forged_value_is_refused_and_nothing_is_stored(
    store: Store, tiny: Module, poll: str, forged: object
) -> None:
    session = store.start_session(tiny)
    me = store.join(session.id, DEVICE_A)
    store.open_poll(session.id, poll)
    with pytest.raises(AnswerRefused):
        store.record_answer(session.id, me, poll, forged)
    assert store.answers(session.id, poll) == []


def test_an_answer_for_another_session_or_poll_is_refused(store: Store, tiny: Module) -> None:
    mine = store.start_session(tiny)
    theirs = store.start_session(tiny)
    me = store.join(mine.id, DEVICE_A)
    store.open_poll(theirs.id, "who")
    store.open_poll(mine.id, "who")
    with pytest.raises(AnswerRefused, match="not joined"):
        store.record_answer(theirs.id, me, "who", "Usually me")
    with pytest.raises(AnswerRefused, match="not part"):
        store.record_answer(mine.id, me, "no-such-poll", "Usually me")
    store.end_session(mine.id)
    with pytest.raises(AnswerRefused, match="ended"):
        store.record_answer(mine.id, me, "who", "Usually me")
    with store.engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(answers)).scalar() == 0


def test_tallies_count_each_kind(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    people = [store.join(session.id, f"{n:032x}") for n in range(4)]
    store.open_poll(session.id, "which")
    for person, picks in zip(
        people,
        [
            ["Asking to talk"],
            ["Needing space", "Asking to talk"],
            ["Needing space"],
            ["Asking to talk"],
        ],
        strict=True,
    ):
        store.record_answer(session.id, person, "which", picks)
    which = store.tally(session.id, "which")
    assert which.counts == (3, 2, 0)
    assert which.respondents == 4
    assert which.percentages == (75.0, 50.0, 0.0)
    store.open_poll(session.id, "how")
    for person, point in zip(people, [1, 2, 4, 5], strict=True):
        store.record_answer(session.id, person, "how", point)
    how = store.tally(session.id, "how")
    assert how.counts == (1, 1, 0, 1, 1)
    assert (how.mean, how.median) == (3.0, 3.0)


def test_a_multiple_choice_answer_is_stored_in_the_polls_order(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    me = store.join(session.id, DEVICE_A)
    store.open_poll(session.id, "which")
    store.record_answer(session.id, me, "which", ["Needing space", "Asking to talk", "Needing space"])
    assert store.answers(session.id, "which") == [["Asking to talk", "Needing space"]]


def test_running_sessions_can_be_resumed_until_they_end(store: Store, tiny: Module) -> None:
    first = store.start_session(tiny)
    second = store.start_session(tiny)
    assert [s.id for s in store.running_sessions()] == [second.id, first.id]
    store.end_session(first.id)
    assert [s.id for s in store.running_sessions()] == [second.id]


def test_revealing_an_after_close_poll_closes_it_and_opening_another_takes_it_off(
    store: Store, tiny: Module
) -> None:
    session = store.start_session(tiny)
    store.open_poll(session.id, "who")
    store.reveal_poll(session.id, "who")
    state = store.state(session.id)
    assert (state.open_poll, state.revealed_poll) == (None, "who")
    assert store.poll_statuses(session.id)["who"] == "closed"
    store.open_poll(session.id, "which")
    assert store.state(session.id).revealed_poll is None
    store.open_poll(session.id, "how")  # a live poll may be revealed while it is open
    store.reveal_poll(session.id, "how")
    assert store.state(session.id).open_poll == "how"
    store.hide_poll(session.id)
    assert store.state(session.id).revealed_poll is None


def test_a_facilitator_only_poll_cannot_be_revealed(store: Store, tiny: Module, tmp_path: Path) -> None:
    text = Path(tiny.origin).read_text().replace("max_picks: 2", "max_picks: 2\n    reveal: never")
    (tmp_path / "never.yaml").write_text(text)
    session = store.start_session(load_module(tmp_path / "never.yaml"))
    with pytest.raises(PollError, match="facilitator only"):
        store.reveal_poll(session.id, "which")
    assert store.state(session.id).revealed_poll is None


def test_text_answers_wait_for_approval_and_a_replaced_text_waits_again(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    me, you = store.join(session.id, DEVICE_A), store.join(session.id, DEVICE_B)
    store.open_poll(session.id, "words")
    store.record_answer(session.id, me, "words", "Eye contact <3")
    store.record_answer(session.id, you, "words", "When he hits me")
    queue = {a.text: a for a in store.text_answers(session.id, "words")}
    assert queue["Eye contact <3"].review == "pending" and queue["Eye contact <3"].flags == ()
    assert queue["When he hits me"].flags == ("physical-harm",)
    assert store.approved_texts(session.id, "words") == []
    assert store.moderate(session.id, "words", me, "Eye contact <3", "approved")
    assert store.approved_texts(session.id, "words") == ["Eye contact <3"]
    store.record_answer(session.id, me, "words", "Eye contact, and time")
    assert store.approved_texts(session.id, "words") == []
    # Approving what the facilitator read, after the writer changed it, approves nothing.
    assert not store.moderate(session.id, "words", me, "Eye contact <3", "approved")
    assert store.approved_texts(session.id, "words") == []


def test_a_scale_asked_again_is_paired_with_its_first_round(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    people = [store.join(session.id, f"{n:032x}") for n in range(3)]
    store.open_poll(session.id, "how")
    for person, point in zip(people, [2, 3, 4], strict=True):
        store.record_answer(session.id, person, "how", point)
    store.open_poll(session.id, "how-again")
    for person, point in zip(people[:2], [4, 3], strict=True):
        store.record_answer(session.id, person, "how-again", point)
    results = store.results(session.id, "how-again")
    assert isinstance(results, Shift)
    assert (results.before.respondents, results.after.respondents, results.paired) == (3, 2, 2)
    assert (results.higher, results.same, results.lower) == (1, 1, 0)


def test_a_database_from_before_reveal_and_moderation_is_brought_up_to_date(
    store: Store, tiny: Module
) -> None:
    old = store
    session = old.start_session(tiny)
    me = old.join(session.id, DEVICE_A)
    old.open_poll(session.id, "who")
    old.record_answer(session.id, me, "who", "Usually me")
    with old.engine.begin() as db:  # the columns an earlier version did not have
        db.execute(sa.text("ALTER TABLE answers DROP COLUMN review"))
        db.execute(sa.text("ALTER TABLE sessions DROP COLUMN revealed_poll"))
    upgraded = Store(store.url)
    assert upgraded.answers(session.id, "who") == ["Usually me"]
    upgraded.reveal_poll(session.id, "who")
    assert upgraded.state(session.id).revealed_poll == "who"
    upgraded.close()


def test_no_answer_lands_after_the_poll_has_closed(store: Store, tiny: Module) -> None:
    """The facilitator closes a poll in the instant an answer is being written: the tally they then see
    is final, so a revealed bar never moves and singles out the last person to tap."""
    import threading
    import time

    session = store.start_session(tiny, min_group_size=1)
    me = store.join(session.id, DEVICE_A)
    store.open_poll(session.id, "who")
    facilitator = Store(store.url, create=False)
    seen_at_close: list[tuple[int, ...]] = []

    def close_and_look() -> None:
        facilitator.close_poll(session.id, "who")
        seen_at_close.append(facilitator.tally(session.id, "who").counts)

    def close_meanwhile(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("SELECT poll_states.status") and not seen_at_close:
            closing = threading.Thread(target=close_and_look)
            closing.start()
            closing.join(2)  # SQLite makes the closing wait for this write; PostgreSQL lets it finish

    sa.event.listen(store.engine, "after_cursor_execute", close_meanwhile)
    try:
        store.record_answer(session.id, me, "who", "Usually me")
    except AnswerRefused:
        pass  # too late: refused, and nothing stored
    finally:
        sa.event.remove(store.engine, "after_cursor_execute", close_meanwhile)
    deadline = time.monotonic() + 20
    while not seen_at_close and time.monotonic() < deadline:
        time.sleep(0.05)
    facilitator.close()
    assert seen_at_close == [store.tally(session.id, "who").counts]


def test_answers_keep_no_time_and_participants_no_join_order(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    people = [store.join(session.id, f"{n:032x}") for n in range(12)]
    store.open_poll(session.id, "who")
    for person in people:
        store.record_answer(session.id, person, "who", "Usually me")
    for _ in range(3):
        store.ask_for(session.id, "pause")
    inspector = sa.inspect(store.engine)
    timed = [
        f"{table}.{column['name']}"
        for table in ("answers", "poll_states", "participants", "room_requests")
        for column in inspector.get_columns(table)
        if isinstance(column["type"], sa.DateTime | sa.Date)
    ]
    assert timed == []
    with store.engine.connect() as db:
        requests = list(db.execute(sa.select(room_requests.c.id)).scalars())
    assert people not in (sorted(people), sorted(people, reverse=True))  # in join order: 1 in 12! by chance
    assert min(people + requests) > 2**30  # drawn from 62 bits, not counted from 1
    if store.engine.dialect.name == "sqlite":  # nor a hidden rowid counting answers as they came
        with store.engine.connect() as db, pytest.raises(sa.exc.OperationalError, match="rowid"):
            db.exec_driver_sql("SELECT rowid FROM answers")


def test_a_random_number_already_taken_is_drawn_again(store: Store, tiny: Module) -> None:
    drawn = iter([7, 7, 9, 9, 11])
    unlucky = Store(store.url, create=False, new_id=lambda: next(drawn))
    session = unlucky.start_session(tiny)
    assert unlucky.join(session.id, DEVICE_A) == 7
    assert unlucky.join(session.id, DEVICE_B) == 9
    assert unlucky.join(session.id, DEVICE_A) == 7
    unlucky.ask_for(session.id, "pause")
    unlucky.ask_for(session.id, "pause")
    with unlucky.engine.connect() as db:
        assert sorted(db.execute(sa.select(room_requests.c.id)).scalars()) == [9, 11]
    unlucky.close()


def test_a_session_keeps_its_start_and_end_to_the_minute(store: Store, tiny: Module) -> None:
    moment = datetime(2025, 3, 1, 19, 42, 17, 123456, tzinfo=UTC)
    timed = Store(store.url, create=False, clock=lambda: moment)
    session = timed.start_session(tiny)
    timed.end_session(session.id)
    record = timed.session(session.id)
    timed.close()
    assert record.ended_at is not None
    for kept in (record.started_at, record.ended_at):
        assert (kept.hour, kept.minute, kept.second, kept.microsecond) == (19, 42, 0, 0)


def test_a_rejected_text_loses_its_words_but_still_counts_with_its_flags(store: Store, tiny: Module) -> None:
    session = store.start_session(tiny)
    me, you = store.join(session.id, DEVICE_A), store.join(session.id, DEVICE_B)
    store.open_poll(session.id, "words")
    store.record_answer(session.id, me, "words", "When he hits me")
    store.record_answer(session.id, you, "words", "Eye contact")
    assert store.moderate(session.id, "words", me, "When he hits me", "rejected")
    queue = {a.participant_id: a for a in store.text_answers(session.id, "words")}
    assert (queue[me].text, queue[me].review, queue[me].flags) == ("", "rejected", ("physical-harm",))
    assert not store.moderate(session.id, "words", me, "", "approved")  # nothing is left to approve
    assert store.results(session.id, "words").respondents == 2
    with store.engine.connect() as db:
        assert not [v for v in db.execute(sa.select(answers.c.value)).scalars() if "hits" in v]
    store.record_answer(session.id, me, "words", "Time together")  # written again while it is open
    assert {a.text: a.flags for a in store.text_answers(session.id, "words")}["Time together"] == ()


def test_replaced_and_rejected_texts_leave_no_bytes_in_the_database_files(
    sqlite_store: Store, tiny: Module, tmp_path: Path
) -> None:
    session = sqlite_store.start_session(tiny)
    me, you = sqlite_store.join(session.id, DEVICE_A), sqlite_store.join(session.id, DEVICE_B)
    sqlite_store.open_poll(session.id, "words")
    sqlite_store.record_answer(session.id, me, "words", "Quokka-marmalade-7731 first thought")
    sqlite_store.record_answer(session.id, me, "words", "Kept-words-2288")
    sqlite_store.record_answer(session.id, you, "words", "Zanzibar-tangerine-4410 said aloud")
    sqlite_store.moderate(session.id, "words", you, "Zanzibar-tangerine-4410 said aloud", "rejected")
    files = [tmp_path / "workshop.sqlite3", tmp_path / "workshop.sqlite3-wal"]
    on_disk = b"".join(path.read_bytes() for path in files if path.exists())
    assert b"Kept-words-2288" in on_disk  # what is kept can be found, so what is not would be too
    assert b"Quokka-marmalade-7731" not in on_disk
    assert b"Zanzibar-tangerine-4410" not in on_disk
    with sqlite_store.engine.connect() as db:
        assert db.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def _schema_before_random_ids() -> sa.MetaData:
    """The tables as the version before random ids and untimed answers made them."""
    old = sa.MetaData()
    sessions.to_metadata(old)
    sa.Table(
        "poll_states",
        old,
        sa.Column("session_id", sa.ForeignKey("sessions.id"), primary_key=True),
        sa.Column("poll_id", sa.String(100), primary_key=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "participants",
        old,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("device_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("session_id", "device_hash"),
    )
    sa.Table(
        "answers",
        old,
        sa.Column("participant_id", sa.ForeignKey("participants.id"), primary_key=True),
        sa.Column("poll_id", sa.String(100), primary_key=True),
        sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False, index=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review", sa.String(10)),
    )
    sa.Table(
        "room_requests",
        old,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.ForeignKey("sessions.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(8)),
    )
    return old


def test_a_database_from_before_random_ids_keeps_its_rows_but_not_their_times(
    store: Store, tiny: Module
) -> None:
    metadata.drop_all(store.engine)
    old = _schema_before_random_ids()
    old.create_all(store.engine)
    moment = datetime(2025, 3, 1, 19, 42, 17, 123456, tzinfo=UTC)
    with store.engine.begin() as db:
        found = db.execute(
            old.tables["sessions"]
            .insert()
            .values(
                join_code="ABCDE",
                module_id=tiny.id,
                module_hash=tiny.content_hash,
                module_json=json.dumps(tiny.to_dict()),
                min_group_size=1,
                current_section=tiny.sections[0].id,
                started_at=moment,
                version=0,
            )
        ).inserted_primary_key
        assert found is not None
        session_id = int(found[0])
        db.execute(
            old.tables["poll_states"]
            .insert()
            .values(session_id=session_id, poll_id="who", status="open", changed_at=moment)
        )
        for n in (1, 2):
            db.execute(
                old.tables["participants"]
                .insert()
                .values(session_id=session_id, device_hash=hash_device_token(f"{n:032x}"))
            )
            db.execute(
                old.tables["answers"]
                .insert()
                .values(
                    participant_id=n,
                    poll_id="who",
                    session_id=session_id,
                    value='"Usually me"',
                    answered_at=moment,
                )
            )
    store.close()
    upgraded = Store(store.url)
    inspector = sa.inspect(upgraded.engine)
    assert "answered_at" not in {c["name"] for c in inspector.get_columns("answers")}
    assert "changed_at" not in {c["name"] for c in inspector.get_columns("poll_states")}
    assert upgraded.answers(session_id, "who") == ["Usually me", "Usually me"]
    assert upgraded.join(session_id, f"{1:032x}") == 1  # an old participant keeps their number
    newcomer = upgraded.join(session_id, DEVICE_A)
    assert newcomer > 2**40
    upgraded.record_answer(session_id, newcomer, "who", "About equally")
    assert upgraded.tally(session_id, "who").counts == (2, 0, 1)
    upgraded.ask_for(session_id, "pause")
    upgraded.end_session(session_id)
    if upgraded.engine.dialect.name == "sqlite":
        with upgraded.engine.connect() as db, pytest.raises(sa.exc.OperationalError, match="rowid"):
            db.exec_driver_sql("SELECT rowid FROM answers")
    upgraded.close()
    again = Store(store.url)  # opening it once more changes nothing
    assert again.tally(session_id, "who").counts == (2, 0, 1)
    again.close()
