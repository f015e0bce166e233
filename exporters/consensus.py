"""Agreement and consensus across the judgments of one task (pure functions)."""

from __future__ import annotations

from itertools import combinations

from annotation import rankings
from exporters import formats
from exporters.records import ConsensusRecord, JudgmentRecord


def agreement(records: list[JudgmentRecord]) -> float:
    """Mean over response pairs of the share of judgments that order the pair like the majority
    (better, tie or worse). One judgment agrees with itself: 1.0."""
    if len(records) < 2:
        return 1.0
    labels = sorted(records[0].candidates)
    ranks = [rankings.ranks(r.ranking) for r in records]  # once per judgment, not once per pair
    shares = []
    for a, b in combinations(labels, 2):
        signs = [_order(rank, a, b) for rank in ranks]
        shares.append(max(signs.count(s) for s in (-1, 0, 1)) / len(signs))
    return round(sum(shares) / len(shares), 4) if shares else 1.0


def _order(rank: dict[str, int], a: str, b: str) -> int:
    """rankings.order from the ranks (rankings.ranks) of a ranking."""
    if a not in rank or b not in rank:
        return 0
    return (rank[a] < rank[b]) - (rank[a] > rank[b])


def consensus(records: list[JudgmentRecord]) -> ConsensusRecord:
    """Mean rank per candidate (rank = position of its group, 1 first) and majority preferences."""
    first = records[0]
    labels = sorted(first.candidates)
    ranked = [r for r in records if not r.all_unacceptable]
    mean_rank = {}
    for label in labels:
        ranks = [rankings.ranks(r.ranking).get(label, len(r.ranking)) + 1 for r in ranked]
        mean_rank[label] = round(sum(ranks) / len(ranks), 4) if ranks else 0.0
    groups: dict[float, list[str]] = {}
    for label in labels:
        groups.setdefault(mean_rank[label], []).append(label)
    preferences = {
        (a, b): sum(1 for r in ranked if rankings.order(r.ranking, a, b) > 0) for a in labels for b in labels if a != b
    }
    return ConsensusRecord(
        task_id=first.task_id,
        prompt=first.prompt,
        language=first.language,
        candidates=first.candidates,
        mean_rank=mean_rank,
        ranking=[groups[k] for k in sorted(groups)],
        judgments=len(records),
        agreement=agreement(records),
        all_unacceptable=sum(r.all_unacceptable for r in records) * 2 > len(records),
        annotators=sorted(r.annotator for r in records),
        messages=first.messages,
        task_metadata=first.task_metadata,
        preferences=preferences,
        sources=[formats.source(r) for r in sorted(records, key=lambda r: r.judgment_id)],
        pair_strengths={
            (a, b): [r.strength for r in ranked if rankings.order(r.ranking, a, b) > 0]
            for a in labels
            for b in labels
            if a != b
        },
    )
