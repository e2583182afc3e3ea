"""Exports name the module version a session ran, and hold only what the room could have seen."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from workshop.content import Module, load_module
from workshop.exports import as_csv, as_json, session_results
from workshop.store import Store


def run_session(store: Store, module: Module) -> int:
    session = store.start_session(module, min_group_size=2)
    people = [store.join(session.id, f"{n:032x}") for n in range(3)]
    store.open_poll(session.id, "who")
    for person, value in zip(people, ["Usually me", "Usually me", "About equally"], strict=True):
        store.record_answer(session.id, person, "who", value)
    store.open_poll(session.id, "how")
    store.record_answer(session.id, people[0], "how", 4)  # one answer: below the minimum
    store.open_poll(session.id, "words")
    for person, text in zip(people, ["Being asked", "Time", "A walk"], strict=True):
        store.record_answer(session.id, person, "words", text)
    store.close_poll(session.id, "words")
    store.moderate(session.id, "words", people[0], "Being asked", "approved")
    return session.id


def test_an_export_names_the_version_and_withholds_small_groups(sqlite_store: Store, tiny: Module) -> None:
    results = session_results(sqlite_store, run_session(sqlite_store, tiny))
    assert results["module"] == {"id": "tiny", "title": tiny.title, "version": tiny.content_hash}
    polls = {poll["id"]: poll for poll in results["polls"]}
    assert polls["who"]["counts"] == {"Usually me": 2, "Usually my partner": 0, "About equally": 1}
    assert polls["how"] == {**polls["how"], "respondents": 1, "withheld": "fewer than 2 answers"}
    assert "counts" not in polls["how"]
    assert polls["words"]["approved"] == ["Being asked"]  # never the texts nobody approved
    rows = list(csv.DictReader(io.StringIO(as_csv(results))))
    assert {row["version"] for row in rows} == {tiny.content_hash}
    assert not any("Time" in row.values() for row in rows)
    assert '"version": "' + tiny.content_hash + '"' in as_json(results)


def test_editing_the_module_later_changes_neither_the_session_nor_its_results(
    sqlite_store: Store, tiny: Module, tmp_path: Path
) -> None:
    session_id = run_session(sqlite_store, tiny)
    edited = tmp_path / "tiny.yaml"
    edited.write_text(
        Path(tiny.origin).read_text().replace("Who usually raises a worry first?", "Who speaks?")
    )
    assert load_module(edited).content_hash != tiny.content_hash
    record = sqlite_store.session(session_id)
    assert record.module_hash == tiny.content_hash
    assert record.module.poll("who").prompt == "Who usually raises a worry first?"
    polls = {poll["id"]: poll for poll in session_results(sqlite_store, session_id)["polls"]}
    assert polls["who"]["prompt"] == "Who usually raises a worry first?"


def test_the_export_counts_flags_by_kind_and_keeps_private_results_and_requests_out(
    sqlite_store: Store, tiny: Module
) -> None:
    from workshop.exports import as_csv, session_results

    private = Module.from_dict({**tiny.to_dict(), "polls": [
        {**p.__dict__, "options": list(p.options), "private": p.id == "who"} for p in tiny.polls
    ]})  # fmt: skip
    session = sqlite_store.start_session(private, min_group_size=1)
    sqlite_store.open_poll(session.id, "who")
    me = sqlite_store.join(session.id, "a" * 32)
    sqlite_store.record_answer(session.id, me, "who", "Usually me")
    sqlite_store.open_poll(session.id, "words")
    sqlite_store.record_answer(session.id, me, "words", "he hits me when he drinks")
    code = sqlite_store.ask_for(session.id, "private-word")
    sqlite_store.ask_for(session.id, "pause")
    results = session_results(sqlite_store, session.id)
    assert results["safety_flags"] == {"physical-harm": 1}
    who = next(p for p in results["polls"] if p["id"] == "who")
    assert "counts" not in who and "private" in who["withheld"]
    written = as_csv(results) + str(results)
    assert "hits me" not in written and code not in written and "pause" not in written
    sqlite_store.end_session(session.id)
    assert sqlite_store.requests(session.id) == ([], 0)  # the codes go with the session
