"""Plain export records for the unit tests of exporters/formats.py and exporters/consensus.py."""

from __future__ import annotations

from typing import Any

from exporters.records import Candidate, ConsensusRecord, JudgmentRecord

CODE = {"A": "def f():\n    return 1\n", "B": "def f():\n    return 2\n", "C": "def f():\n    return 3\n"}
MODELS = {"A": "alpha", "B": "beta", "C": "gamma"}


def candidates(labels: str = "ABC") -> dict[str, Candidate]:
    passed = {"A": 3, "B": 1, "C": None}
    total = {"A": 3, "B": 3, "C": None}
    trust = {"A": "isolated", "B": "in-process", "C": None}
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


def consensus_record(**fields: Any) -> ConsensusRecord:
    data: dict[str, Any] = {
        "task_id": "t-1",
        "prompt": "Return a number.",
        "language": "python",
        "candidates": candidates("ABC"),
        "mean_rank": {"A": 1.0, "B": 2.5, "C": 2.5},
        "ranking": [["A"], ["B", "C"]],
        "judgments": 2,
        "agreement": 0.5,
        "all_unacceptable": False,
        "annotators": ["ann-1", "ann-2"],
        "preferences": {("A", "B"): 2, ("A", "C"): 2, ("B", "C"): 1, ("C", "B"): 1},
    }
    data.update(fields)
    return ConsensusRecord(**data)
