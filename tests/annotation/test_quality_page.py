"""The agreement and model page, on the hand-built golden project (numbers worked out by hand)."""

from __future__ import annotations

from django.test import Client

from annotation import quality
from tasks import services
from tasks.models import Role
from tests.conftest import make_user


def test_agreement_and_head_to_head_match_the_hand_count(judged) -> None:
    project, _ = judged

    q = quality.project_quality(project, bootstrap_samples=20)

    assert (q.judgments, q.tasks_with_overlap) == (7, 3)
    assert q.preference_agreement == 0.0  # no two annotators put the same responses first anywhere
    assert q.pairs == [
        {"a": "alpha", "b": "beta", "wins": 3, "ties": 1, "losses": 1},
        {"a": "alpha", "b": "gamma", "wins": 1, "ties": 1, "losses": 2},
        {"a": "beta", "b": "gamma", "wins": 0, "ties": 0, "losses": 3},
    ]
    assert [m.model for m in q.models] == ["gamma", "alpha", "beta"]
    assert all(m.low <= m.strength <= m.high for m in q.models)


def test_reviewers_see_the_page_with_its_plot_and_annotators_do_not(client: Client, judged) -> None:
    project, people = judged
    reviewer = make_user("q-reviewer")
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    client.force_login(reviewer)

    page = client.get(f"/projects/{project.slug}/quality/").content.decode()

    assert "<svg" in page and page.count("<circle") == 3 and "Fleiss" in page
    client.force_login(people[0])
    assert client.get(f"/projects/{project.slug}/quality/").status_code == 403
