"""A ranking is a list of rank groups, best first; a group of two or more is a tie: [["b"], ["a", "c"]].
Every room reads rankings through these pure functions (no Django), so "rank" means one thing."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

Ranking = Sequence[Sequence[str]]


def ranks(ranking: Ranking) -> dict[str, int]:
    """The rank group of each label, 0 for the best."""
    return {label: i for i, group in enumerate(ranking) for label in group}


def order(ranking: Ranking, a: str, b: str) -> int:
    """1 when a is ranked above b, -1 when below, 0 for a tie or when either is unranked."""
    rank = ranks(ranking)
    if a not in rank or b not in rank:
        return 0
    return (rank[a] < rank[b]) - (rank[a] > rank[b])


def pairs(ranking: Ranking) -> list[tuple[str, str]]:
    """Every (better, worse) across rank groups; ties give none."""
    return [
        (better, worse)
        for i, group in enumerate(ranking)
        for better in group
        for lower in ranking[i + 1 :]
        for worse in lower
    ]


def first_choice(ranking: Ranking, *, all_unacceptable: bool = False) -> str:
    """Which labels came first ("a+c"), or "none": the unit of first-choice agreement."""
    if all_unacceptable or not ranking:
        return "none"
    return "+".join(sorted(ranking[0]))


def restrict(ranking: Ranking, keep: Collection[str]) -> list[list[str]]:
    """The ranking of only the labels in `keep`; groups left empty are dropped."""
    return [kept for group in ranking if (kept := [x for x in group if x in keep])]


def relabel(ranking: Ranking, name: Callable[[str], str] | Mapping[str, str]) -> list[list[str]]:
    """The same ranking under other names (displayed letters, model names)."""
    rename = name if callable(name) else (lambda x: name.get(x, x))
    return [[rename(x) for x in group] for group in ranking]


def describe(ranking: Ranking, name: Callable[[str], str] | Mapping[str, str] | None = None) -> str:
    """One line for people: "m2 > m1 = m3"."""
    named = relabel(ranking, name) if name is not None else ranking
    return " > ".join(" = ".join(group) for group in named)


def from_strength(first: str, second: str, strength: int) -> tuple[list[list[str]], int]:
    """A pairwise scale position (-3..3, negative: `first` is better) as a ranking and its magnitude."""
    if strength == 0:
        return [[first, second]], 0
    better, worse = (first, second) if strength < 0 else (second, first)
    return [[better], [worse]], abs(strength)
