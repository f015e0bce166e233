"""Agreement between annotators (pure functions, no Django): percent agreement, Cohen's and Fleiss'
kappa for categorical labels, Krippendorff's alpha (ordinal, missing values allowed) and Kendall's tau-b.

Data shapes: `units` is a list of items, each a list of the labels its raters gave (None = not rated).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from itertools import combinations, permutations


def percent_agreement(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Share of agreeing rater pairs over all pairs within units (units with fewer than two ratings skipped)."""
    agree = total = 0
    for unit in units:
        values = [v for v in unit if v is not None]
        for a, b in combinations(values, 2):
            agree += a == b
            total += 1
    return agree / total if total else None


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Two raters on the same items: (p_o - p_e) / (1 - p_e)."""
    if len(first) != len(second) or not first:
        return None
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    left, right = Counter(first), Counter(second)
    expected = sum(left[c] * right[c] for c in set(left) | set(right)) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(units: Sequence[Sequence[Hashable]]) -> float | None:
    """Many raters, the same number per unit (units of another size are left out)."""
    sizes = Counter(len(u) for u in units if len(u) >= 2)
    if not sizes:
        return None
    raters = sizes.most_common(1)[0][0]
    rows = [Counter(u) for u in units if len(u) == raters]
    categories = set().union(*rows)
    n_units = len(rows)
    p_j = {c: sum(r[c] for r in rows) / (n_units * raters) for c in categories}
    p_i = [(sum(v * v for v in r.values()) - raters) / (raters * (raters - 1)) for r in rows]
    p_bar = sum(p_i) / n_units
    p_e = sum(p * p for p in p_j.values())
    return 1.0 if p_e == 1 else (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha_ordinal(units: Sequence[Sequence[float | None]]) -> float | None:
    """Krippendorff's alpha with the ordinal metric, from the coincidence matrix; None values are missing."""
    coincidences: defaultdict[tuple[float, float], float] = defaultdict(float)
    for unit in units:
        values = [v for v in unit if v is not None]
        m = len(values)
        if m < 2:
            continue
        for a, b in permutations(range(m), 2):
            coincidences[(values[a], values[b])] += 1 / (m - 1)
    if not coincidences:
        return None
    categories = sorted({c for pair in coincidences for c in pair})
    n_c = {c: sum(w for (a, _), w in coincidences.items() if a == c) for c in categories}
    n = sum(n_c.values())

    def delta(c: float, k: float) -> float:
        lo, hi = sorted((categories.index(c), categories.index(k)))
        between = sum(n_c[categories[g]] for g in range(lo, hi + 1))
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(w * delta(a, b) for (a, b), w in coincidences.items())
    expected = sum(n_c[a] * n_c[b] * delta(a, b) for a in categories for b in categories) / (n - 1)
    return 1.0 if expected == 0 else 1 - observed / expected


def kendall_tau_b(first: dict[str, int], second: dict[str, int]) -> float | None:
    """Kendall's tau-b between two rankings given as {item: rank} (ties share a rank)."""
    items = sorted(set(first) & set(second))
    concordant = discordant = ties_first = ties_second = 0
    for a, b in combinations(items, 2):
        x = (first[a] > first[b]) - (first[a] < first[b])
        y = (second[a] > second[b]) - (second[a] < second[b])
        if x == 0 and y == 0:
            continue
        if x == 0:
            ties_first += 1
        elif y == 0:
            ties_second += 1
        elif x == y:
            concordant += 1
        else:
            discordant += 1
    denominator = ((concordant + discordant + ties_first) * (concordant + discordant + ties_second)) ** 0.5
    return (concordant - discordant) / denominator if denominator else None
