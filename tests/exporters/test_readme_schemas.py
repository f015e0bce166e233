"""The README's row schema tables name every format's columns, in order, and every metadata key: the
documentation a fine-tuning team reads cannot drift from what the files hold."""

from __future__ import annotations

import re
from pathlib import Path

from exporters import formats, schema

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### Row schemas") :]


def test_every_format_has_a_row_with_its_columns_in_order() -> None:
    for fmt in formats.FORMATS:
        line = next(x for x in SECTION.splitlines() if x.startswith(f"| `{fmt}` |"))
        named = re.findall(r"`([a-z_]+)`", line.split("|")[2])
        assert named == list(formats.columns(fmt, "judgment", formats.Shape())), fmt


def test_every_metadata_key_is_in_the_metadata_table() -> None:
    table = SECTION[SECTION.index("`metadata`:") :]
    keys = re.findall(r"^\| `([a-z_]+)` \| `", table, flags=re.M)
    assert keys == list(schema.METADATA)
