"""tasks.text.lf: the one rule for the line ends of stored text."""

import pytest

from tasks.text import lf


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("a\r\nb\r\n", "a\nb\n"),  # a browser's textarea
        ("a\rb", "a\nb"),  # old Mac files
        ("a\r\r\nb", "a\n\nb"),
        ("a\nb\n", "a\nb\n"),
        ("tab\tand\u2028kept", "tab\tand\u2028kept"),  # only CR is changed
    ],
)
def test_it_ends_every_line_with_lf(typed: str, stored: str) -> None:
    assert lf(typed) == stored
