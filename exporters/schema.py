"""Every format's row schema, declared once: the Parquet writer's pyarrow schema, the `features.json`
written beside every export (Hugging Face `datasets` Features) and the check that a row has exactly
these columns all come from it. README, "Row schemas", documents each one.

A type is a scalar name ("string", "int64", "float64", "bool"), `List(type)` or a struct (a dict of
name: type). Every value may be null. Rows never have maps keyed by data (a response's label, a rubric
dimension, an import key): those are lists of objects, so files of different projects, pairwise and
n-way, load together in one `load_dataset` call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCALARS = {"string", "int64", "float64", "bool"}


@dataclass(frozen=True)
class List:
    item: Type


Type = str | List | dict[str, "Type"]

MESSAGES = List({"role": "string", "content": "string"})
# One response's facts under one judgment (or, in consensus mode, across the task's judgments).
RESPONSE: dict[str, Type] = {
    "label": "string",
    "model": "string",
    "tests_passed": "int64",  # under the annotator's last run; null if never run (or in consensus mode)
    "tests_total": "int64",
    "trust": "string",  # "isolated" or "in-process" (the sandbox's trust model)
    "mean_rank": "float64",  # consensus mode; null per judgment
}
# One judgment behind a row.
SOURCE: dict[str, Type] = {
    "judgment_id": "int64",
    "annotator": "string",  # a pseudonym, stable within this installation
    "strength": "int64",  # pairwise: how strongly the preferred response is preferred, 0 (tie) to 3
    "submitted_at": "string",
    "evidence_conflict": "bool",  # ranked above a response that passed more of the annotator's tests
    "review_verdict": "string",
    "review_score": "int64",
}
METADATA: dict[str, Type] = {
    "task_id": "string",
    "language": "string",
    "responses": List(RESPONSE),
    "agreement": "float64",
    "all_unacceptable": "bool",
    # the pair a preference row holds (null in the unpaired formats)
    "chosen_label": "string",
    "rejected_label": "string",
    "chosen_model": "string",
    "rejected_model": "string",
    # kto's one completion
    "completion_label": "string",
    "completion_model": "string",
    "mode": "string",  # "judgment" or "consensus"
    "judgments": "int64",  # consensus mode: the task's judgments; null per judgment
    "annotators": List("string"),  # the pseudonyms behind the row
    "sources": List(SOURCE),  # the judgments behind the row (merged duplicates; a consensus's all)
    # the import metadata keys the project allows out (Project.export_metadata_keys), values as JSON text
    "task_metadata": List({"key": "string", "value": "string"}),
}
LINE_COMMENT: dict[str, Type] = {
    "start": "int64",
    "end": "int64",
    "category": "string",
    "severity": "string",
    "text": "string",
}
RATINGS = List({"dimension": "string", "score": "int64"})


def arrow(kind: Type) -> Any:
    """The pyarrow type."""
    import pyarrow as pa

    if isinstance(kind, List):
        return pa.list_(arrow(kind.item))
    if isinstance(kind, dict):
        return pa.struct([pa.field(name, arrow(sub)) for name, sub in kind.items()])
    return {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}[kind]


def arrow_schema(columns: dict[str, Type]) -> Any:
    """The pyarrow schema of a row, with the `datasets` Features in its metadata (as `datasets` writes it)."""
    import json

    import pyarrow as pa

    info = json.dumps({"info": {"features": features(columns)}})
    return pa.schema([pa.field(name, arrow(kind)) for name, kind in columns.items()], metadata={"huggingface": info})


def features(columns: dict[str, Type]) -> dict[str, Any]:
    """The `datasets.Features` of a row as `Features.to_dict()` gives it (what `features.json` holds)."""
    return {name: _feature(kind) for name, kind in columns.items()}


def _feature(kind: Type) -> Any:
    if isinstance(kind, List):
        return {"feature": _feature(kind.item), "_type": "List"}
    if isinstance(kind, dict):
        return {name: _feature(sub) for name, sub in kind.items()}
    return {"dtype": kind, "_type": "Value"}


def mismatch(value: Any, kind: Type, where: str = "row") -> str | None:
    """Where `value` breaks `kind` (a missing or extra key, a wrong type), or None. Null is always allowed."""
    if value is None:
        return None
    if isinstance(kind, List):
        if not isinstance(value, list):
            return f"{where}: a list, not {type(value).__name__}"
        return next((m for i, v in enumerate(value) if (m := mismatch(v, kind.item, f"{where}[{i}]"))), None)
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            return f"{where}: an object, not {type(value).__name__}"
        if set(value) != set(kind):
            missing, extra = sorted(set(kind) - set(value)), sorted(set(value) - set(kind))
            return f"{where}: keys differ (missing {missing}, extra {extra})"
        return next((m for k, sub in kind.items() if (m := mismatch(value[k], sub, f"{where}.{k}"))), None)
    python: dict[str, type | tuple[type, ...]] = {"string": str, "int64": int, "float64": (int, float), "bool": bool}
    if (isinstance(value, bool) and kind != "bool") or not isinstance(value, python[kind]):
        return f"{where}: {kind}, not {type(value).__name__} {value!r}"
    return None
