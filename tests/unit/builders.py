"""Plain export records for the unit tests of exporters/formats.py and exporters/consensus.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from exporters import formats
from exporters.records import Candidate, ConsensusRecord, JudgmentRecord

CODE = {"A": "def f():\n    return 1\n", "B": "def f():\n    return 2\n", "C": "def f():\n    return 3\n"}
MODELS = {"A": "alpha", "B": "beta", "C": "gamma"}
# A line comment as query.records gives it (the label says which response; rows leave it out).
NOTE: dict[str, Any] = {"label": "C", "start": 1, "end": 2, "category": "style", "severity": "minor", "text": "name it"}
# A conversation task's turns before the responses, and its text (tasks.models.thread_text of them).
THREAD = [
    {"role": "system", "content": "Answer in one line."},
    {"role": "user", "content": "Return a number."},
    {"role": "assistant", "content": "Which one?"},
    {"role": "user", "content": "Any."},
]
THREAD_TEXT = "System:\nAnswer in one line.\n\nUser:\nReturn a number.\n\nAssistant:\nWhich one?\n\nUser:\nAny."


def candidates(labels: str = "ABC", *, tested: bool = True) -> dict[str, Candidate]:
    """The responses by label; `tested`: with one annotator's last run (A passed 3 of 3, B 1 of 3, C never run)."""
    passed = {"A": 3, "B": 1, "C": None}
    total = {"A": 3, "B": 3, "C": None}
    trust = {"A": "isolated", "B": "in-process", "C": None}
    if not tested:
        return {label: Candidate(label, MODELS[label], CODE[label]) for label in labels}
    return {
        label: Candidate(label, MODELS[label], CODE[label], passed[label], total[label], trust[label])
        for label in labels
    }


def judgment(ranking: list[list[str]], *, labels: str = "ABC", **fields: Any) -> JudgmentRecord:
    data: dict[str, Any] = {
        "judgment_id": 7,
        "task_id": "t-1",
        "prompt": "Return a number.",
        "language": "python",
        "candidates": candidates(labels),
        "ranking": ranking,
        "strength": None,
        "ratings": {},
        "comments": {},
        "rationale": "A is right.",
        "all_unacceptable": False,
        "ideal_solution": "",
        "annotator": "ann-1",
        "submitted_at": "2026-03-04T10:00:00+00:00",
        "active_seconds": 60,
    }
    data.update(fields)
    return JudgmentRecord(**data)


def conversation(
    ranking: list[list[str]], *, turns: list[dict[str, str]] | None = None, **fields: Any
) -> JudgmentRecord:
    """A judgment of a conversation task: its turns (THREAD by default) and their text as the prompt."""
    return judgment(ranking, messages=THREAD if turns is None else turns, prompt=THREAD_TEXT, **fields)


def voters(*rankings: list[list[str]], labels: str = "AB", **fields: Any) -> list[JudgmentRecord]:
    """One task's judgments, one per ranking, by different annotators (ids 1, 2, ... and ann-1, ann-2, ...)."""
    return [
        judgment(ranking, labels=labels, judgment_id=i, annotator=f"ann-{i}", **fields)
        for i, ranking in enumerate(rankings, start=1)
    ]


def last_run(label: str, status: str, *tests: dict[str, Any]) -> dict[str, Any]:
    """One response's last run, as query.records gives it."""
    passed = sum(1 for t in tests if t.get("outcome") == "passed")
    return {
        "label": label,
        "status": status,
        "passed": passed,
        "failed": len(tests) - passed,
        "tests": list(tests),
        "trust": "isolated",
    }


def consensus_record(**fields: Any) -> ConsensusRecord:
    """Two judgments' consensus on A > B = C: A above both twice, B and C one each way."""
    data: dict[str, Any] = {
        "task_id": "t-1",
        "prompt": "Return a number.",
        "language": "python",
        "candidates": candidates("ABC", tested=False),  # no one annotator's test run in consensus mode
        "mean_rank": {"A": 1.0, "B": 2.5, "C": 2.5},
        "ranking": [["A"], ["B", "C"]],
        "judgments": 2,
        "agreement": 0.5,
        "all_unacceptable": False,
        "annotators": ["ann-1", "ann-2"],
        "preferences": {("A", "B"): 2, ("A", "C"): 2, ("B", "C"): 1, ("C", "B"): 1},
        "sources": [
            formats.source(judgment([["A"], ["B"], ["C"]], judgment_id=1, annotator="ann-1")),
            formats.source(judgment([["A"], ["C"], ["B"]], judgment_id=2, annotator="ann-2")),
        ],
    }
    data.update(fields)
    return ConsensusRecord(**data)


def rows(
    fmt: str,
    records: Sequence[formats.Record],
    shape: formats.Shape | None = None,
    report: formats.Report | None = None,
) -> list[dict[str, Any]]:
    """One task's rows in `fmt` (formats.task_rows), with the default shape unless told."""
    return list(formats.task_rows(fmt, records, shape or formats.Shape(), report))
