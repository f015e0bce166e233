"""The rating and rank selects' options, built in Python (tasks/templatetags/lookup.py)."""

import re

from tasks.templatetags.lookup import number_options, score_options


def options(html: str) -> list[tuple[str, bool]]:
    return [(value, bool(sel)) for value, sel in re.findall(r'<option value="(\d*)"( selected)?>', html)]


def test_a_blank_first_then_every_number_with_the_current_one_selected() -> None:
    assert options(number_options(1, 3, 2)) == [("", False), ("1", False), ("2", True), ("3", False)]


def test_nothing_selected_without_a_current_value_or_for_one_of_another_type() -> None:
    """The saved values are ints; a "2" from elsewhere must not pass for a choice the annotator made."""
    for current in (None, "2", 7):
        assert not any(selected for _, selected in options(number_options(1, 3, current)))


def test_a_dimension_gives_its_own_scale_both_ends_included() -> None:
    got = options(score_options({"key": "style", "min": 0, "max": 4}, 4))
    assert [v for v, _ in got] == ["", "0", "1", "2", "3", "4"] and got[-1] == ("4", True)
    assert [v for v, _ in options(score_options({"key": "default"}, None))] == ["", "1", "2", "3", "4", "5"]
