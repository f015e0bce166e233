"""The agreement and model page, on the hand-built golden project (numbers worked out by hand)."""

from __future__ import annotations

from django.test import Client

from annotation.quality import report
from tasks import services
from tasks.models import Role, User


def test_agreement_and_head_to_head_match_the_hand_count(judged) -> None:
    project, _ = judged

    q = report.project_quality(project, bootstrap_samples=20)

    assert (q.judgments, q.tasks_with_overlap) == (7, 3)
    assert q.preference_agreement == 0.0  # no two annotators put the same responses first anywhere
    assert q.pairs == [
        {"a": "alpha", "b": "beta", "wins": 3, "ties": 1, "losses": 1},
        {"a": "alpha", "b": "gamma", "wins": 1, "ties": 1, "losses": 2},
        {"a": "beta", "b": "gamma", "wins": 0, "ties": 0, "losses": 3},
    ]
    assert [m.model for m in q.models] == ["gamma", "alpha", "beta"]
    assert all(m.low <= m.strength <= m.high for m in q.models)


def test_reviewers_see_the_page_with_its_plot_and_annotators_do_not(client: Client, judged, reviewer: User) -> None:
    project, people = judged
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    client.force_login(reviewer)

    page = client.get(f"/projects/{project.slug}/quality/").content.decode()

    assert "<svg" in page and page.count("<circle") == 3 and "Fleiss" in page
    client.force_login(people[0])
    assert client.get(f"/projects/{project.slug}/quality/").status_code == 403


def test_per_dimension_and_ranking_agreement_use_every_overlapping_response(judged) -> None:
    project, _ = judged

    q = report.project_quality(project, bootstrap_samples=10)

    # The golden ratings give the alphabetically first label 3 and the next 4, by every annotator, so
    # each dimension agrees fully: alpha 1.0 and percent agreement 1.0.
    assert set(q.dimension_alpha.values()) == {1.0} and set(q.dimension_agreement.values()) == {1.0}
    assert q.ranking_alpha is not None and -1 <= q.ranking_alpha < 1
