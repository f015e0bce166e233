"""One pure function per dataset format: a record in, rows (dicts) out. See DESIGN.md's table.

An n-way ranking gives every ordered pair across rank groups; ties give no pair; "all unacceptable"
gives none. Rows carry `metadata` unless the format forbids extra keys (openai-preference).

A conversation task's turns are the prompt of the message formats (dpo-conversational, openai-preference,
sft), its system turn included; the string formats (dpo, kto, ranking) carry the record's `prompt`, which
for a conversation is the thread's plain text (README, "Conversation tasks").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any

from annotation import rankings
from exporters.records import ConsensusRecord, JudgmentRecord

Record = JudgmentRecord | ConsensusRecord
Row = dict[str, Any]
SCHEMA_VERSION = 1


def _user(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def _prompt_messages(record: Record) -> list[dict[str, str]]:
    """The turns before the response: a conversation's own (only role and content), else the user's prompt."""
    if record.messages:
        return [{"role": m["role"], "content": m["content"]} for m in record.messages]
    return _user(record.prompt)


def metadata(record: Record, pair: tuple[str, str] | None = None) -> dict[str, Any]:
    c = record.candidates
    meta: dict[str, Any] = {
        "task_id": record.task_id,
        "language": record.language,
        "models": {label: c[label].model for label in sorted(c)},
        "tests_passed": {label: c[label].tests_passed for label in sorted(c)},
        "tests_total": {label: c[label].tests_total for label in sorted(c)},
        "tests_trust": {label: c[label].tests_trust for label in sorted(c)},
        "agreement": record.agreement,
    }
    if pair is not None:
        meta.update(
            chosen_label=pair[0], rejected_label=pair[1], chosen_model=c[pair[0]].model, rejected_model=c[pair[1]].model
        )
    if isinstance(record, JudgmentRecord):
        meta.update(
            judgment_id=record.judgment_id,
            annotator=record.annotator,
            strength=record.strength,
            submitted_at=record.submitted_at,
            evidence_conflict=record.evidence_conflict,
            review_verdict=record.review_verdict,
            review_score=record.review_score,
        )
    else:
        meta.update(judgments=record.judgments, annotators=record.annotators, mean_rank=record.mean_rank)
    if record.task_metadata:
        meta["task_metadata"] = record.task_metadata
    return meta


def dpo(record: Record) -> Iterator[Row]:
    for better, worse in record.pairs():
        yield {
            "prompt": record.prompt,
            "chosen": record.candidates[better].code,
            "rejected": record.candidates[worse].code,
            "metadata": metadata(record, (better, worse)),
        }


def dpo_conversational(record: Record) -> Iterator[Row]:
    for better, worse in record.pairs():
        yield {
            "prompt": _prompt_messages(record),
            "chosen": _assistant(record.candidates[better].code),
            "rejected": _assistant(record.candidates[worse].code),
            "metadata": metadata(record, (better, worse)),
        }


def openai_preference(record: Record) -> Iterator[Row]:
    for better, worse in record.pairs():  # OpenAI's format takes no extra keys: no metadata
        yield {
            "input": {"messages": _prompt_messages(record)},
            "preferred_output": _assistant(record.candidates[better].code),
            "non_preferred_output": _assistant(record.candidates[worse].code),
        }


def kto(record: Record) -> Iterator[Row]:
    """Unpaired: the best group is desirable, the worst undesirable, middle groups are left out;
    "all unacceptable" makes every response undesirable; a full tie says nothing."""
    if record.all_unacceptable:
        labeled = [(label, False) for label in sorted(record.candidates)]
    elif len(record.ranking) < 2:
        return
    else:
        labeled = [(label, True) for label in record.ranking[0]] + [(label, False) for label in record.ranking[-1]]
    for label, desirable in labeled:
        meta = {**metadata(record), "label": label, "model": record.candidates[label].model}
        yield {
            "prompt": record.prompt,
            "completion": record.candidates[label].code,
            "label": desirable,
            "metadata": meta,
        }


def ranking(record: Record) -> Iterator[Row]:
    """Per completion: its rank, ratings, test counts and the annotator's line comments on it (none in
    consensus mode, which merges judgments)."""
    rank = {label: i + 1 for label, i in rankings.ranks(record.ranking).items()}
    ratings = record.ratings if isinstance(record, JudgmentRecord) else {}
    notes: dict[str, list[dict[str, Any]]] = {}
    for note in record.line_comments if isinstance(record, JudgmentRecord) else []:
        notes.setdefault(note["label"], []).append({k: v for k, v in note.items() if k != "label"})
    completions = [
        {
            "model": c.model,
            "response": c.code,
            "rank": None if record.all_unacceptable else rank.get(label),
            "ratings": ratings.get(label, {}),
            "tests_passed": c.tests_passed,
            "tests_total": c.tests_total,
            "tests_trust": c.tests_trust,
            "line_comments": notes.get(label, []),
        }
        for label, c in sorted(record.candidates.items())
    ]
    yield {
        "prompt": record.prompt,
        "completions": completions,
        "metadata": {**metadata(record), "all_unacceptable": record.all_unacceptable},
    }


def sft(record: Record) -> Iterator[Row]:
    """The annotator's ideal solution as the assistant turn (judgments that have one)."""
    if isinstance(record, JudgmentRecord) and record.ideal_solution.strip():
        messages = _prompt_messages(record) + _assistant(record.ideal_solution)
        yield {"messages": messages, "metadata": metadata(record)}


def raw(record: Record) -> Iterator[Row]:
    data = asdict(record)
    if isinstance(record, ConsensusRecord):
        data["preferences"] = [[a, b, n] for (a, b), n in sorted(record.preferences.items())]
    yield data


FORMATS: dict[str, Callable[[Record], Iterator[Row]]] = {
    "dpo": dpo,
    "dpo-conversational": dpo_conversational,
    "openai-preference": openai_preference,
    "kto": kto,
    "ranking": ranking,
    "sft": sft,
    "raw": raw,
}
# Formats that only make sense one judgment at a time.
JUDGMENT_ONLY = {"sft"}
