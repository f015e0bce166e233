"""Parquet and Hugging Face-ready files: one Parquet file, or a folder `load_dataset(folder)` reads (a file
per split under data/, `features.json`, a dataset card as README.md), and a reproducible zip of it.

Pure file writing: rows in (plain dicts matching a `schema` columns dict), files out. Every writer streams
(rows are buffered `batch_rows` at a time, never all in memory), writes under a `.partial` name renamed at
the end (removed on any error), and is deterministic: the same rows give the same bytes, no timestamps.

Splits are made by task, not by row: `split_of` hashes the task id, so every row of a task lands in the same
split, on every machine and in every export, and no prompt is both trained and tested on.
A declared split that gets no rows gets no file and no place in the card's configs (it is listed with 0 rows
in the card's counts): `datasets` cannot load an empty split, so declaring one would break `load_dataset`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from exporters import schema

Shares = tuple[tuple[str, float], ...]
SPLIT_NAME = re.compile(r"^\w+(\.\w+)*$")  # what `datasets` accepts as a split name (datasets.naming._split_re)
PERCENT_NAMES = {1: ("train",), 2: ("train", "test"), 3: ("train", "validation", "test")}
SHARES_HELP = "shares are whole percents that add up to 100, e.g. 90/10 or 80/10/10"
NAMED_HELP = "named shares are fractions that add up to 1, e.g. train=0.9,test=0.1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold: no build time leaks into the bytes
SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
]
NO_FILTERS = "None: every submitted judgment up to the cutoff (gold tasks left out)."
INSTRUCTIONS_EXCERPT = 800  # characters of the project's instructions quoted in the card


# Splits


def split_of(task_id: str, shares: Sequence[tuple[str, float]]) -> str:
    """The split of a task: the sha256 of its id read as a number in [0, 1), placed in the cumulative shares
    in their order. Same id, same split, everywhere."""
    _check_shares(shares)
    digest = hashlib.sha256(task_id.encode("utf-8")).digest()
    point = (int.from_bytes(digest[:8], "big") >> 11) / 2**53  # 53 bits: a float strictly below 1
    total = 0.0
    for name, share in shares:
        total += share
        if point < total:
            return name
    return shares[-1][0]  # the sum's rounding (0.9999...) must not leave the last sliver unassigned


def _check_shares(shares: Sequence[tuple[str, float]]) -> None:
    names = [name for name, _ in shares]
    if not shares or len(set(names)) != len(names):
        raise ValueError(f"splits need at least one share and distinct names, got {names}")
    if any(share <= 0 for _, share in shares):
        raise ValueError(f"every share must be above 0, got {list(shares)}")
    if abs(sum(share for _, share in shares) - 1) > 1e-9:
        raise ValueError(f"the shares must add up to 1, got {sum(s for _, s in shares)} from {list(shares)}")


def parse_shares(text: str) -> Shares:
    """ "90/10" (train/test), "80/10/10" (train/validation/test), "100" (train only) or "train=0.9,test=0.1"."""
    text = text.strip()
    shares = _parse_named(text) if "=" in text else _parse_percents(text)
    bad = [name for name, _ in shares if not SPLIT_NAME.match(name)]
    if bad:
        raise ValueError(f"split names are letters, digits and underscores (e.g. train, test), not {bad}")
    _check_shares(shares)
    return shares


def _parse_percents(text: str) -> Shares:
    parts = [part.strip() for part in text.split("/")]
    if len(parts) not in PERCENT_NAMES or not all(part.isdigit() for part in parts):
        raise ValueError(f"{SHARES_HELP}, not {text!r}")
    percents = [int(part) for part in parts]
    if sum(percents) != 100 or 0 in percents:
        raise ValueError(f"{SHARES_HELP} (each above 0), not {text!r}")
    return tuple((name, p / 100) for name, p in zip(PERCENT_NAMES[len(parts)], percents, strict=True))


def _parse_named(text: str) -> Shares:
    shares = []
    for item in text.split(","):
        name, sep, value = (piece.strip() for piece in item.partition("="))
        try:
            share = float(value)
        except ValueError:
            share = -1.0
        if not sep or not name or not 0 < share <= 1:
            raise ValueError(f"{NAMED_HELP}, not {text!r} ({item.strip()!r})")
        shares.append((name, share))
    if abs(sum(share for _, share in shares) - 1) > 1e-9:
        raise ValueError(f"{NAMED_HELP}, not {text!r} (they add up to {sum(s for _, s in shares):g})")
    return tuple(shares)


# Parquet


class _ParquetStream:
    """One Parquet file being written: rows checked against the columns, buffered, written a batch (one row
    group) at a time, under `.partial` until `finish`."""

    def __init__(self, out: Path, columns: dict[str, schema.Type], batch_rows: int) -> None:
        if batch_rows < 1:
            raise ValueError(f"batch_rows must be at least 1, got {batch_rows}")
        self.out, self.columns, self.batch_rows = out, columns, batch_rows
        self.partial = out.with_name(out.name + ".partial")
        self.arrow_schema = schema.arrow_schema(columns)
        self.fits = fits(columns)
        self.buffer: list[dict[str, Any]] = []
        self.rows = 0
        out.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(self.partial, self.arrow_schema, compression="zstd")

    def add(self, row: dict[str, Any]) -> None:
        # pyarrow would silently drop an extra key and null a missing one: a wrong row must stop the export
        if not self.fits(row) and (wrong := schema.mismatch(row, self.columns, f"row {self.rows + 1}")):
            raise ValueError(f"{wrong} (columns of {self.out.name})")
        self.buffer.append(row)
        self.rows += 1
        if len(self.buffer) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=self.arrow_schema))
            self.buffer = []

    def finish(self) -> str:
        """Write what is buffered, close, move into place; the file's sha256."""
        self._flush()
        self.writer.close()
        os.replace(self.partial, self.out)
        return file_sha256(self.out)

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            self.partial.unlink(missing_ok=True)


