"""Every exported file loads with Hugging Face `datasets`, with the columns and rows TRL expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import timezone

from exporters import formats, services
from tasks.models import Project

COLUMNS = {
    "dpo": {"prompt", "chosen", "rejected", "metadata"},
    "dpo-conversational": {"prompt", "chosen", "rejected", "metadata"},
    "openai-preference": {"input", "preferred_output", "non_preferred_output"},
    "kto": {"prompt", "completion", "label", "metadata"},
    "ranking": {"prompt", "completions", "metadata"},
    "sft": {"messages", "metadata"},
}


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


@pytest.mark.parametrize("fmt", list(formats.FORMATS))
def test_it_loads_with_the_expected_columns_and_rows(golden_project: Project, tmp_path: Path, fmt: str) -> None:
    from datasets import load_dataset

    out = tmp_path / f"{fmt}.jsonl"
    rows, _ = services.write_dataset(
        project=golden_project, format=fmt, mode="judgment", filters={}, cutoff=timezone.now(), after=None, out=out
    )

    dataset = load_dataset("json", data_files=str(out), split="train", cache_dir=str(tmp_path / "cache"))

    assert len(dataset) == rows > 0
    if fmt in COLUMNS:
        assert set(dataset.column_names) == COLUMNS[fmt]


@pytest.mark.parametrize("fmt", ["dpo-conversational", "openai-preference", "sft"])
def test_conversational_formats_have_role_and_content_messages(
    golden_project: Project, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"{fmt}.jsonl"
    services.write_dataset(
        project=golden_project, format=fmt, mode="judgment", filters={}, cutoff=timezone.now(), after=None, out=out
    )
    for line in out.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        conversations = (
            [row["prompt"], row["chosen"], row["rejected"]]
            if fmt == "dpo-conversational"
            else [row["input"]["messages"], row["preferred_output"], row["non_preferred_output"]]
            if fmt == "openai-preference"
            else [row["messages"]]
        )
        for messages in conversations:
            assert messages and all(set(m) == {"role", "content"} for m in messages)
            assert {m["role"] for m in messages} <= {"user", "assistant"}
        assert conversations[0][0]["role"] == "user"
