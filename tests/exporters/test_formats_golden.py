"""Every format, both modes, against golden files (set UPDATE_GOLDEN=1 to rewrite them, then read the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from exporters import formats, services
from tasks.models import Project

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
def test_it_matches_the_golden_file(golden_project: Project, tmp_path: Path, fmt: str, mode: str) -> None:
    rows = export(golden_project, fmt, mode, tmp_path)
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
    pairs = sorted(
        (r["metadata"]["task_id"], r["metadata"]["chosen_model"], r["metadata"]["rejected_model"]) for r in rows
    )

    assert pairs == sorted(
        [
            ("nway", "alpha", "beta"),
            ("nway", "gamma", "beta"),  # [[A, C], [B]]: the tie A=C gives no pair
            ("nway", "alpha", "gamma"),
            ("nway", "alpha", "beta"),
            ("nway", "gamma", "beta"),  # [[A], [C], [B]]
            ("nway", "gamma", "alpha"),
            ("nway", "gamma", "beta"),
            ("nway", "alpha", "beta"),  # [[C], [A], [B]]
            ("pair-tie", "beta", "alpha"),  # the other judgment of pair-tie is a tie: nothing
            ("unicode-long", "gamma", "alpha"),  # the all-unacceptable judgment gives nothing
        ]
    )


def test_unicode_and_long_code_survive(golden_project: Project, tmp_path: Path) -> None:
    rows = export(golden_project, "dpo", "judgment", tmp_path)
    row = next(r for r in rows if r["metadata"]["task_id"] == "unicode-long")

    assert row["prompt"] == "Écris `long()` — 日本語 🚀"
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