_PYTHON: dict[str, type | tuple[type, ...]] = {"string": str, "int64": int, "float64": (int, float), "bool": bool}


def fits(kind: schema.Type) -> Callable[[Any], bool]:
    """A function telling whether a value fits `kind`, as schema.mismatch would (None: it fits): the same
    rules compiled into one function of plain statements for this schema, instead of a walk of calls
    that builds the place of every value (that walk was half a Parquet export's time). A row that does
    not fit is then described by schema.mismatch."""
    lines: list[str] = []
    names: dict[str, Any] = {}
    count = iter(range(1, 1 << 30))

    def emit(kind: schema.Type, var: str, depth: int) -> None:
        """Statements that return False where `var` breaks `kind` (null always fits)."""
        pad = "    " * depth
        if isinstance(kind, schema.List):
            item = f"v{next(count)}"
            lines.append(f"{pad}if {var} is not None:")
            lines.append(f"{pad}    if not isinstance({var}, list):")
            lines.append(f"{pad}        return False")
            lines.append(f"{pad}    for {item} in {var}:")
            emit(kind.item, item, depth + 2)
        elif isinstance(kind, dict):
            keys = f"keys{next(count)}"
            names[keys] = set(kind)
            lines.append(f"{pad}if {var} is not None:")
            lines.append(f"{pad}    if not isinstance({var}, dict) or {var}.keys() != {keys}:")
            lines.append(f"{pad}        return False")
            for field, sub in kind.items():
                value = f"v{next(count)}"
                lines.append(f"{pad}    {value} = {var}[{field!r}]")
                emit(sub, value, depth + 1)
        else:
            python = f"python_{kind}"
            names[python] = _PYTHON[kind]
            wrong = f"not isinstance({var}, {python})" + ("" if kind == "bool" else f" or isinstance({var}, bool)")
            lines.append(f"{pad}if {var} is not None and ({wrong}):")
            lines.append(f"{pad}    return False")

    emit(kind, "v0", 1)
    source = "def fits(v0):\n" + "\n".join(lines) + "\n    return True\n"
    exec(compile(source, "<writers.fits>", "exec"), names)  # noqa: S102 - our own code, made from a schema
    check: Callable[[Any], bool] = names["fits"]
    return check


def write_parquet(
    rows: Iterable[dict[str, Any]], columns: dict[str, schema.Type], out: Path, *, batch_rows: int = 5000
) -> tuple[int, str]:
    """Stream `rows` into one Parquet file with the columns' explicit schema; (row count, the file's sha256)."""
    stream = _ParquetStream(out, columns, batch_rows)
    try:
        for row in rows:
            stream.add(row)
        return stream.rows, stream.finish()
    except BaseException:
        stream.abort()
        raise


