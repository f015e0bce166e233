"""The leads' API answers with the same figures, under the same names, as the services behind the pages."""

from __future__ import annotations

from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.quality import annotators, dashboard, report
from tasks import services
from tasks.models import Role
from tests.conftest import make_user


def _lead_headers(project) -> dict[str, str]:
    lead = make_user("api-lead")
    services.add_member(project=project, user=lead, role=Role.LEAD)
    return {"Authorization": f"Token {Token.objects.get_or_create(user=lead)[0].key}"}


def test_the_annotators_api_gives_every_figure_of_the_page(client: Client, judged) -> None:
    """A field left out of the serializer, or read from the wrong attribute, shows here."""
    project, _ = judged
    rows = client.get(f"/api/v1/projects/{project.slug}/annotators", headers=_lead_headers(project)).json()
    expected = {r.username: r for r in annotators.annotator_stats(project)}

    assert {row["annotator"] for row in rows} == set(expected)
    for row in rows:
        stats = expected[row["annotator"]]
        assert row["agreement"] == stats.peer_agreement
        assert (row["submitted"], row["gold_judged"], row["gold_accuracy"], row["level"]) == (
            stats.submitted,
            stats.gold_judged,
            stats.gold_accuracy,
            stats.level,
        )
        assert row["flags"] == dict(stats.flags) and row["flagged_assignments"] == dict(stats.flagged)
    assert any(row["agreement"] is not None for row in rows)  # the scene has shared tasks


def test_the_dashboard_and_quality_apis_match_their_services(client: Client, judged) -> None:
    project, _ = judged
    headers = _lead_headers(project)
    board = client.get(f"/api/v1/projects/{project.slug}/dashboard", headers=headers).json()
    figures = client.get(f"/api/v1/projects/{project.slug}/quality", headers=headers).json()
    d = dashboard.dashboard(project)
    q = report.project_quality(project, bootstrap_samples=20)

    assert (board["tasks"], board["judgments_needed"], board["judgments_submitted"], board["percent"]) == (
        d.tasks,
        d.judgments_needed,
        d.judgments_submitted,
        d.percent,
    )
    assert len(board["per_day"]) == len(d.per_day) and board["per_day"][-1][0] == d.per_day[-1][0].isoformat()
    assert [m["model"] for m in figures["models"]] == [m.model for m in q.models]
    assert [m["tests_run"] for m in figures["models"]] == [m.tests_run for m in q.models]
    assert figures["ranking_alpha"] == q.ranking_alpha and figures["mean_kendall_tau"] == q.mean_kendall_tau


def test_the_empty_annotators_table_spans_every_column(client: Client, project) -> None:
    """The "no judgment yet" row covers the whole table, however many flag columns there are."""
    import re

    lead = project.memberships.get(role=Role.LEAD).user
    client.force_login(lead)
    html = client.get(f"/projects/{project.slug}/annotators/").content.decode()
    header = html[html.index("<thead>") : html.index("</thead>")]

    columns = len(re.findall(r"<th[ >]", header))

    assert columns > 8  # the fixed columns and one per flag
    assert f'<td colspan="{columns}" class="empty">No submitted judgment yet' in html
