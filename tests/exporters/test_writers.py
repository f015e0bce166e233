"""The Parquet and Hugging Face-ready writers: deterministic task splits, Parquet files and dataset folders that
`datasets` loads back value for value, a dataset card whose YAML no project text can break, a reproducible zip."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from exporters import schema, writers

ROOT = Path(__file__).resolve().parents[2]
COLUMNS: dict[str, schema.Type] = {
    "task_id": "string",
    "prompt": schema.List({"role": "string", "content": "string"}),
    "score": "float64",
    "accepted": "bool",
    "metadata": {
        "judgment_id": "int64",
        "annotators": schema.List("string"),
        "responses": schema.List({"label": "string", "tests_passed": "int64"}),
        "grid": schema.List(schema.List("int64")),
    },
}
SHARES = (("train", 0.8), ("validation", 0.1), ("test", 0.1))


def row(i: int, **changes: Any) -> dict[str, Any]:
    """A row with nested lists and structs, and nulls at every depth for some i."""
    data: dict[str, Any] = {
        "task_id": f"task-{i}",
        "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": f"Sort {i} — ünï 🚀"}],
        "score": None if i % 3 == 0 else i / 4,
        "accepted": i % 2 == 0,
        "metadata": {
            "judgment_id": i,
            "annotators": None if i % 4 == 1 else [f"ann-{i}", "ann-x"],
            "responses": [{"label": "A", "tests_passed": None}, {"label": "B", "tests_passed": i}],
            "grid": [[i], [], [1, 2, 3]],
        },
    }
    return data | changes


def card_for(counts: dict[str, int], **changes: Any) -> str:
    arguments: dict[str, Any] = {
        "name": "sorting-prefs",
        "pretty_name": "Sorting preferences",
        "license": "cc-by-4.0",
        "columns": COLUMNS,
        "splits": counts,
        "manifest": {
            "counts": {"rows": sum(counts.values()), "judgments": 7},
            "filters": {"min_agreement": 0.6, "reviewed": "accepted only"},
            "agreement": {"krippendorff_alpha": 0.71},
        },
        "about": {
            "project": "Sorting",
            "instructions": "Write tests first.\nThen rank the solutions.",
            "ranking_mode": "pairwise",
            "rubric": [{"key": "correctness", "label": "Correctness", "min": 1, "max": 5}],
            "overlap": 3,
            "review": "accepted by a reviewer",
            "format": "dpo",
            "shares": SHARES,
        },
    }
    return writers.dataset_card(**(arguments | changes))


def front_matter(card: str) -> Any:
    """The YAML header as the Hub's own parser reads it (huggingface_hub's DatasetCard)."""
    from huggingface_hub import DatasetCard

    return DatasetCard(card).data.to_dict()


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


# Splits


def test_it_gives_a_task_the_same_split_on_every_call_and_in_every_process() -> None:
    ids = [f"task-{i}" for i in range(200)]
    here = [writers.split_of(task, SHARES) for task in ids]
    assert here == [writers.split_of(task, SHARES) for task in ids]
    # Another interpreter with another string-hash seed (a salted hash() would differ there)
    script = f"from exporters import writers; print([writers.split_of(t, {SHARES!r}) for t in {ids!r}])"
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == repr(here)


@pytest.mark.parametrize("shares", [(("train", 0.9), ("test", 0.1)), SHARES, (("a", 0.5), ("b", 0.3), ("c", 0.2))])
def test_its_split_fractions_follow_the_shares(shares: tuple[tuple[str, float], ...]) -> None:
    splits = [writers.split_of(f"ext-{i}-{i * 7919}", shares) for i in range(10_000)]
    for name, share in shares:
        assert abs(splits.count(name) / len(splits) - share) < 0.02, name


def test_it_never_puts_one_task_in_two_splits() -> None:
    tasks = [f"t{i}" for i in range(300)]
    rows = [task for task in tasks for _ in range(4)]
    random.Random(5).shuffle(rows)
    seen: dict[str, set[str]] = {}
    for task in rows:
        seen.setdefault(task, set()).add(writers.split_of(task, SHARES))
    assert all(len(splits) == 1 for splits in seen.values())
    assert {split for splits in seen.values() for split in splits} == {"train", "validation", "test"}


@pytest.mark.parametrize(
    "shares", [(("train", 0.9), ("test", 0.2)), (("train", 0.5),), (), (("train", 1.0), ("test", 0.0))]
)
def test_it_refuses_shares_that_do_not_add_up_to_one(shares: tuple[tuple[str, float], ...]) -> None:
    with pytest.raises(ValueError, match="share"):
        writers.split_of("task-1", shares)


@pytest.mark.parametrize(
    ("text", "shares"),
    [
        ("90/10", (("train", 0.9), ("test", 0.1))),
        (" 80/10/10 ", (("train", 0.8), ("validation", 0.1), ("test", 0.1))),
        ("100", (("train", 1.0),)),
        ("train=0.9,test=0.1", (("train", 0.9), ("test", 0.1))),
        ("train = 0.7, dev = 0.2, test = 0.1", (("train", 0.7), ("dev", 0.2), ("test", 0.1))),
    ],
)
def test_it_parses_shares(text: str, shares: tuple[tuple[str, float], ...]) -> None:
    parsed = writers.parse_shares(text)
    assert [name for name, _ in parsed] == [name for name, _ in shares]
    assert [share for _, share in parsed] == pytest.approx([share for _, share in shares])


@pytest.mark.parametrize("text", ["90/20", "90/10/5/5", "ninety/ten", "90.5/9.5", "", "100/0", "-10/110"])
def test_it_explains_bad_percent_shares(text: str) -> None:
    with pytest.raises(
        ValueError, match=re.escape("shares are whole percents that add up to 100, e.g. 90/10 or 80/10/10")
    ):
        writers.parse_shares(text)


@pytest.mark.parametrize("text", ["train=0.9,test=0.2", "train=x,test=0.1", "train=0.9,=0.1", "train=0.9,test"])
def test_it_explains_bad_named_shares(text: str) -> None:
    with pytest.raises(
        ValueError, match=re.escape("named shares are fractions that add up to 1, e.g. train=0.9,test=0.1")
    ):
        writers.parse_shares(text)


@pytest.mark.parametrize("text", ["train=0.5,train=0.5", "train-a=0.5,test=0.5"])
def test_it_refuses_repeated_or_unloadable_split_names(text: str) -> None:
    with pytest.raises(ValueError, match=r"split names|distinct names"):
        writers.parse_shares(text)


# Parquet


def test_it_writes_parquet_that_loads_back_value_for_value(tmp_path: Path) -> None:
    from datasets import Features, load_dataset

    rows = [row(i) for i in range(7)]
    out = tmp_path / "rows.parquet"
    count, digest = writers.write_parquet(iter(rows), COLUMNS, out, batch_rows=3)

    assert count == 7
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert pq.ParquetFile(out).num_row_groups == 3  # streamed: one row group per batch of 3
    assert not out.with_name("rows.parquet.partial").exists()
    dataset = load_dataset("parquet", data_files=str(out), split="train", cache_dir=str(tmp_path / "cache"))
    assert dataset.column_names == list(COLUMNS)
    assert dataset.features == Features.from_dict(schema.features(COLUMNS))
    assert dataset.to_list() == rows


def test_the_same_rows_give_the_same_bytes(tmp_path: Path) -> None:
    rows = [row(i) for i in range(20)]
    first = writers.write_parquet(rows, COLUMNS, tmp_path / "a.parquet", batch_rows=8)
    second = writers.write_parquet(iter(rows), COLUMNS, tmp_path / "b.parquet", batch_rows=8)
    changed = writers.write_parquet([*rows[:-1], row(19, score=0.5)], COLUMNS, tmp_path / "c.parquet", batch_rows=8)

    assert first == second
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert changed[1] != first[1]


def test_zero_rows_still_make_a_valid_file_with_the_schema(tmp_path: Path) -> None:
    out = tmp_path / "empty.parquet"
    assert writers.write_parquet([], COLUMNS, out)[0] == 0
    table = pq.read_table(out)
    assert table.num_rows == 0
    assert_schema(table.schema)


def test_a_failure_midway_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    out = tmp_path / "rows.parquet"
    writers.write_parquet([row(1)], COLUMNS, out)
    before = out.read_bytes()

    def rows() -> Iterator[dict[str, Any]]:
        yield from (row(i) for i in range(5))
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        writers.write_parquet(rows(), COLUMNS, out, batch_rows=2)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.parquet"]


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        (row(3, extra="x"), "row 3: keys differ"),
        ({k: v for k, v in row(3).items() if k != "score"}, "row 3: keys differ"),
        (row(3, metadata=row(3)["metadata"] | {"grid": [["1"]]}), r"row 3\.metadata\.grid\[0\]\[0\]: int64"),
    ],
)
def test_a_row_off_the_schema_stops_the_write(tmp_path: Path, bad: dict[str, Any], where: str) -> None:
    with pytest.raises(ValueError, match=where):
        writers.write_parquet([row(1), row(2), bad], COLUMNS, tmp_path / "rows.parquet")
    assert list(tmp_path.iterdir()) == []


def assert_schema(found: Any) -> None:
    """The file's schema is the columns': its names, the Features in its metadata, and its own Arrow types (read
    without that metadata; Parquet names a list's item "element", so types are compared as Features)."""
    from datasets import Features

    expected = Features.from_dict(schema.features(COLUMNS))
    assert found.names == list(COLUMNS)
    assert found.metadata[b"huggingface"] == schema.arrow_schema(COLUMNS).metadata[b"huggingface"]
    assert Features.from_arrow_schema(found) == expected
    assert Features.from_arrow_schema(found.remove_metadata()) == expected


# Folders


def tagged(count: int) -> list[tuple[str, dict[str, Any]]]:
    return [(writers.split_of(f"task-{i}", SHARES), row(i)) for i in range(count)]


def test_it_writes_a_folder_that_load_dataset_reads_with_every_split(tmp_path: Path) -> None:
    from datasets import Features, load_dataset

    rows = tagged(60)
    folder = tmp_path / "sorting"
    counts = writers.write_folder(iter(rows), COLUMNS, folder, splits=[n for n, _ in SHARES], card=card_for)

    expected = {name: [r for split, r in rows if split == name] for name, _ in SHARES}
    assert counts == {name: len(part) for name, part in expected.items()}
    assert all(counts.values())  # the 60 tasks reach every split, so the check below covers all three
    assert sorted(p.name for p in (folder / "data").iterdir()) == [
        "test-00000-of-00001.parquet",
        "train-00000-of-00001.parquet",
        "validation-00000-of-00001.parquet",
    ]
    dataset = load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert set(dataset) == {"train", "validation", "test"}
    for name, part in expected.items():
        assert dataset[name].column_names == list(COLUMNS)
        assert dataset[name].to_list() == part
    features = Features.from_dict(json.loads((folder / "features.json").read_text(encoding="utf-8")))
    assert features == dataset["train"].features == Features.from_dict(schema.features(COLUMNS))
    assert (folder / "README.md").read_text(encoding="utf-8") == card_for(counts)


def test_a_split_without_rows_is_left_out_of_the_files_and_the_card(tmp_path: Path) -> None:
    from datasets import load_dataset

    rows = [(split, r) for split, r in tagged(40) if split != "validation"]
    folder = tmp_path / "sorting"
    counts = writers.write_folder(rows, COLUMNS, folder, splits=["train", "validation", "test"], card=card_for)

    assert counts["validation"] == 0 and counts["train"] and counts["test"]
    assert not list((folder / "data").glob("validation-*"))
    meta = front_matter((folder / "README.md").read_text(encoding="utf-8"))
    assert [f["split"] for f in meta["configs"][0]["data_files"]] == ["train", "test"]
    assert [s["name"] for s in meta["dataset_info"]["splits"]] == ["train", "test"]
    dataset = load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert {name: len(part) for name, part in dataset.items()} == {"train": counts["train"], "test": counts["test"]}


def test_a_folder_of_no_rows_keeps_the_schema_in_its_first_split(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    counts = writers.write_folder([], COLUMNS, folder, splits=["train", "test"], card=card_for)
    assert counts == {"train": 0, "test": 0}
    assert [p.name for p in (folder / "data").iterdir()] == ["train-00000-of-00001.parquet"]
    assert_schema(pq.read_table(folder / "data" / "train-00000-of-00001.parquet").schema)


def test_a_row_of_an_undeclared_split_or_a_failing_card_leaves_no_data(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'dev', which is not one of the declared splits"):
        writers.write_folder(
            [("train", row(1)), ("dev", row(2))], COLUMNS, tmp_path / "a", splits=["train"], card=card_for
        )

    def broken(counts: dict[str, int]) -> str:
        raise KeyError("license")

    with pytest.raises(KeyError):
        writers.write_folder(tagged(10), COLUMNS, tmp_path / "b", splits=[n for n, _ in SHARES], card=broken)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_it_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test-old.parquet").write_bytes(b"stale")
    with pytest.raises(FileExistsError, match="not empty"):
        writers.write_folder(tagged(3), COLUMNS, tmp_path, splits=["train", "validation", "test"], card=card_for)


# The dataset card


def test_its_card_has_the_hub_metadata_layout() -> None:
    from datasets import Features

    counts = {"train": 1200, "validation": 150, "test": 150}
    card = card_for(counts)
    meta = yaml.safe_load(card.split("---\n")[1])

    assert meta == front_matter(card)
    assert meta["license"] == "cc-by-4.0"
    assert meta["pretty_name"] == "Sorting preferences"
    assert meta["size_categories"] == ["1K<n<10K"]
    assert {"text-generation", "reinforcement-learning"} <= set(meta["task_categories"])
    assert {"code", "dpo"} <= set(meta["tags"])
    assert meta["configs"] == [
        {
            "config_name": "default",
            "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in ("train", "validation", "test")],
        }
    ]
    assert meta["dataset_info"]["features"] == Features.from_dict(schema.features(COLUMNS))._to_yaml_list()
    assert Features._from_yaml_list(meta["dataset_info"]["features"]) == Features.from_dict(schema.features(COLUMNS))
    assert [(s["name"], s["num_examples"]) for s in meta["dataset_info"]["splits"]] == list(counts.items())


def test_its_card_says_how_the_data_was_made() -> None:
    body = card_for({"train": 9, "test": 2}).split("---\n", 2)[2]
    for text in [
        "# Sorting preferences",
        "*Sorting*",
        "> Write tests first.\n> Then rank the solutions.",
        "pairwise",
        "`correctness`: Correctness, scored 1 to 5",
        "up to 3 annotators",
        "accepted by a reviewer",
        "sandboxes",
        "| `metadata` | {judgment_id: int64, annotators: list of string, responses: list of {label: string, "
        "tests_passed: int64}, grid: list of list of int64} |",
        "| train | 9 |\n| test | 2 |\n| total | 11 |",
        "- judgments: 7",
        "- min_agreement: 0.6",
        "- reviewed: accepted only",
        "- krippendorff_alpha: 0.71",
        "sha256 of the task id",
        "train 80%, validation 10%, test 10%",
        "cc-by-4.0",
    ]:
        assert text in body, text


def test_no_project_text_breaks_the_yaml_header(tmp_path: Path) -> None:
    from datasets import load_dataset

    hostile = "Sorting\n---\nlicense: mit\n...\n# not a heading: 'quoted' \"too\""
    about = {"project": hostile, "instructions": "---\nlicense: mit\n---", "format": "dpo\n---"}

    def card(counts: dict[str, int]) -> str:
        return card_for(counts, pretty_name=hostile, license="Our own licence\n---\nx: y", about=about)

    folder = tmp_path / "hostile"
    counts = writers.write_folder(tagged(20), COLUMNS, folder, splits=[n for n, _ in SHARES], card=card)
    text = (folder / "README.md").read_text(encoding="utf-8")
    meta = front_matter(text)

    assert meta["pretty_name"] == hostile
    assert meta["license"] == "other"  # free text is no Hub licence id; the body names it
    assert "dpo\n---" in meta["tags"]
    assert [s["num_examples"] for s in meta["dataset_info"]["splits"]] == list(counts.values())
    assert text.split("\n---\n", 1)[1].startswith("\n# Sorting --- license: mit ... # not a heading")
    assert "Our own licence --- x: y." in text
    dataset = load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert {name: len(part) for name, part in dataset.items()} == counts


@pytest.mark.parametrize(("rows", "category"), [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (10**6, "1M<n<10M")])
def test_its_size_category_follows_the_row_count(rows: int, category: str) -> None:
    assert writers.size_category(rows) == category


# The zip


def test_its_zip_is_the_same_bytes_whenever_it_is_made(tmp_path: Path) -> None:
    folder = tmp_path / "sorting"
    writers.write_folder(tagged(30), COLUMNS, folder, splits=[n for n, _ in SHARES], card=card_for)
    first = writers.zip_folder(folder, tmp_path / "a.zip")
    for path in folder.rglob("*"):
        os.utime(path, (1_800_000_000, 1_800_000_000))
    second = writers.zip_folder(folder, tmp_path / "b.zip")

    assert first == second == hashlib.sha256((tmp_path / "a.zip").read_bytes()).hexdigest()
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        names = archive.namelist()
        assert (
            names
            == sorted(names)
            == [
                "sorting/README.md",
                "sorting/data/test-00000-of-00001.parquet",
                "sorting/data/train-00000-of-00001.parquet",
                "sorting/data/validation-00000-of-00001.parquet",
                "sorting/features.json",
            ]
        )
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        for name in names:
            assert archive.read(name) == (tmp_path / name).read_bytes()
    (folder / "README.md").write_text("changed", encoding="utf-8")
    assert writers.zip_folder(folder, tmp_path / "c.zip") != first
    assert not list(tmp_path.glob("*.partial"))