def write_folder(
    rows: Iterable[tuple[str, dict[str, Any]]],
    columns: dict[str, schema.Type],
    folder: Path,
    *,
    splits: Sequence[str],
    card: Callable[[dict[str, int]], str],
    batch_rows: int = 5000,
) -> dict[str, int]:
    """Stream rows tagged with their split into `folder/data/{split}-00000-of-00001.parquet` in one pass, then
    `features.json` and README.md = card(counts per declared split); the counts per declared split.

    A split with no rows gets no file (`datasets` refuses to load an empty split: "Instruction 'test'
    corresponds to no data"), and `dataset_card` leaves it out of its configs; only when every split is empty
    is the first one written, empty, so the folder still carries its schema."""
    bad = [name for name in splits if not SPLIT_NAME.match(name)]
    if not splits or bad or len(set(splits)) != len(splits):
        raise ValueError(f"splits must be distinct names of letters, digits and underscores, got {list(splits)}")
    if folder.exists() and any(folder.iterdir()):
        # an old file left in data/ would match the card's patterns and join a split
        raise FileExistsError(f"{folder} is not empty: write a dataset folder into a new folder")
    streams: dict[str, _ParquetStream] = {}
    try:
        for split, row in rows:
            if split not in splits:
                raise ValueError(f"a row of split {split!r}, which is not one of the declared splits {list(splits)}")
            if split not in streams:
                streams[split] = _ParquetStream(_split_file(folder, split), columns, batch_rows)
            streams[split].add(row)
        streams = streams or {splits[0]: _ParquetStream(_split_file(folder, splits[0]), columns, batch_rows)}
        counts = {name: streams[name].rows if name in streams else 0 for name in splits}
        readme = card(counts)  # before anything is moved into place: a failing card leaves no half folder
        for stream in streams.values():
            stream.finish()
    except BaseException:
        for stream in streams.values():
            stream.abort()
        raise
    features = json.dumps(schema.features(columns), indent=2, ensure_ascii=False)
    (folder / "features.json").write_text(features + "\n", encoding="utf-8")
    (folder / "README.md").write_text(readme, encoding="utf-8")
    return counts


def _split_file(folder: Path, split: str) -> Path:
    return folder / "data" / f"{split}-00000-of-00001.parquet"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# The dataset card


def dataset_card(
    *,
    name: str,
    pretty_name: str,
    license: str,
    columns: dict[str, schema.Type],
    splits: dict[str, int],
    manifest: dict[str, Any],
    about: dict[str, Any],
) -> str:
    """A Hugging Face dataset card (README.md): the Hub's YAML metadata (licence, configs with a data file
    pattern per split, dataset_info with features and split sizes), then what the data is and how it was made.

    `about` may hold "project" (its name), "instructions" (Markdown), "ranking_mode", "rubric" (a list of
    {key, label, min, max, required?}), "overlap", "review" (the review/acceptance filter, in words),
    "min_tests", "format" and "shares" (the split shares, [(name, share)]); what is missing is left out.
    From `manifest`, its "counts", "filters" and "agreement" are printed as they are.
    """
    header = card_metadata(pretty_name=pretty_name, license=license, columns=columns, splits=splits, about=about)
    body = _card_body(
        name=name,
        pretty_name=pretty_name,
        license=license,
        columns=columns,
        splits=splits,
        manifest=manifest,
        about=about,
    )
    return f"---\n{header}---\n\n{body}"


def card_metadata(
    *,
    pretty_name: str,
    license: str,
    columns: dict[str, schema.Type],
    splits: dict[str, int],
    about: dict[str, Any],
) -> str:
    """The card's YAML header (without its `---` lines), in the layout the Hub and `datasets` read. Splits with
    no rows are left out (write_folder writes no file for them), unless all are empty: then the first."""
    present = [split for split, count in splits.items() if count] or list(splits)[:1]
    license_id = license.strip().lower()
    header: dict[str, Any] = {
        # The Hub takes a licence identifier (apache-2.0, cc-by-4.0, ...); free text is "other", named in full
        # in the card's Licence section.
        "license": license_id if re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", license_id) else "other",
        "pretty_name": pretty_name,
        "task_categories": ["text-generation", "reinforcement-learning"],
        "tags": [
            "code",
            "human-feedback",
            "preference",
            "rlhf",
            *([str(about["format"])] if "format" in about else []),
        ],
        "size_categories": [size_category(sum(splits.values()))],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": f"data/{split}-*.parquet"} for split in present],
            }
        ],
        "dataset_info": {
            "features": yaml_features(columns),
            # `datasets` reads the split sizes only with a num_bytes (it checks num_examples against the files
            # when loading); the Arrow size is unknown before the data is loaded, and the Hub measures its own.
            "splits": [{"name": split, "num_bytes": 0, "num_examples": splits[split]} for split in present],
        },
    }
    dumped: str = yaml.dump(header, Dumper=_CardDumper, sort_keys=False, allow_unicode=True, width=10**6)
    return dumped


