"""Model comparison (pure functions): win/tie/loss per model pair and Bradley-Terry strengths with
bootstrap confidence intervals. A comparison is (model_a, model_b, outcome) with outcome 1 when a was
ranked above b, 0 for a tie, -1 when b was above. Also the annotators' line comments per model, counted
by category and by severity."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence

from annotation import rankings

Comparison = tuple[str, str, int]


def from_ranking(ranking: Sequence[Sequence[str]], models: dict[str, str]) -> list[Comparison]:
    """Every pair of responses of different models in one judgment, from its rank groups."""
    labels = sorted(rankings.ranks(ranking))
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if models[a] != models[b]:
                out.append((models[a], models[b], rankings.order(ranking, a, b)))
    return out


def win_tie_loss(comparisons: Sequence[Comparison]) -> dict[tuple[str, str], dict[str, int]]:
    """Per unordered pair (alphabetical), the first model's wins, ties and losses."""
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"wins": 0, "ties": 0, "losses": 0})
    for a, b, outcome in comparisons:
        if a > b:
            a, b, outcome = b, a, -outcome
        table[(a, b)]["wins" if outcome > 0 else "losses" if outcome < 0 else "ties"] += 1
    return dict(table)


def bradley_terry(comparisons: Sequence[Comparison], *, iterations: int = 500, prior: float = 0.5) -> dict[str, float]:
    """Strengths on a log scale (mean 0) by the MM algorithm (Hunter 2004); a tie is half a win each way.
    `prior` adds that many ties between every pair of models, so a model that never lost (or never won)
    stays finite; with no prior, every model must have won or tied at least once."""
    models = sorted({m for a, b, _ in comparisons for m in (a, b)})
    if len(models) < 2:
        return dict.fromkeys(models, 0.0)
    wins: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, outcome in comparisons:
        wins[(a, b)] += 1.0 if outcome > 0 else 0.5 if outcome == 0 else 0.0
        wins[(b, a)] += 1.0 if outcome < 0 else 0.5 if outcome == 0 else 0.0
    for a in models:
        for b in models:
            if a != b:
                wins[(a, b)] += prior / 2
    games = {(a, b): wins[(a, b)] + wins[(b, a)] for a in models for b in models if a != b}
    played = [a for a in models if any(games[(a, b)] for b in models if b != a)]
    winless = [a for a in played if not any(wins[(a, b)] for b in models if b != a)]
    if winless:
        raise ValueError(f"{', '.join(winless)} never won or tied: no finite strength without a prior")
    strength = dict.fromkeys(models, 1.0)
    for _ in range(iterations):
        updated = {}
        for a in models:
            total_wins = sum(wins[(a, b)] for b in models if b != a)
            denominator = sum(games[(a, b)] / (strength[a] + strength[b]) for b in models if b != a)
            updated[a] = total_wins / denominator if denominator else strength[a]
        scale = math.exp(sum(math.log(v) for v in updated.values()) / len(updated))
        strength = {m: v / scale for m, v in updated.items()}
    return {m: round(math.log(v), 6) for m, v in strength.items()}


def bootstrap_intervals(
    comparisons: Sequence[Comparison], *, samples: int = 200, level: float = 0.95, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of each strength, resampling the comparisons (seeded: reproducible)."""
    rng = random.Random(seed)
    draws: dict[str, list[float]] = defaultdict(list)
    for _ in range(samples):
        sample = [comparisons[rng.randrange(len(comparisons))] for _ in comparisons]
        for model, value in bradley_terry(sample, iterations=200).items():
            draws[model].append(value)
    low, high = (1 - level) / 2, 1 - (1 - level) / 2
    out = {}
    for model, values in draws.items():
        values.sort()
        out[model] = (values[int(low * (len(values) - 1))], values[int(high * (len(values) - 1))])
    return out


def line_comment_counts(comments: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, dict[str, int]]]:
    """From (model, category, severity) per line comment: each model's counts by category and by
    severity, {model: {"by_category": {key: n}, "by_severity": {severity: n}}}, keys sorted."""
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for model, category, severity in comments:
        row = counts.setdefault(model, {"by_category": {}, "by_severity": {}})
        row["by_category"][category] = row["by_category"].get(category, 0) + 1
        row["by_severity"][severity] = row["by_severity"].get(severity, 0) + 1
    return {
        model: {kind: dict(sorted(by.items())) for kind, by in row.items()} for model, row in sorted(counts.items())
    }
