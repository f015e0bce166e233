"""The code panels' one-row-per-line rendering: numbers agree with what line comments are checked
against, every line is complete markup, and nothing of the code reaches the page unescaped."""

import re

import pytest

from tasks.rendering import diff_table, highlight_code, highlighted_lines, source_lines


@pytest.mark.parametrize(
    ("code", "lines"),
    [
        ("a\nb", ["a", "b"]),
        ("a\nb\n", ["a", "b"]),
        ("a\r\nb\rc", ["a", "b", "c"]),
        ("", [""]),
        ("a\n\n", ["a", ""]),
        # str.splitlines would make these 3 lines: the panel shows one
        ("x = 1\u2028y = 2\x0cz", ["x = 1\u2028y = 2\x0cz"]),
    ],
)
def test_source_lines_split_only_at_line_ends(code: str, lines: list[str]) -> None:
    assert source_lines(code) == lines


def test_a_token_across_lines_is_closed_on_each_line() -> None:
    code = 'def f():\n    """one\n    two\n    three"""\n    return 1\n'
    lines = highlighted_lines(code, "python")

    assert len(lines) == len(source_lines(code)) == 5
    for html in lines:  # each line balanced on its own, so a row never leaks a span into the next
        assert html.count("<span") == html.count("</span>")
    assert "two" in lines[2] and 'class="sd"' in lines[2]


def test_rows_are_numbered_from_one_and_escaped() -> None:
    code = "x = '<script>alert(1)</script>'\n\ny = 2 & 3\n"
    html = str(highlight_code(code, "python"))

    assert re.findall(r'data-line="(\d+)"><td class="ln">(\d+)</td>', html) == [("1", "1"), ("2", "2"), ("3", "3")]
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html


def test_unknown_language_is_plain_text() -> None:
    html = str(highlight_code("<b>x</b>", "no-such-language"))

    assert "&lt;b&gt;x&lt;/b&gt;" in html and 'data-line="1"' in html


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(kind, old number, new number) of each row of a diff table."""
    return re.findall(r'<tr class="(\w+)"><td class="ln">([^<]*)</td><td class="ln">([^<]*)</td>', html)


def test_diff_rows_carry_the_line_numbers_of_both_sides() -> None:
    old = "".join(f"line{n}\n" for n in range(1, 21))
    new = old.replace("line5\n", "line5 changed\n").replace("line18\n", "")

    rows = _rows(str(diff_table(old, new, "text")))

    # first hunk: 3 lines of context, the change as removed old 5 / added new 5, 3 of context
    assert rows[:8] == [
        ("same", "2", "2"),
        ("same", "3", "3"),
        ("same", "4", "4"),
        ("del", "5", ""),
        ("add", "", "5"),
        ("same", "6", "6"),
        ("same", "7", "7"),
        ("same", "8", "8"),
    ]
    # second hunk after a separator: old 18 removed, so old 19 is new 18
    assert ("hunk", "…", "…") in rows
    assert rows[-4:] == [("same", "17", "17"), ("del", "18", ""), ("same", "19", "18"), ("same", "20", "19")]


def test_identical_codes_say_so_and_changed_text_is_escaped() -> None:
    assert "identical" in str(diff_table("a\n", "a\n", "python"))
    html = str(diff_table("x = 1\n", "x = '<img src=x onerror=alert(1)>'\n", "python"))
    assert "<img" not in html and "&lt;img" in html