class _CardDumper(yaml.SafeDumper):
    """safe_dump, with a string that has a line break written double-quoted on one line: no user text can put
    a `---` (the end of the front matter) at the start of a line."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(c in value for c in "\r\n\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CardDumper.add_representer(str, _represent_str)


def size_category(rows: int) -> str:
    return next((label for bound, label in SIZE_CATEGORIES if rows < bound), "n>1B")


def yaml_features(columns: dict[str, schema.Type]) -> list[dict[str, Any]]:
    """The columns as the card's `dataset_info.features` list (what `datasets.Features._to_yaml_list` gives)."""
    return [{"name": name, **_yaml_type(kind)} for name, kind in columns.items()]


def _yaml_type(kind: schema.Type) -> dict[str, Any]:
    if isinstance(kind, schema.List):
        item = _yaml_type(kind.item)
        # the Hub's short forms: `list: string` for a list of scalars, `list: [fields]` for a list of structs
        if set(item) == {"dtype"}:
            return {"list": item["dtype"]}
        if set(item) == {"struct"}:
            return {"list": item["struct"]}
        return {"list": item}
    if isinstance(kind, dict):
        return {"struct": yaml_features(kind)}
    return {"dtype": kind}


def _card_body(
    *,
    name: str,
    pretty_name: str,
    license: str,
    columns: dict[str, schema.Type],
    splits: dict[str, int],
    manifest: dict[str, Any],
    about: dict[str, Any],
) -> str:
    sections = [
        f"# {_line(pretty_name)}\n\n" + _what(name, about),
        "## How the judgments were made\n\n" + _how(about),
        "## Row schema\n\n" + _schema_table(columns),
        "## Counts\n\n" + _counts(splits, manifest.get("counts")),
        "## Filters\n\n" + _facts(manifest.get("filters"), NO_FILTERS),
        "## Agreement\n\n" + _facts(manifest.get("agreement"), "Not computed for this export."),
        "## Splits\n\n" + _split_rule(splits, about.get("shares")),
        "## Licence\n\n" + f"{_line(license)}.\n",
        "## Loading\n\n" + _loading(name, splits),
    ]
    return "\n".join(sections)


def _line(text: Any) -> str:
    """User text on one Markdown line (a heading, a list item): its whitespace, line breaks too, collapsed."""
    return " ".join(str(text).split())


def _what(name: str, about: dict[str, Any]) -> str:
    project = f" in the project *{_line(about['project'])}*" if about.get("project") else ""
    fmt = f" Rows are in the `{_line(about['format'])}` format." if about.get("format") else ""
    return (
        f"`{_line(name)}` holds human preference judgments on AI-generated code{project}: annotators read a coding "
        "prompt and two or more model-written solutions, wrote their own tests and ran them against every "
        f"solution, then ranked and rated the solutions and explained why.{fmt}\n"
    )


def _how(about: dict[str, Any]) -> str:
    items = []
    if about.get("ranking_mode"):
        items.append(f"- Ranking mode: {_line(about['ranking_mode'])}.")
    if about.get("overlap") is not None:
        items.append(f"- Overlap: each task was judged by up to {_line(about['overlap'])} annotators.")
    if about.get("min_tests") is not None:
        tests = "test" if str(about["min_tests"]) == "1" else "tests"
        least = _line(about["min_tests"])
        items.append(f"- Annotators had to run at least {least} {tests} per task before submitting.")
    if about.get("review"):
        items.append(f"- Review and acceptance: {_line(about['review'])}.")
    for dimension in about.get("rubric") or []:
        items.append(_dimension(dimension))
    evidence = (
        "Evidence: the annotators' own tests ran against every solution in throwaway Docker sandboxes "
        "(no network, bounded time and memory); the pass counts under their last run are in each row's "
        "`responses` where the format carries them.\n"
    )
    instructions = str(about.get("instructions") or "").strip()
    quoted = ""
    if instructions:
        excerpt = instructions[:INSTRUCTIONS_EXCERPT] + (" ..." if len(instructions) > INSTRUCTIONS_EXCERPT else "")
        quoted = "The annotators' instructions began:\n\n" + "".join(f"> {ln}\n" for ln in excerpt.splitlines())
    return "\n".join(part for part in ["\n".join(items) + "\n" if items else "", evidence, quoted] if part)


