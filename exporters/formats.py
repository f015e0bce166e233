"""The dataset formats: one task's records in, rows out, each row matching its format's schema
(`columns`, declared with exporters/schema.py). Pure functions; README, "Row schemas", has the tables.

An n-way ranking gives every ordered pair across rank groups; ties give no pair; "all unacceptable"
gives none. In per-judgment mode the rows of one task that say the same thing (the same pair, the same
KTO completion and label, the same ideal solution) are merged into one row with a `count` and every
judgment behind it in `metadata.sources`; pairs that contradict each other (A over B and B over A on
one task) are reported, and kept, dropped, or settled by the majority (`Shape.contradictions`).

A conversation task's turns are the prompt of the message formats; the string formats (dpo, kto,
ranking) carry the record's `prompt` (for a conversation, the thread's plain text) followed by
`Shape.separator`, so a trainer that joins prompt and completion gets them apart.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotation import rankings
from exporters import schema, verifiable
from exporters.records import Candidate, ConsensusRecord, JudgmentRecord
from exporters.schema import LINE_COMMENT, MESSAGES, METADATA, RATINGS, SOURCE, List

Record = JudgmentRecord | ConsensusRecord
Row = dict[str, Any]
SCHEMA_VERSION = 2
CONTRADICTIONS = ("majority", "drop", "keep")
MARGINS = ("none", "strength", "votes")
SFT_STYLES = ("prompt-completion", "messages")


@dataclass(frozen=True)
class Shape:
    """How rows are written: the training-ready options of an export (exporters/options.py)."""

    separator: str = "\n\n"  # after the prompt, in the string formats
    fence: bool = False  # a code response as a fenced block with its language (prose answers stay as they are)
    system: str = ""  # a system turn for the message formats (the project's instructions), "" for none
    sft_style: str = "prompt-completion"  # or "messages" (trains on the prompt too, under TRL's default loss)
    margin: str = "none"  # a top-level `margin` for reward modelling: "strength" or "votes"
    contradictions: str = "majority"  # per judgment: "majority" (a tie drops both), "drop" both, "keep" both
    metadata_keys: tuple[str, ...] = ()  # the import metadata keys the project lets out
    image: str = ""  # the sandbox image the verifiable format's commands name


@dataclass
class Report:
    """What the manifest says about the rows: merges, contradictions, KTO's balance, lengths."""

    merged: int = 0  # rows folded into an identical one
    contradictions: list[dict[str, Any]] = field(default_factory=list)  # the first CONTRADICTIONS_LISTED
    contradiction_count: int = 0
    dropped: int = 0  # rows left out because of a contradiction
    desirable: int = 0
    undesirable: int = 0
    prompt_chars: Lengths = field(default_factory=lambda: Lengths())
    completion_chars: Lengths = field(default_factory=lambda: Lengths())
    prompt_tokens: Lengths = field(default_factory=lambda: Lengths())
    completion_tokens: Lengths = field(default_factory=lambda: Lengths())
    tokenizer: str = ""  # whose tokens were counted
    tokens_unavailable: str = ""  # why none were, when a tokenizer was asked for
    tasks: int = 0
    agreement_sum: float = 0.0
    splits: dict[str, int] = field(default_factory=dict)  # rows per split ("" without a split)
    skipped: verifiable.Skipped = field(default_factory=lambda: verifiable.Skipped())  # tasks without a row

    def to_dict(self, fmt: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "merged_duplicates": self.merged,
            "contradictions": {
                "policy_dropped_rows": self.dropped,
                "count": self.contradiction_count,
                "pairs": self.contradictions,
            },
            "lengths_chars": {"prompt": self.prompt_chars.summary(), "completion": self.completion_chars.summary()},
        }
        if self.tokenizer:
            out["lengths_tokens"] = {
                "tokenizer": self.tokenizer,
                "prompt": self.prompt_tokens.summary(),
                "completion": self.completion_tokens.summary(),
            }
        elif self.tokens_unavailable:
            out["lengths_tokens"] = {"unavailable": self.tokens_unavailable}
        if fmt in ("kto", "kto-conversational"):
            out["kto"] = {"desirable": self.desirable, "undesirable": self.undesirable}
        if fmt in TASK_FORMATS:
            out["tasks_without_a_row"] = self.skipped.to_dict()
        return out


CONTRADICTIONS_LISTED = 1000


