"""What an export is asked for, in one place: the page, the API, the command and the job all parse,
check and store their options through ExportOptions, so they accept and refuse the same inputs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import field
from datetime import date, datetime
from typing import Any

from django.utils.datastructures import MultiValueDict

from exporters import formats
from exporters.models import ExportJob
from sandbox import languages as sandbox_languages

TRUE = {"true", "on", "yes", "1"}
FALSE = {"false", "off", "no", "0"}
EMPTY: tuple[Any, ...] = (None, "", [], ())  # a value left empty takes the option's default
MODES = tuple(ExportJob.Mode.values)
LANGUAGES = tuple(sandbox_languages.LANGUAGES)
JOB_COLUMNS = ("format", "mode", "gzip", "since")  # the other options are stored in the job's `filters`
OUTPUTS = ("jsonl", "parquet", "hf")
SEPARATORS = {"blank-line": "\n\n", "newline": "\n", "none": ""}
# The options that shape the rows rather than choose the judgments: stored with the filters, shown apart.
SHAPE = (
    "output",
    "split",
    "license",
    "contradictions",
    "margin",
    "separator",
    "fence_code",
    "system_turn",
    "sft_style",
    "tokenizer",
)


class ExportInvalid(ValueError):
    """An option an export cannot run with; the message names the option and what it takes."""


def parse_choice(name: str, raw: Any, choices: tuple[str, ...]) -> str:
    if raw in EMPTY:
        raise ExportInvalid(f"{name} is required (choose from {', '.join(choices)})")
    if raw not in choices:
        raise ExportInvalid(f"unknown {name} {raw!r} (choose from {', '.join(choices)})")
    return str(raw)


def parse_bool(name: str, raw: Any, choices: tuple[str, ...]) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, str | int) else ""
    if text not in TRUE | FALSE:
        raise ExportInvalid(f"{name} is true or false, not {raw!r}")
    return text in TRUE


def parse_fraction(name: str, raw: Any, choices: tuple[str, ...]) -> float:
    value = _number(raw)
    if value is None or not 0 <= value <= 1:  # NaN fails the comparison too
        raise ExportInvalid(f"{name} is between 0 and 1, not {raw!r}")
    return value


def _number(raw: Any) -> float | None:
    """`raw` as a float, or None if it is no number (a boolean is none either)."""
    if isinstance(raw, bool):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def parse_date(name: str, raw: Any, choices: tuple[str, ...]) -> date:
    if isinstance(raw, date):
        return raw.date() if isinstance(raw, datetime) else raw
    try:
        if isinstance(raw, str):
            return date.fromisoformat(raw.strip())
    except ValueError:
        pass
    raise ExportInvalid(f"{name} is a date YYYY-MM-DD, not {raw!r}")


def parse_export_id(name: str, raw: Any, choices: tuple[str, ...]) -> int:
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.isdigit()) or int(text) == 0:  # isdigit alone takes "²", which int() refuses
        raise ExportInvalid(f"{name} is the id of an earlier export, not {raw!r}")
    return int(text)


def parse_names(name: str, raw: Any, choices: tuple[str, ...]) -> tuple[str, ...]:
    """A list of names, or one string of them separated by commas (the page's text field)."""
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise ExportInvalid(f"{name} is a list of names, not {raw!r}")
    names = tuple(dict.fromkeys(item.strip() for item in items if item.strip()))
    unknown = [n for n in names if choices and n not in choices]
    if unknown:
        raise ExportInvalid(f"unknown {name} {', '.join(map(repr, unknown))} (choose from {', '.join(choices)})")
    return names


def parse_text(name: str, raw: Any, choices: tuple[str, ...]) -> str:
    """One short line of text (a licence id, a tokenizer name)."""
    if not isinstance(raw, str) or len(raw) > 200 or any(c in raw for c in "\r\n"):
        raise ExportInvalid(f"{name} is one line of text (at most 200 characters), not {raw!r}")
    return raw.strip()


def parse_split(name: str, raw: Any, choices: tuple[str, ...]) -> str:
    """Shares as the lead wrote them ("90/10"), checked; `ExportOptions.shares` parses them."""
    from exporters import writers

    text = raw.strip() if isinstance(raw, str) else raw
    try:
        writers.parse_shares(text)
    except (ValueError, TypeError, AttributeError) as refused:
        raise ExportInvalid(f"{name}: {refused}") from None
    return str(text)


Parser = Callable[[str, Any, tuple[str, ...]], Any]


def _about(parse: Parser, text: str, *, flag: str | None, choices: Any = ()) -> dict[str, Any]:
    """A field's metadata: its parser, help text, command-line flag (None: not on the command line)
    and, for a choice or names, the values it takes."""
    return {"parse": parse, "help": text, "flag": flag, "choices": tuple(choices)}


@dataclasses.dataclass(frozen=True)
class ExportOptions:
    """One export's options, checked: build it with `parse` (the command line, an API body),
    `from_form` (the page) or `from_stored` (a job row); `to_dict` gives the job row's columns."""

    format: str = field(metadata=_about(parse_choice, "the dataset format", flag="--format", choices=formats.NAMES))
    mode: str = field(
        default="judgment",
        metadata=_about(
            parse_choice, "one row set per judgment, or one consensus per task", flag="--mode", choices=MODES
        ),
    )
    gzip: bool = field(default=False, metadata=_about(parse_bool, "compress the file (reproducibly)", flag="--gzip"))
    since: int | None = field(
        default=None, metadata=_about(parse_export_id, "id of a finished export: only what came after it", flag=None)
    )
    accepted_only: bool = field(
        default=False,
        metadata=_about(parse_bool, "only judgments whose last review accepted them", flag="--accepted-only"),
    )
    include_gold: bool = field(
        default=False, metadata=_about(parse_bool, "also the gold tasks (left out by default)", flag="--include-gold")
    )
    min_agreement: float | None = field(
        default=None,
        metadata=_about(parse_fraction, "only tasks whose agreement is at least this (0 to 1)", flag="--min-agreement"),
    )
    submitted_from: date | None = field(
        default=None, metadata=_about(parse_date, "submitted on or after YYYY-MM-DD", flag="--from")
    )
    submitted_to: date | None = field(
        default=None, metadata=_about(parse_date, "submitted on or before YYYY-MM-DD", flag="--to")
    )
    languages: tuple[str, ...] = field(
        default=(), metadata=_about(parse_names, "only tasks in these languages", flag="--language", choices=LANGUAGES)
    )
    models: tuple[str, ...] = field(
        default=(), metadata=_about(parse_names, "keep only these models' responses", flag="--model")
    )
    # How the rows are written (SHAPE): the file's layout and the training-ready options.
    output: str = field(
        default="jsonl",
        metadata=_about(
            parse_choice,
            "jsonl; parquet (one file, explicit schema); or hf, a Hugging Face dataset folder (Parquet per split,"
            " features.json, a dataset card), downloaded as a zip",
            flag="--output",
            choices=OUTPUTS,
        ),
    )
    split: str = field(
        default="",
        metadata=_about(
            parse_split,
            "train/test (or train/validation/test) percents grouped by task, e.g. 90/10 or 80/10/10: a `split`"
            " column, or a file per split in an hf folder",
            flag="--split",
        ),
    )
    license: str = field(
        default="other",
        metadata=_about(parse_text, "the dataset card's licence, e.g. cc-by-4.0, mit or other", flag="--license"),
    )
    contradictions: str = field(
        default="majority",
        metadata=_about(
            parse_choice,
            "per judgment, A over B against B over A on one task: keep the majority (a tie drops both), drop"
            " both, or keep both",
            flag="--contradictions",
            choices=formats.CONTRADICTIONS,
        ),
    )
    margin: str = field(
        default="none",
        metadata=_about(
            parse_choice,
            "a `margin` column for reward modelling: preference strength, or vote share",
            flag="--margin",
            choices=formats.MARGINS,
        ),
    )
    separator: str = field(
        default="blank-line",
        metadata=_about(
            parse_choice,
            "what ends the prompt in the string formats, so prompt and completion do not run together",
            flag="--separator",
            choices=tuple(SEPARATORS),
        ),
    )
    fence_code: bool = field(
        default=False,
        metadata=_about(parse_bool, "a code response as a fenced block with its language", flag="--fence-code"),
    )
    system_turn: bool = field(
        default=False,
        metadata=_about(
            parse_bool, "the project's instructions as a system turn (message formats)", flag="--system-turn"
        ),
    )
    sft_style: str = field(
        default="prompt-completion",
        metadata=_about(
            parse_choice,
            "sft as prompt/completion (trains on the answer only) or as one messages list",
            flag="--sft-style",
            choices=formats.SFT_STYLES,
        ),
    )
    tokenizer: str = field(
        default="",
        metadata=_about(
            parse_text,
            "a tokenizer name: token length percentiles in the manifest, if it is available on this machine",
            flag="--tokenizer",
        ),
    )

    @classmethod
    def fields(cls) -> tuple[dataclasses.Field[Any], ...]:
        """The options in order; each field's metadata holds its parse, help, flag and choices."""
        return dataclasses.fields(cls)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ExportOptions:
        """Options from strings (the command line) or JSON values (an API body, a stored job); a value
        missing or empty takes the default. Raises ExportInvalid naming the first bad option."""
        if not isinstance(data, Mapping):
            raise ExportInvalid(f"export options are an object of option: value, not {type(data).__name__}")
        known = [f.name for f in cls.fields()]
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ExportInvalid(f"unknown option {', '.join(unknown)} (known: {', '.join(known)})")
        values = {f.name: _parse_field(f, data.get(f.name)) for f in cls.fields() if _given(f, data.get(f.name))}
        return cls(**values)._checked()

    @classmethod
    def from_form(cls, form: MultiValueDict[str, Any]) -> ExportOptions:
        """Options from a posted form: a field sent several times (the language boxes) is a list,
        an unticked box is absent (false)."""
        values = {key: items if len(items) > 1 else items[0] for key, items in form.lists()}
        values.pop("csrfmiddlewaretoken", None)
        return cls.parse(values)

    @classmethod
    def from_stored(cls, job: ExportJob) -> ExportOptions:
        """The options a job row was created with (rows written before ExportOptions too)."""
        columns = {"format": job.format, "mode": job.mode, "gzip": job.gzip, "since": job.since_id}
        return cls.parse({**(job.filters or {}), **columns})

    def to_dict(self) -> dict[str, Any]:
        """The job row's columns: format, mode, gzip, since_id and the filters JSON."""
        return {
            "format": self.format,
            "mode": self.mode,
            "gzip": self.gzip,
            "since_id": self.since,
            "filters": self._changed(),
        }

    def filters(self) -> dict[str, Any]:
        """The filters (which judgments) set to other than their default, sorted by name, as JSON values
        (dates as YYYY-MM-DD): what the query reads and the manifest shows."""
        return {k: v for k, v in self._changed().items() if k not in SHAPE}

    def shape_options(self) -> dict[str, Any]:
        """The options that shape the rows, set to other than their default (the manifest's `options`)."""
        return {k: v for k, v in self._changed().items() if k in SHAPE}

    def _changed(self) -> dict[str, Any]:
        changed = {f.name: getattr(self, f.name) for f in self.fields() if getattr(self, f.name) != f.default}
        return {name: _json(value) for name, value in sorted(changed.items()) if name not in JOB_COLUMNS}

    def shares(self) -> tuple[tuple[str, float], ...]:
        """The split's (name, share) pairs; none without a split."""
        from exporters import writers

        return writers.parse_shares(self.split) if self.split else ()

    def shape(self, *, instructions: str = "", metadata_keys: tuple[str, ...] = ()) -> formats.Shape:
        """The row options for exporters/formats.py; `instructions` is the project's (the system turn)."""
        return formats.Shape(
            separator=SEPARATORS[self.separator],
            fence=self.fence_code,
            system=instructions.strip() if self.system_turn else "",
            sft_style=self.sft_style,
            margin=self.margin,
            contradictions=self.contradictions,
            metadata_keys=metadata_keys,
        )

    def _checked(self) -> ExportOptions:
        """The checks that take two options."""
        if self.format in formats.JUDGMENT_ONLY and self.mode != ExportJob.Mode.JUDGMENT:
            raise ExportInvalid(f"{self.format} rows come one judgment at a time: use mode 'judgment'")
        if self.gzip and self.output != "jsonl":
            raise ExportInvalid(f"gzip compresses JSONL; {self.output} files are compressed already")
        if self.output == "hf" and not self.split:
            raise ExportInvalid("an hf folder has a file per split: give a split, e.g. 90/10 (or 100 for train only)")
        if self.submitted_from and self.submitted_to and self.submitted_from > self.submitted_to:
            raise ExportInvalid(f"submitted_from {self.submitted_from} is after submitted_to {self.submitted_to}")
        return self


def _given(option: dataclasses.Field[Any], raw: Any) -> bool:
    """Whether to parse the value: an empty one takes the default, if there is one."""
    return raw not in EMPTY or option.default is dataclasses.MISSING


def _parse_field(option: dataclasses.Field[Any], raw: Any) -> Any:
    parse: Parser = option.metadata["parse"]
    return parse(option.name, raw, option.metadata["choices"])


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value
