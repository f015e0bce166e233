"""Line comments in the datasets: `raw` carries the record's list, `ranking` each completion's own, both in
stored labels and only for the responses an export keeps."""

from __future__ import annotations

import json
from pathlib import Path

from django.utils import timezone

from exporters import services
from tasks.models import Project
from tests.exporters.test_formats_golden import export

ON_BETA = {
    "start": 2,
    "end": 2,
    "category": "bug",
    "severity": "critical",
    "text": "sort() sorts in place and returns None — 返回 None",
}
ON_ALPHA = {"start": 1, "end": 2, "category": "style", "severity": "minor", "text": "fine"}


def test_raw_carries_the_comments_in_stored_labels(golden_project: Project, tmp_path: Path) -> None:
    rows = export(golden_project, "raw", "judgment", tmp_path)

    commented = [r for r in rows if any(resp["line_comments"] for resp in r["responses"])]
    (row,) = commented
    assert row["task_id"] == "nway" and row["ranking"] == [["A"], ["C"], ["B"]]
    # under the response each is on, by stored label; ids are not exported
    assert {r["label"]: r["line_comments"] for r in row["responses"]} == {"A": [ON_ALPHA], "B": [ON_BETA], "C": []}


def test_ranking_puts_each_comment_under_its_completion(golden_project: Project, tmp_path: Path) -> None:
    rows = export(golden_project, "ranking", "judgment", tmp_path)

    notes = [
        {c["model"]: c["line_comments"] for c in r["completions"]} for r in rows if r["metadata"]["task_id"] == "nway"
    ]
    assert {"alpha": [ON_ALPHA], "beta": [ON_BETA], "gamma": []} in notes
    assert sum(any(n.values()) for n in notes) == 1
    consensus = export(golden_project, "ranking", "consensus", tmp_path)
    assert all(c["line_comments"] == [] for r in consensus for c in r["completions"])


def test_a_models_filter_drops_the_comments_on_responses_it_leaves_out(golden_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "filtered.jsonl"
    services.write_dataset(
        project=golden_project, format="raw", mode="judgment", filters={"models": ["alpha", "gamma"]},
        cutoff=timezone.now(), after=None, out=out,
    )  # fmt: skip

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    kept = [{r["label"]: r["line_comments"] for r in row["responses"]} for row in rows]
    assert [k for k in kept if any(k.values())] == [{"A": [ON_ALPHA], "C": []}]  # beta's response and comment gone