class Lengths:
    """Percentiles of lengths in constant memory: a count per length, exact below 1,000 and rounded to
    three significant digits above (so a percentile is off by under 0.5%)."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.n = 0

    def add(self, length: int) -> None:
        key = length if length < 1000 else int(float(f"{length:.3g}"))
        self.counts[key] = self.counts.get(key, 0) + 1
        self.n += 1

    def summary(self) -> dict[str, int] | None:
        if not self.n:
            return None
        out, seen, keys = {}, 0, sorted(self.counts)
        wanted = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)]
        for key in keys:
            seen += self.counts[key]
            while wanted and seen >= wanted[0][1] * self.n:
                out[wanted.pop(0)[0]] = key
        return {"min": keys[0], **out, "max": keys[-1]}


@dataclass
class Item:
    """A row before merging: `key` names what it says within its task (None: never merged), `opposite`
    the key of a row that would contradict it. `row` may be a function making the row: it is called only
    for the item a merge keeps (the identical rows folded into it are never built)."""

    key: tuple[Any, ...] | None
    row: Row | Callable[[], Row]
    sources: list[Record]
    opposite: tuple[Any, ...] | None = None

    def built(self) -> Row:
        """The row, a new dict (the item's own row is copied: merging changes what it is given)."""
        return self.row() if callable(self.row) else dict(self.row)


# -- pieces ---------------------------------------------------------------------------------------


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def prompt_messages(record: Record, shape: Shape) -> list[dict[str, str]]:
    """The turns before the response: a conversation's own (role and content), else the user's prompt;
    with `shape.system`, a system turn first unless the conversation has one."""
    turns = [{"role": m["role"], "content": m["content"]} for m in record.messages] or [
        {"role": "user", "content": record.prompt}
    ]
    if shape.system and turns[0]["role"] != "system":
        turns.insert(0, {"role": "system", "content": shape.system})
    return turns


def prompt_text(record: Record, shape: Shape) -> str:
    return record.prompt + shape.separator


def completion(record: Record, candidate: Candidate | str, shape: Shape) -> str:
    code = candidate if isinstance(candidate, str) else candidate.code
    if shape.fence and not record.messages and not code.lstrip().startswith("```"):  # not fenced already
        return f"```{record.language}\n{code.rstrip()}\n```\n"
    return code


def responses(record: Record) -> list[dict[str, Any]]:
    """Per response: the tests it passed and ran under this judgment's last run (none in consensus mode:
    the task's judgments ran different tests), and its mean rank in consensus mode."""
    consensus = isinstance(record, ConsensusRecord)
    mean = record.mean_rank if isinstance(record, ConsensusRecord) else {}
    return [
        {
            "label": label,
            "model": c.model,
            "tests_passed": None if consensus else c.tests_passed,
            "tests_total": None if consensus else c.tests_total,
            "trust": None if consensus else c.tests_trust,
            "mean_rank": mean.get(label),
        }
        for label, c in sorted(record.candidates.items())
    ]


def source(record: JudgmentRecord) -> dict[str, Any]:
    return {
        "judgment_id": record.judgment_id,
        "annotator": record.annotator,
        "strength": record.strength,
        "submitted_at": record.submitted_at,
        "evidence_conflict": record.evidence_conflict,
        "review_verdict": record.review_verdict,
        "review_score": record.review_score,
    }


def task_metadata(record: Record, keys: tuple[str, ...]) -> list[dict[str, str]]:
    """The allowed import metadata keys, values as JSON text; every other key stays in the platform."""
    return [
        {"key": k, "value": json.dumps(record.task_metadata[k], ensure_ascii=False, sort_keys=True)}
        for k in sorted(keys)
        if k in record.task_metadata
    ]


def metadata(
    record: Record,
    shape: Shape,
    *,
    pair: tuple[str, str] | None = None,
    one: str | None = None,
) -> dict[str, Any]:
    """A row's metadata (schema.METADATA); `sources` is filled in once rows are merged."""
    c = record.candidates
    return {
        "task_id": record.task_id,
        "language": record.language,
        "responses": responses(record),
        "agreement": record.agreement,
        "all_unacceptable": record.all_unacceptable,
        "chosen_label": pair[0] if pair else None,
        "rejected_label": pair[1] if pair else None,
        "chosen_model": c[pair[0]].model if pair else None,
        "rejected_model": c[pair[1]].model if pair else None,
        "completion_label": one,
        "completion_model": c[one].model if one else None,
        "mode": "consensus" if isinstance(record, ConsensusRecord) else "judgment",
        "judgments": record.judgments if isinstance(record, ConsensusRecord) else None,
        "annotators": record.annotators if isinstance(record, ConsensusRecord) else [record.annotator],
        "sources": [],
        "task_metadata": task_metadata(record, shape.metadata_keys),
    }


# -- one builder per format: a record in, items out ------------------------------------------------


def _pairs(record: Record, build: Callable[[str, str], Row], shape: Shape) -> list[Item]:
    return [
        Item(
            ("pair", better, worse),
            functools.partial(_pair_row, record, build, shape, better, worse),
            [record],
            ("pair", worse, better),
        )
        for better, worse in record.pairs()
    ]


def _pair_row(record: Record, build: Callable[[str, str], Row], shape: Shape, better: str, worse: str) -> Row:
    return {**build(better, worse), "metadata": metadata(record, shape, pair=(better, worse))}


def dpo(record: Record, shape: Shape) -> list[Item]:
    c = record.candidates
    return _pairs(
        record,
        lambda b, w: {
            "prompt": prompt_text(record, shape),
            "chosen": completion(record, c[b], shape),
            "rejected": completion(record, c[w], shape),
        },
        shape,
    )


def dpo_conversational(record: Record, shape: Shape) -> list[Item]:
    c = record.candidates
    return _pairs(
        record,
        lambda b, w: {
            "prompt": prompt_messages(record, shape),
            "chosen": _assistant(completion(record, c[b], shape)),
            "rejected": _assistant(completion(record, c[w], shape)),
        },
        shape,
    )


def openai_preference(record: Record, shape: Shape) -> list[Item]:
    c = record.candidates
    return _pairs(
        record,
        lambda b, w: {
            "input": {"messages": prompt_messages(record, shape)},
            "preferred_output": _assistant(completion(record, c[b], shape)),
            "non_preferred_output": _assistant(completion(record, c[w], shape)),
        },
        shape,
    )


def _kto(record: Record, shape: Shape, *, conversational: bool) -> list[Item]:
    """Unpaired: the best group is desirable, the worst undesirable, middle groups are left out;
    "all unacceptable" makes every response undesirable; a full tie says nothing."""
    if record.all_unacceptable:
        labeled = [(label, False) for label in sorted(record.candidates)]
    elif len(record.ranking) < 2:
        return []
    else:
        labeled = [(label, True) for label in record.ranking[0]] + [(label, False) for label in record.ranking[-1]]
    return [
        Item(
            ("kto", label, desirable),
            functools.partial(_kto_row, record, shape, label, desirable, conversational),
            [record],
            ("kto", label, not desirable),
        )
        for label, desirable in labeled
    ]


def _kto_row(record: Record, shape: Shape, label: str, desirable: bool, conversational: bool) -> Row:
    text = completion(record, record.candidates[label], shape)
    return {
        "prompt": prompt_messages(record, shape) if conversational else prompt_text(record, shape),
        "completion": _assistant(text) if conversational else text,
        "label": desirable,
        "metadata": metadata(record, shape, one=label),
    }


def kto(record: Record, shape: Shape) -> list[Item]:
    return _kto(record, shape, conversational=False)


def kto_conversational(record: Record, shape: Shape) -> list[Item]:
    return _kto(record, shape, conversational=True)


def _line_comments(record: Record) -> dict[str, list[dict[str, Any]]]:
    notes: dict[str, list[dict[str, Any]]] = {}
    for note in record.line_comments if isinstance(record, JudgmentRecord) else []:
        notes.setdefault(note["label"], []).append({k: note[k] for k in LINE_COMMENT})
    return notes


def _ratings(record: Record, label: str) -> list[dict[str, Any]]:
    scores = record.ratings.get(label, {}) if isinstance(record, JudgmentRecord) else {}
    return [{"dimension": d, "score": s} for d, s in sorted(scores.items())]


def ranking(record: Record, shape: Shape) -> list[Item]:
    """Per completion: its rank, ratings, test counts and the annotator's line comments on it (none in
    consensus mode, which merges judgments). One row per judgment: never merged."""
    rank = {label: i + 1 for label, i in rankings.ranks(record.ranking).items()}
    notes = _line_comments(record)
    completions = [
        {
            "label": label,
            "model": c.model,
            "response": completion(record, c, shape),
            "rank": None if record.all_unacceptable else rank.get(label),
            "ratings": _ratings(record, label),
            "tests_passed": c.tests_passed,
            "tests_total": c.tests_total,
            "trust": c.tests_trust,
            "line_comments": notes.get(label, []),
        }
        for label, c in sorted(record.candidates.items())
    ]
    row = {"prompt": prompt_text(record, shape), "completions": completions, "metadata": metadata(record, shape)}
    return [Item(None, row, [record])]


def sft(record: Record, shape: Shape) -> list[Item]:
    """The annotator's ideal solution as the assistant turn (judgments that have one)."""
    if not (isinstance(record, JudgmentRecord) and record.ideal_solution.strip()):
        return []
    answer = _assistant(completion(record, record.ideal_solution, shape))
    turns = prompt_messages(record, shape)
    row: Row = (
        {"messages": turns + answer} if shape.sft_style == "messages" else {"prompt": turns, "completion": answer}
    )
    return [Item(("sft", record.ideal_solution.strip()), {**row, "metadata": metadata(record, shape)}, [record])]


def raw(record: Record, shape: Shape) -> list[Item]:
    """Everything the platform knows of the judgment (or the task's consensus), for your own processing."""
    base: Row = {
        "task_id": record.task_id,
        "prompt": record.prompt,
        "messages": [{"role": m["role"], "content": m["content"]} for m in record.messages],
        "language": record.language,
        "ranking": record.ranking,
        "all_unacceptable": record.all_unacceptable,
        "agreement": record.agreement,
        "task_metadata": task_metadata(record, shape.metadata_keys),
    }
    if isinstance(record, ConsensusRecord):
        row = {
            **base,
            "responses": [{**r, "code": record.candidates[r["label"]].code} for r in responses(record)],
            "judgments": record.judgments,
            "annotators": record.annotators,
            "preferences": [
                {"better": a, "worse": b, "judgments": n} for (a, b), n in sorted(record.preferences.items())
            ],
        }
        return [Item(None, row, [record])]
    notes = _line_comments(record)
    results = {r["label"]: r for r in record.test_results}
    row = {
        **base,
        "responses": [
            {
                **r,
                "code": record.candidates[r["label"]].code,
                "ratings": _ratings(record, r["label"]),
                "comment": record.comments.get(r["label"], ""),
                "line_comments": notes.get(r["label"], []),
                "test_status": results[r["label"]]["status"] if r["label"] in results else None,
                "tests": [_test(t) for t in results[r["label"]]["tests"]] if r["label"] in results else [],
            }
            for r in responses(record)
        ],
        **{k: v for k, v in source(record).items()},
        "rationale": record.rationale,
        "ideal_solution": record.ideal_solution,
        "active_seconds": record.active_seconds,
        "evidence_note": record.evidence_note,
        "tests_code": record.tests_code,
    }
    return [Item(None, row, [record])]


TEST: dict[str, schema.Type] = {"name": "string", "outcome": "string", "duration_ms": "float64", "message": "string"}


def _test(test: dict[str, Any]) -> dict[str, Any]:
    duration = test.get("duration_ms")
    return {
        "name": test.get("name"),
        "outcome": test.get("outcome"),
        "duration_ms": float(duration) if isinstance(duration, int | float) else None,
        "message": test.get("message"),
    }


FORMATS: dict[str, Callable[[Record, Shape], list[Item]]] = {
    "dpo": dpo,
    "dpo-conversational": dpo_conversational,
    "openai-preference": openai_preference,
    "kto": kto,
    "kto-conversational": kto_conversational,
    "ranking": ranking,
    "sft": sft,
    "raw": raw,
}
# Formats made from a task's judgments together (one row per task), not one judgment at a time.
TASK_FORMATS = {"verifiable"}
NAMES = (*FORMATS, *sorted(TASK_FORMATS))  # every format an export may ask for
JUDGMENT_ONLY = {"sft", "verifiable"}  # formats that need the judgments themselves, not a consensus
PAIRED = {"dpo", "dpo-conversational", "openai-preference"}
NO_EXTRA_KEYS = {"openai-preference"}  # OpenAI's fine-tuning API takes no other key: no count, no metadata


# -- the schemas ----------------------------------------------------------------------------------


def columns(fmt: str, mode: str, shape: Shape) -> dict[str, schema.Type]:
    """The row schema of `fmt` in `mode` with these options."""
    meta: dict[str, schema.Type] = {"count": "int64", "metadata": METADATA}
    margin: dict[str, schema.Type] = {"margin": "float64"} if shape.margin != "none" else {}
    completion_item: dict[str, schema.Type] = {
        "label": "string",
        "model": "string",
        "response": "string",
        "rank": "int64",
        "ratings": RATINGS,
        "tests_passed": "int64",
        "tests_total": "int64",
        "trust": "string",
        "line_comments": List(LINE_COMMENT),
    }
    response: dict[str, schema.Type] = {**schema.RESPONSE, "code": "string"}
    raw_base: dict[str, schema.Type] = {
        "task_id": "string",
        "prompt": "string",
        "messages": MESSAGES,
        "language": "string",
        "ranking": List(List("string")),
        "all_unacceptable": "bool",
        "agreement": "float64",
        "task_metadata": METADATA["task_metadata"],
    }
    tables: dict[str, dict[str, schema.Type]] = {
        "dpo": {"prompt": "string", "chosen": "string", "rejected": "string", **margin, **meta},
        "dpo-conversational": {"prompt": MESSAGES, "chosen": MESSAGES, "rejected": MESSAGES, **margin, **meta},
        "openai-preference": {
            "input": {"messages": MESSAGES},
            "preferred_output": MESSAGES,
            "non_preferred_output": MESSAGES,
        },
        "kto": {"prompt": "string", "completion": "string", "label": "bool", **meta},
        "kto-conversational": {"prompt": MESSAGES, "completion": MESSAGES, "label": "bool", **meta},
        "ranking": {"prompt": "string", "completions": List(completion_item), "metadata": METADATA},
        "sft": (
            {"messages": MESSAGES, **meta}
            if shape.sft_style == "messages"
            else {"prompt": MESSAGES, "completion": MESSAGES, **meta}
        ),
        "raw": (
            {
                **raw_base,
                "responses": List(response),
                "judgments": "int64",
                "annotators": List("string"),
                "preferences": List({"better": "string", "worse": "string", "judgments": "int64"}),
            }
            if mode == "consensus"
            else {
                **raw_base,
                "responses": List(
                    {
                        **response,
                        "ratings": RATINGS,
                        "comment": "string",
                        "line_comments": List(LINE_COMMENT),
                        "test_status": "string",
                        "tests": List(TEST),
                    }
                ),
                **SOURCE,
                "rationale": "string",
                "ideal_solution": "string",
                "active_seconds": "int64",
                "evidence_note": "string",
                "tests_code": "string",
            }
        ),
    }
    if fmt == "verifiable":
        return verifiable.COLUMNS
    return tables[fmt]


# -- a task's rows --------------------------------------------------------------------------------


def task_rows(fmt: str, records: Sequence[Record], shape: Shape, report: Report | None = None) -> Iterator[Row]:
    """The rows of one task: `records` are its judgments (per-judgment mode) or its one consensus."""
    report = report if report is not None else Report()
    if fmt == "verifiable":
        group = [r for r in records if isinstance(r, JudgmentRecord)]
        gold = verifiable.gold_preferred(group[0].gold_answer) if group else None
        for row in verifiable.rows(group, gold_preferred=gold, image=shape.image, skipped=report.skipped):
            _measure(fmt, row, report)
            yield row
        return
    build = FORMATS[fmt]
    items = [item for record in records for item in build(record, shape)]
    merged: dict[tuple[Any, ...], Item] = {}
    kept: list[Item] = []
    for item in items:
        if item.key is None:
            kept.append(item)
        elif item.key in merged:
            merged[item.key].sources.extend(item.sources)
            report.merged += 1
        else:
            merged[item.key] = item
            kept.append(item)
    judged = sum(r.judgments if isinstance(r, ConsensusRecord) else 1 for r in records)
    votes = {key: len(item.sources) for key, item in merged.items()}
    dropped = _settle(kept, merged, votes, shape, report, task_id=records[0].task_id if records else "")
    for item in kept:
        if id(item) in dropped:
            continue
        row = _finish(fmt, item, shape, votes, judged)
        _measure(fmt, row, report)
        yield row


def _settle(
    kept: list[Item],
    by_key: dict[tuple[Any, ...], Item],
    votes: dict[tuple[Any, ...], int],
    shape: Shape,
    report: Report,
    *,
    task_id: str,
) -> set[int]:
    """Report each contradiction once and return the ids of the items the policy drops (`by_key`: the
    kept items that have a key)."""
    dropped: set[int] = set()
    for place, item in enumerate(kept):
        other = by_key.get(item.opposite) if item.opposite is not None else None
        if other is None or next(i for i, x in enumerate(kept) if x is other) < place:
            continue  # no contradiction, or reported from the other side
        assert item.key is not None and other.key is not None
        ours, theirs = votes[item.key], votes[other.key]
        report.contradiction_count += 1
        if len(report.contradictions) < CONTRADICTIONS_LISTED:  # memory stays flat on a million judgments
            report.contradictions.append(
                {
                    "task_id": task_id,
                    "row": _describe(item.key),
                    "against": _describe(other.key),
                    "votes": [ours, theirs],
                }
            )
        if shape.contradictions == "drop" or (shape.contradictions == "majority" and ours == theirs):
            dropped |= {id(item), id(other)}
        elif shape.contradictions == "majority":
            dropped.add(id(other) if ours > theirs else id(item))
    report.dropped += len(dropped)
    return dropped


def _describe(key: tuple[Any, ...]) -> str:
    if key[0] == "pair":
        return f"{key[1]} over {key[2]}"
    return f"{key[1]} {'desirable' if key[2] else 'undesirable'}"


def _finish(fmt: str, item: Item, shape: Shape, votes: dict[tuple[Any, ...], int], judged: int) -> Row:
    row = item.built()
    if fmt in NO_EXTRA_KEYS:
        row.pop("metadata", None)
        return row
    judgments = [s for s in item.sources if isinstance(s, JudgmentRecord)]
    mode = "judgment" if judgments else "consensus"
    if "metadata" in row:
        meta = {**row["metadata"], "sources": _sources(item)}
        if judgments:
            meta["annotators"] = sorted({s.annotator for s in judgments})
        row["metadata"] = {k: meta[k] for k in METADATA}
    row["count"] = len(judgments) or 1  # identical rows merged into this one (consensus: 1)
    wanted = _columns(fmt, mode, shape)
    if "margin" in wanted:
        row["margin"] = _margin(item, shape, votes, judged)
    return {k: row[k] for k in wanted}


_columns = functools.lru_cache(maxsize=64)(columns)  # for every row: the same few schemas, not to be changed


def _margin(item: Item, shape: Shape, votes: dict[tuple[Any, ...], int], judged: int) -> float:
    """ "strength": the mean |strength| (0 to 3) of the judgments behind the pair that gave one (0 if none
    did); "votes": the share of the task's judgments ranking the pair this way minus the share ranking it
    the other way (0 to 1)."""
    record = item.sources[0]
    if shape.margin == "strength":
        if isinstance(record, ConsensusRecord):  # only the judgments that ranked the pair this way
            assert item.key is not None
            given = record.pair_strengths.get((item.key[1], item.key[2]), [])
        else:
            given = [s["strength"] for s in _sources(item)]
        strengths = [abs(s) for s in given if s is not None]
        return round(sum(strengths) / len(strengths), 4) if strengths else 0.0
    if isinstance(record, ConsensusRecord):
        a, b = item.key[1:] if item.key else ("", "")
        return round((record.preferences.get((a, b), 0) - record.preferences.get((b, a), 0)) / record.judgments, 4)
    assert item.key is not None and item.opposite is not None
    return round((votes.get(item.key, 0) - votes.get(item.opposite, 0)) / max(1, judged), 4)


def _sources(item: Item) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for s in item.sources:
        out.extend([source(s)] if isinstance(s, JudgmentRecord) else s.sources)
    return out


def _measure(fmt: str, row: Row, report: Report) -> None:
    """Characters of the prompt and of each completion the row trains on; KTO's balance."""
    prompt, completions = texts(row)
    report.prompt_chars.add(len(prompt))
    for text in completions:
        report.completion_chars.add(len(text))
    if fmt in ("kto", "kto-conversational"):
        if row["label"]:
            report.desirable += row.get("count", 1)
        else:
            report.undesirable += row.get("count", 1)


def texts(row: Row) -> tuple[str, list[str]]:
    """A row's prompt and completions as text (turns joined by newlines), whatever its format."""
    prompt = row.get("prompt", row.get("input", {}).get("messages", []) if "input" in row else "")
    if "messages" in row and "prompt" not in row:
        prompt, last = row["messages"][:-1], row["messages"][-1:]
        return _text(prompt), [_text(last)]
    keys = ("chosen", "rejected", "completion", "preferred_output", "non_preferred_output")
    completions = [_text(row[k]) for k in keys if k in row]
    completions += [c["response"] for c in row.get("completions", [])]
    return _text(prompt), completions


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(m.get("content", "")) for m in value if isinstance(m, dict))
    return value if isinstance(value, str) else ""
