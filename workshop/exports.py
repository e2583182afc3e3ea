"""A session's results for the record, naming the module version they answered (its id and content hash).

Only what a room could have seen leaves the kit: totals per poll from at least the session's minimum group
size, and the written answers the facilitator approved. Never a row per participant.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

from workshop.bars import choice_labels
from workshop.content import Module
from workshop.polls import Shift, Tally
from workshop.store import Store


def _counts(tally: Tally) -> dict[str, int]:
    return dict(zip(choice_labels(tally.poll), tally.counts, strict=True))


def session_results(store: Store, session_id: int) -> dict[str, Any]:
    """The session, its module version and each poll's results (withheld below the minimum group size)."""
    kept = store.kept_results(session_id)
    if kept is not None:
        return kept  # purged (workshop.retention): the results as they were, the raw answers gone
    record = store.session(session_id)
    module = record.module
    minimum = record.min_group_size
    polls = []
    for poll in module.polls:
        results = store.results(session_id, poll.id)
        entry: dict[str, Any] = {
            "id": poll.id,
            "kind": poll.kind,
            "prompt": poll.prompt,
            "respondents": results.respondents,
        }
        if poll.private:
            entry["withheld"] = "private: for the facilitator's console only"
        elif results.respondents < minimum:
            entry["withheld"] = f"fewer than {minimum} answers"
        elif isinstance(results, Shift):
            entry["before"] = {
                "poll": poll.before,
                "counts": _counts(results.before),
                "mean": results.before.mean,
            }
            entry["after"] = {"counts": _counts(results.after), "mean": results.after.mean}
            if results.paired >= minimum:
                entry["paired"] = {
                    "people": results.paired,
                    "higher": results.higher,
                    "same": results.same,
                    "lower": results.lower,
                }
        elif poll.kind == "text":
            entry["approved"] = store.approved_texts(session_id, poll.id)
        else:
            entry["counts"] = _counts(results)
            if results.mean is not None:
                entry["mean"], entry["median"] = results.mean, results.median
        polls.append(entry)
    return {
        "module": {"id": module.id, "title": module.title, "version": record.module_hash},
        "session": {
            "join_code": record.join_code,
            "started_at": record.started_at.isoformat(),
            "ended_at": record.ended_at.isoformat() if record.ended_at else None,
            "min_group_size": minimum,
            "devices_joined": store.joined_count(session_id),
        },
        "polls": polls,
        # For the facilitator's own record of what the room needed: how many written answers spoke of
        # each kind of danger. Never the texts, never which poll or when.
        "safety_flags": safety_flag_counts(store, session_id, module),
    }


def safety_flag_counts(store: Store, session_id: int, module: Module) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for poll in module.polls:
        if poll.kind == "text":
            for answer in store.text_answers(session_id, poll.id):
                counts.update(answer.flags)
    return dict(sorted(counts.items()))


def as_json(results: dict[str, Any]) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"


def as_csv(results: dict[str, Any]) -> str:
    """One row per poll and choice, each naming the module and its version."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["module", "version", "join_code", "poll", "prompt", "round", "choice", "count"])
    module, code = results["module"], results["session"]["join_code"]
    for poll in results["polls"]:
        start = [module["id"], module["version"], code, poll["id"], poll["prompt"]]
        if "withheld" in poll:
            writer.writerow([*start, "", poll["withheld"], ""])
            continue
        rounds = [("", poll.get("counts", {}))]
        if "after" in poll:
            rounds = [("before", poll["before"]["counts"]), ("after", poll["after"]["counts"])]
        for name, counts in rounds:
            for choice, count in counts.items():
                writer.writerow([*start, name, choice, count])
        for text in poll.get("approved", []):
            writer.writerow([*start, "", text, ""])
    for category, count in results.get("safety_flags", {}).items():
        writer.writerow([module["id"], module["version"], code, "safety-flags", "", "", category, count])
    return out.getvalue()
