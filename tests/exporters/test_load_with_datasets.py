"""Every exported file loads with Hugging Face `datasets`, with the columns and rows TRL expects, conversation
rows (a system turn, earlier assistant turns) beside single-prompt ones in the same file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from exporters import formats, options, services
from tasks.models import Project

if TYPE_CHECKING:
    from datasets import Dataset  # a slow import: the tests import it when they run


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
    assert dataset.column_names == list(formats.columns(fmt, "judgment", formats.Shape()))
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
            else [row["prompt"] + row["completion"]]
        )
        for messages in conversations:
            assert messages and all(set(m) == {"role", "content"} for m in messages)
            assert {m["role"] for m in messages} <= {"system", "user", "assistant"}
            assert all(m["role"] != "system" for m in messages[1:])  # a system turn only comes first
        prompt = conversations[0] if fmt != "sft" else row["prompt"]
        assert prompt[-1]["role"] == "user"  # the response answers the user's last turn
        assert [m["role"] for m in conversations[-1][-1:]] == ["assistant"]


def export_to(project: Project, fmt: str, out: Path, **given: object) -> Path:
    written = services.write_export(
        project=project,
        options=options.ExportOptions(format=fmt, **given),  # type: ignore[arg-type]
        cutoff=timezone.now(),
        after=None,
        out=out,
        judgments=0,
    )
    assert written.rows > 0
    return out


@pytest.mark.parametrize("fmt", ["dpo", "kto", "ranking", "sft", "raw"])
def test_a_pairwise_and_an_n_way_export_of_two_projects_load_in_one_call(
    golden_with_conversation: Project, pairwise_project: Project, tmp_path: Path, fmt: str
) -> None:
    """Different numbers of responses, rubrics, import metadata: one schema, one `load_dataset` call. JSON
    needs the features.json beside the file (`datasets` infers each file's types alone, and a column empty
    in one file, such as task_metadata, would be typed null there)."""
    from datasets import Features, load_dataset

    nway = export_to(golden_with_conversation, fmt, tmp_path / "nway.jsonl")
    pairs = export_to(pairwise_project, fmt, tmp_path / "pairs.jsonl")
    features = json.loads((tmp_path / "nway.jsonl.features.json").read_text())
    assert features == json.loads((tmp_path / "pairs.jsonl.features.json").read_text())

    declared = load_dataset(
        "json",
        data_files=[str(nway), str(pairs)],
        split="train",
        features=Features.from_dict(features),
        cache_dir=str(tmp_path / "b"),
    )

    lines = [json.loads(line) for path in (nway, pairs) for line in path.read_text().splitlines()]
    assert len(declared) == len(lines)
    assert declared.column_names == list(formats.columns(fmt, "judgment", formats.Shape()))
    assert [normal(row) for row in declared] == [normal(row) for row in lines]
    ids = {row["task_id"] if fmt == "raw" else row["metadata"]["task_id"] for row in declared}
    assert {"pair-0"} <= ids and ids & {"nway", "conv"}
    # Parquet carries its schema: the two projects' files load together with nothing passed
    nway_pq = export_to(golden_with_conversation, fmt, tmp_path / "nway.parquet", output="parquet")
    pairs_pq = export_to(pairwise_project, fmt, tmp_path / "pairs.parquet", output="parquet")
    both = load_dataset(
        "parquet", data_files=[str(nway_pq), str(pairs_pq)], split="train", cache_dir=str(tmp_path / "c")
    )
    assert [normal(row) for row in both] == [normal(row) for row in declared]


def test_only_the_allowed_import_metadata_leaves_the_platform(pairwise_project: Project, tmp_path: Path) -> None:
    out = export_to(pairwise_project, "raw", tmp_path / "raw.jsonl")
    text = out.read_text()

    assert '"difficulty"' in text and "reference_tests" not in text and "notes" not in text
    rows = [json.loads(line) for line in text.splitlines()]
    assert {r["task_id"]: r["task_metadata"] for r in rows}["pair-1"] == [{"key": "difficulty", "value": '"hard"'}]


def test_the_parquet_folder_loads_with_its_splits_and_card(
    golden_with_conversation: Project, pairwise_project: Project, tmp_path: Path
) -> None:
    """An hf export: a zip of data/{train,test}-*.parquet, features.json and README.md, for load_dataset(folder)."""
    import zipfile

    from datasets import load_dataset

    out = export_to(golden_with_conversation, "dpo", tmp_path / "golden-dpo.zip", output="hf", split="50/50")
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / "golden-dpo"
    manifest = json.loads((tmp_path / "golden-dpo.zip.manifest.json").read_text())
    card = (folder / "README.md").read_text()

    dataset = load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    splits = {name: len(part) for name, part in dataset.items()}
    assert (
        splits == {k: v for k, v in manifest["splits"].items() if v}
        and sum(splits.values()) == manifest["counts"]["rows"]
    )
    assert next(iter(dataset.values())).column_names == list(formats.columns("dpo", "judgment", formats.Shape()))
    tasks = {name: {row["metadata"]["task_id"] for row in part} for name, part in dataset.items()}
    assert not set.intersection(*tasks.values()) if len(tasks) > 1 else True  # no task in two splits
    assert card.startswith("---\n") and "license: other" in card and "Golden" in card