def _dimension(dimension: Any) -> str:
    if not isinstance(dimension, dict):
        return f"- Rubric dimension: {_line(dimension)}."
    label = _line(dimension.get("label") or dimension.get("key", "?"))
    scale = f", scored {dimension['min']} to {dimension['max']}" if {"min", "max"} <= set(dimension) else ""
    optional = " (optional)" if dimension.get("required") is False else ""
    return f"- Rubric dimension `{_line(dimension.get('key', label))}`: {label}{scale}{optional}."


def _schema_table(columns: dict[str, schema.Type]) -> str:
    rows = "".join(f"| `{name}` | {type_text(kind)} |\n" for name, kind in columns.items())
    return "Every value may be null.\n\n| column | type |\n|---|---|\n" + rows


def type_text(kind: schema.Type) -> str:
    """A column type in words: `list of {label: string, ...}`."""
    if isinstance(kind, schema.List):
        return f"list of {type_text(kind.item)}"
    if isinstance(kind, dict):
        return "{" + ", ".join(f"{name}: {type_text(sub)}" for name, sub in kind.items()) + "}"
    return kind


def _counts(splits: dict[str, int], counts: Any) -> str:
    table = "| split | rows |\n|---|---|\n" + "".join(f"| {name} | {n} |\n" for name, n in splits.items())
    table += f"| total | {sum(splits.values())} |\n"
    if empty := [name for name, n in splits.items() if not n]:
        table += f"\nNo rows fell in {', '.join(empty)}: it has no file and is not in the card's configs.\n"
    return table + ("\nFrom the export's manifest:\n\n" + _facts(counts, "") if counts else "")


def _facts(value: Any, empty: str) -> str:
    """A manifest entry as a list: a mapping key by key, anything else as JSON."""
    if not value:
        return empty + "\n"
    if isinstance(value, dict):
        return "".join(f"- {_line(key)}: {_value(sub)}\n" for key, sub in value.items())
    return f"{_value(value)}\n"


def _value(value: Any) -> str:
    return _line(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _split_rule(splits: dict[str, int], shares: Any) -> str:
    stated = ""
    if shares:
        stated = " The shares: " + ", ".join(f"{_line(n)} {float(s):.0%}" for n, s in shares) + "."
    return (
        "Rows are split by task, not by row: the sha256 of the task id, read as a number in [0, 1), falls in "
        f"the cumulative shares of the splits in the order {', '.join(splits)}.{stated} Every row of a task is in "
        "the same split, so no prompt is in two splits, and a task keeps its split in every later export. "
        "A split that got no rows is left out (`datasets` cannot load an empty split).\n"
    )


def _loading(name: str, splits: dict[str, int]) -> str:
    first = next((split for split, count in splits.items() if count), next(iter(splits)))
    return (
        "```python\nfrom datasets import load_dataset\n\n"
        f"dataset = load_dataset({json.dumps(_line(name))})  # this folder, or its Hub repository once uploaded\n"
        f"print(dataset[{json.dumps(first)}][0])\n```\n"
        "`features.json` holds the same schema as `datasets.Features.to_dict()`.\n"
    )


# Download


def zip_folder(folder: Path, out: Path) -> str:
    """A reproducible zip of the folder's files under its name (sorted, fixed 1980-01-01 times, stored: the
    Parquet files are compressed already and deflate's bytes differ between zlib builds); its sha256."""
    partial = out.with_name(out.name + ".partial")
    files = sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:
            for path in files:
                info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", date_time=ZIP_TIME)
                info.external_attr = 0o644 << 16
                info.file_size = path.stat().st_size  # lets zipfile choose zip64 up front for a large file
                with path.open("rb") as source, archive.open(info, "w") as target:
                    for block in iter(lambda: source.read(1 << 20), b""):
                        target.write(block)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return file_sha256(out)
