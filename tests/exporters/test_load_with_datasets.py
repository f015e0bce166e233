"""Every exported file loads with Hugging Face `datasets`, with the columns and rows TRL expects, conversation
rows (a system turn, earlier assistant turns) beside single-prompt ones in the same file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from exporters import formats, services
from tasks.models import Project

if TYPE_CHECKING:
    from datasets import Dataset  # a slow import: the tests import it when they run

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
def test_it_loads_with_the_expected_columns_and_rows(
    golden_with_conversation: Project, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"{fmt}.jsonl"
    rows, _ = services.write_dataset(
        project=golden_with_conversation,
        format=fmt,
        mode="judgment",
        filters={},
        cutoff=timezone.now(),
        after=None,
        out=out,
    )

    dataset = load(out, tmp_path)

    assert len(dataset) == rows > 0
    if fmt in COLUMNS:
        assert set(dataset.column_names) == COLUMNS[fmt]
    # Every row survives the load as written: a conversation's turns and a single prompt's empty
    # `messages` (raw) in one column, none of them cut, retyped or filled in.
    assert [normal(row) for row in dataset] == [normal(json.loads(line)) for line in out.read_text().splitlines()]


def load(out: Path, tmp_path: Path) -> Dataset:
    from datasets import load_dataset

    return load_dataset("json", data_files=str(out), split="train", cache_dir=str(tmp_path / "cache"))


def normal(value: object) -> object:
    """A row without the keys `datasets` adds as null where another row of the file has them (its columns
    are the union of the rows' keys), to compare with the row as written."""
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


@pytest.mark.parametrize("fmt", ["dpo-conversational", "openai-preference", "sft"])
def test_conversational_formats_have_role_and_content_messages(
    golden_with_conversation: Project, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"{fmt}.jsonl"
    services.write_dataset(
        project=golden_with_conversation,
        format=fmt,
        mode="judgment",
        filters={},
        cutoff=timezone.now(),
        after=None,
        out=out,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert any('"system"' in line for line in lines)  # the conversation task's rows are there
    for line in lines:
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
            assert {m["role"] for m in messages} <= {"system", "user", "assistant"}
            assert all(m["role"] != "system" for m in messages[1:])  # a system turn only comes first
        prompt = conversations[0] if fmt != "sft" else conversations[0][:-1]
        assert prompt[-1]["role"] == "user"  # the response answers the user's last turn
        assert [m["role"] for m in conversations[-1][-1:]] == ["assistant"]
