"""Every format, both modes, against golden files (set UPDATE_GOLDEN=1 to rewrite them, then read the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from exporters import formats, options, schema, services
from tasks.models import Project, thread_text
from tests.exporters.conftest import CONV_GOOD, CONVERSATION

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = {"judgment_id", "annotator", "annotators", "submitted_at"}  # ids and clocks differ between runs
CASES = [(f, "judgment") for f in formats.FORMATS] + [
    (f, "consensus") for f in formats.FORMATS if f not in formats.JUDGMENT_ONLY
]


def stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("<volatile>" if k in VOLATILE else stable(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def export(project: Project, fmt: str, mode: str, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / f"{fmt}-{mode}.jsonl"
    services.write_dataset(
        project=project, format=fmt, mode=mode, filters={}, cutoff=timezone.now(), after=None, out=out
    )
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    annotators = sorted({r["annotator"] for r in rows if "annotator" in r})
    assert all(a.startswith("ann-") and len(a) == 16 for a in annotators)  # pseudonyms, never usernames
    return [stable(r) for r in rows]


@pytest.mark.parametrize(("fmt", "mode"), CASES, ids=[f"{f}-{m}" for f, m in CASES])
def test_it_matches_the_golden_file(golden_with_conversation: Project, tmp_path: Path, fmt: str, mode: str) -> None:
    rows = export(golden_with_conversation, fmt, mode, tmp_path)
    golden = GOLDEN / f"{fmt}-{mode}.jsonl"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(
            "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows), encoding="utf-8"
        )

    expected = [json.loads(line) for line in golden.read_text(encoding="utf-8").splitlines()]
    assert rows == expected


def test_pairs_come_from_rank_groups_and_ties_and_unacceptable_give_none(
    golden_project: Project, tmp_path: Path
) -> None:
    rows = export(golden_project, "dpo", "judgment", tmp_path)
    pairs = [
        (r["metadata"]["task_id"], r["metadata"]["chosen_model"], r["metadata"]["rejected_model"], r["count"])
        for r in rows
    ]

    # nway's judgments [[A, C], [B]], [[A], [C], [B]], [[C], [A], [B]] give alpha over beta and gamma over
    # beta three times each (merged, count 3); the tie A=C gives no pair, and alpha over gamma once against
    # gamma over alpha once is a contradiction with no majority: both dropped (the manifest names it).
    assert pairs == [
        ("nway", "alpha", "beta", 3),
        ("nway", "gamma", "beta", 3),
        ("pair-tie", "beta", "alpha", 1),  # the other judgment of pair-tie is a tie: nothing
        ("unicode-long", "gamma", "alpha", 1),  # the all-unacceptable judgment gives nothing
    ]
    assert all(len(r["metadata"]["sources"]) == r["count"] for r in rows)
    raw = [json.loads(line) for line in (tmp_path / "dpo-judgment.jsonl").read_text().splitlines()]
    assert len({s["judgment_id"] for s in raw[0]["metadata"]["sources"]}) == 3  # three judgments, not one thrice


@pytest.mark.parametrize(("policy", "nway"), [("keep", 4), ("drop", 2), ("majority", 2)])
def test_the_contradiction_policy_decides_what_stays(
    golden_project: Project, tmp_path: Path, policy: str, nway: int
) -> None:
    report = formats.Report()
    out = tmp_path / "dpo.jsonl"
    services.write_dataset(
        project=golden_project,
        format="dpo",
        mode="judgment",
        filters={},
        cutoff=timezone.now(),
        after=None,
        out=out,
        options=options.ExportOptions(format="dpo", contradictions=policy),
        report=report,
    )
    rows = [json.loads(line) for line in out.read_text().splitlines()]

    assert sum(r["metadata"]["task_id"] == "nway" for r in rows) == nway
    assert [(c["task_id"], c["row"], c["against"], c["votes"]) for c in report.contradictions] == [
        ("nway", "A over C", "C over A", [1, 1])
    ]


def test_unicode_and_long_code_survive(golden_project: Project, tmp_path: Path) -> None:
    rows = export(golden_project, "dpo", "judgment", tmp_path)
    row = next(r for r in rows if r["metadata"]["task_id"] == "unicode-long")

    assert row["prompt"] == "Écris `long()` — 日本語 🚀\n\n"  # the separator keeps prompt and code apart
    assert row["rejected"].count("\n") == 402 and "ünïcödé line 399" in row["rejected"]


def test_consensus_uses_majority_and_reports_agreement(golden_project: Project, tmp_path: Path) -> None:
    rows = export(golden_project, "dpo", "consensus", tmp_path)
    nway = [
        (r["metadata"]["chosen_model"], r["metadata"]["rejected_model"])
        for r in rows
        if r["metadata"]["task_id"] == "nway"
    ]
    meta = next(r["metadata"] for r in rows if r["metadata"]["task_id"] == "nway")

    assert nway == [("alpha", "beta"), ("gamma", "beta")]  # alpha vs gamma: 1 each way and a tie, no majority
    assert meta["judgments"] == 3 and meta["agreement"] == pytest.approx(round((1 / 3 + 1 + 1) / 3, 4))


def test_a_conversation_is_the_message_formats_prompt_and_its_plain_text_the_string_formats(
    golden_with_conversation: Project, tmp_path: Path
) -> None:
    thread = CONVERSATION["messages"]
    text = thread_text(thread)

    def conv(fmt: str, mode: str = "judgment") -> list[dict[str, Any]]:
        rows = export(golden_with_conversation, fmt, mode, tmp_path)
        return [r for r in rows if r.get("task_id", r.get("metadata", {}).get("task_id")) == "conv"]

    assert text.startswith("System:\nYou are a careful Python reviewer.\n\nUser:\nWrite `double(x)`.\n\nAssistant:\n")
    for fmt in ("dpo", "kto", "ranking"):
        assert {r["prompt"] for r in conv(fmt)} == {text + "\n\n"}
    # both judgments rank A over B: one row, counted twice
    assert [(r["prompt"], r["count"]) for r in conv("dpo-conversational")] == [(thread, 2)]
    openai = export(golden_with_conversation, "openai-preference", "judgment", tmp_path)  # rows without metadata
    assert [r["input"]["messages"] for r in openai if len(r["input"]["messages"]) > 1] == [thread]
    sft = conv("sft")[0]
    assert (sft["prompt"], sft["completion"]) == (thread, [{"role": "assistant", "content": CONV_GOOD}])
    assert [r["messages"] for r in conv("raw")] == [thread, thread]
    assert [r["messages"] for r in conv("raw", "consensus")] == [thread]
    assert [r["prompt"] for r in conv("dpo-conversational", "consensus")] == [thread]
    # the responses are the next assistant turn, prose and fences as written
    assert conv("dpo-conversational")[0]["chosen"] == [{"role": "assistant", "content": CONV_GOOD}]


def test_single_prompt_rows_carry_an_empty_messages_only_in_raw(
    golden_with_conversation: Project, tmp_path: Path
) -> None:
    rows = {fmt: export(golden_with_conversation, fmt, "judgment", tmp_path) for fmt in formats.FORMATS}

    single_raw = [r for r in rows["raw"] if r["task_id"] != "conv"]
    assert single_raw and all(r["messages"] == [] for r in single_raw)
    assert all("messages" not in r for fmt in ("dpo", "kto", "ranking", "dpo-conversational") for r in rows[fmt])
    assert all(r["messages"] == [] for r in rows["raw"] if r["task_id"] != "conv")
    nway = next(r for r in rows["dpo-conversational"] if r["metadata"]["task_id"] == "nway")
    assert nway["prompt"] == [{"role": "user", "content": "Sort `xs` ascending."}]


@pytest.mark.parametrize(("fmt", "mode"), CASES, ids=[f"{f}-{m}" for f, m in CASES])
def test_every_row_has_exactly_its_formats_columns(
    golden_with_conversation: Project, tmp_path: Path, fmt: str, mode: str
) -> None:
    out = tmp_path / "rows.jsonl"
    services.write_dataset(
        project=golden_with_conversation,
        format=fmt,
        mode=mode,
        filters={},
        cutoff=timezone.now(),
        after=None,
        out=out,
    )
    columns = formats.columns(fmt, mode, formats.Shape())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    assert rows and [schema.mismatch(row, columns) for row in rows] == [None] * len(rows)
    assert all(list(row) == list(columns) for row in rows)  # and in the declared order
