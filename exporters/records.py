"""What an export reads: plain data, no Django, so the formats are pure functions tested on golden files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from annotation import rankings


@dataclass(frozen=True)
class Candidate:
    label: str
    model: str
    code: str
    tests_passed: int | None = None  # under this judgment's annotator's last run; None if never run
    tests_total: int | None = None
    tests_trust: str | None = None  # "isolated" or "in-process" (see the sandbox's trust model)


@dataclass
class JudgmentRecord:
    judgment_id: int
    task_id: str  # the task's external id
    prompt: str
    language: str
    candidates: dict[str, Candidate]  # by label
    ranking: list[list[str]]  # groups of labels, best first; one group = all tied
    strength: int | None
    ratings: dict[str, dict[str, int]]
    comments: dict[str, str]
    rationale: str
    all_unacceptable: bool
    ideal_solution: str
    annotator: str  # a pseudonym, stable within this installation
    submitted_at: str  # ISO 8601
    active_seconds: int
    evidence_conflict: bool = False
    evidence_note: str = ""
    # Comments on lines of the kept responses: [{"label", "start", "end", "category", "severity", "text"}]
    line_comments: list[dict[str, Any]] = field(default_factory=list)
    tests_code: str = ""  # the annotator's test file as last edited
    test_results: list[dict[str, Any]] = field(default_factory=list)  # last run, per label
    run_tests_code: str = ""  # the test file that last run ran (test_results' file; it may differ from tests_code)
    gold_answer: dict[str, Any] | None = None  # the task's, if it is gold
    agreement: float | None = None  # of the task's judgments, filled in by the exporter
    # A conversation task's turns before the responses ({"role", "content"}); empty for a single prompt,
    # whose `prompt` is the task's text (for a conversation, the thread's plain text: tasks.models.thread_text).
    messages: list[dict[str, str]] = field(default_factory=list)
    task_metadata: dict[str, Any] = field(default_factory=dict)
    review_verdict: str | None = None  # the last review's verdict, if reviewed
    review_score: int | None = None

    def pairs(self) -> list[tuple[str, str]]:
        """Every (better, worse) across rank groups; ties give none, nor does "all unacceptable"."""
        return [] if self.all_unacceptable else rankings.pairs(self.ranking)


@dataclass
class ConsensusRecord:
    """One task across its annotators: the mean rank of each candidate (lower is better)."""

    task_id: str
    prompt: str
    language: str
    candidates: dict[str, Candidate]
    mean_rank: dict[str, float]
    ranking: list[list[str]]  # candidates grouped by equal mean rank, best first
    judgments: int
    agreement: float
    all_unacceptable: bool  # a majority said so
    annotators: list[str]
    messages: list[dict[str, str]] = field(default_factory=list)  # as in JudgmentRecord
    task_metadata: dict[str, Any] = field(default_factory=dict)
    preferences: dict[tuple[str, str], int] = field(default_factory=dict)  # (a, b) -> judgments ranking a above b
    sources: list[dict[str, Any]] = field(default_factory=list)  # each judgment's facts (formats.source)
    # (a, b) -> the strengths of the judgments ranking a above b (None where a judgment gave none)
    pair_strengths: dict[tuple[str, str], list[int | None]] = field(default_factory=dict)

    def pairs(self) -> list[tuple[str, str]]:
        """(better, worse) where more judgments put `better` above than below; never for a majority tie."""
        if self.all_unacceptable:
            return []
        labels = sorted(self.candidates)
        out = []
        for a in labels:
            for b in labels:
                if a != b and self.preferences.get((a, b), 0) > self.preferences.get((b, a), 0):
                    out.append((a, b))
        order = {label: self.mean_rank[label] for label in labels}
        return sorted(out, key=lambda p: (order[p[0]], order[p[1]], p))
