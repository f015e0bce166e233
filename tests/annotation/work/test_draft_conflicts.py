"""Issue 12: a draft save based on an older revision never overwrites newer text (409 with the newer draft)."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from annotation.models import Assignment, Judgment
from annotation.work import judging, queue
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project


@pytest.fixture
def assignment(annotator: User) -> Assignment:
    project = claimable_project(annotators=[annotator])
    return queue.claim_next_assignment(project=project, annotator=annotator)


def _page_save(client: Client, assignment: Assignment, rationale: str, base: int | str | None):
    body = {"rationale": rationale}
    if base is not None:
        body["base_revision"] = str(base)
    return client.post(f"/work/{assignment.pk}/draft", body)


def test_a_save_based_on_an_older_revision_is_refused_and_keeps_the_newer_text(assignment: Assignment) -> None:
    """The reload race: the reloaded page (based on revision 1) saves after the leaving page's save (2)."""
    judging.save_draft(assignment=assignment, data={"rationale": "first"}, base_revision=0)
    judging.save_draft(assignment=assignment, data={"rationale": "first and newest"}, base_revision=1)
    with pytest.raises(judging.DraftConflict) as refused:
        judging.save_draft(assignment=assignment, data={"rationale": "first and more"}, base_revision=1)
    assert refused.value.revision == 2 and refused.value.judgment.rationale == "first and newest"
    assert Judgment.objects.get(assignment=assignment).rationale == "first and newest"


def test_a_stale_save_that_changes_nothing_is_not_a_conflict(assignment: Assignment) -> None:
    """The leaving page's save and the restored local copy carry the same text: no question to ask."""
    judging.save_draft(assignment=assignment, data={"rationale": "same"}, base_revision=0)
    judging.save_draft(assignment=assignment, data={"rationale": "same text"}, base_revision=1)
    judgment = judging.save_draft(assignment=assignment, data={"rationale": "same text"}, base_revision=1)
    assert judging.latest_revision(judgment) == 2


def test_saves_without_a_base_revision_apply_as_before(assignment: Assignment) -> None:
    judging.save_draft(assignment=assignment, data={"rationale": "one"})
    judging.save_draft(assignment=assignment, data={"rationale": "two"})
    assert Judgment.objects.get(assignment=assignment).rationale == "two"


def test_the_page_answers_409_with_the_newer_draft_in_form_names(client: Client, assignment: Assignment) -> None:
    client.force_login(assignment.annotator)
    saved = _page_save(client, assignment, "text from the tab that left", 0)
    assert saved.status_code == 200 and saved.json()["revision"] == 1
    stale = _page_save(client, assignment, "older text", 0)
    assert stale.status_code == 409
    body = stale.json()
    assert body["conflict"] is True and body["revision"] == 1
    assert body["fields"]["rationale"] == "text from the tab that left"
    assert "base_revision" in body["errors"]
    assert Judgment.objects.get(assignment=assignment).rationale == "text from the tab that left"
    assert _page_save(client, assignment, "based on the newest", 1).json()["revision"] == 2


def test_the_page_refuses_an_unreadable_base_revision_by_name(client: Client, assignment: Assignment) -> None:
    client.force_login(assignment.annotator)
    answer = _page_save(client, assignment, "text", "yesterday")
    assert answer.status_code == 400 and "base_revision" in answer.json()["errors"]


def test_the_workspace_renders_its_revision(client: Client, assignment: Assignment) -> None:
    judging.save_draft(assignment=assignment, data={"rationale": "one"})
    judging.save_draft(assignment=assignment, data={"rationale": "two"})
    client.force_login(assignment.annotator)
    page = client.get(f"/work/{assignment.pk}/").content.decode()
    assert 'data-revision="2"' in page and f'data-user="{assignment.annotator_id}"' in page


def test_the_api_draft_answers_409_with_the_newer_draft(client: Client, assignment: Assignment) -> None:
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=assignment.annotator)[0].key}"}
    url = f"/api/v1/assignments/{assignment.pk}/draft"

    def put(body: dict):
        return client.put(url, body, content_type="application/json", headers=auth)

    first = put({"rationale": "newer text", "base_revision": 0})
    assert first.status_code == 200 and first.json()["revision"] == 1
    stale = put({"rationale": "older text", "base_revision": 0})
    assert stale.status_code == 409
    assert stale.json()["revision"] == 1 and stale.json()["draft"]["rationale"] == "newer text"
    assert put({"rationale": "x", "base_revision": -1}).status_code == 400
    assert Judgment.objects.get(assignment=assignment).rationale == "newer text"


@pytest.mark.parametrize("who", ["lead", "reviewer", "annotator2", "outsider"])
def test_only_the_assignments_annotator_may_save_its_draft(
    client: Client, assignment: Assignment, who: str, request: pytest.FixtureRequest
) -> None:
    """Every role other than the assignment's own annotator gets 404, on the page and the API alike."""
    user: User = request.getfixturevalue(who)
    project: Project = assignment.task.project
    roles = {"lead": Role.LEAD, "reviewer": Role.REVIEWER, "annotator2": Role.ANNOTATOR}
    if who in roles:
        services.add_member(project=project, user=user, role=roles[who])
    client.force_login(user)
    assert _page_save(client, assignment, "not mine", 0).status_code == 404
    auth = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    api = client.put(
        f"/api/v1/assignments/{assignment.pk}/draft",
        {"rationale": "not mine", "base_revision": 0},
        content_type="application/json",
        headers=auth,
    )
    assert api.status_code == 404
    assert not Judgment.objects.filter(assignment=assignment).exists()


def test_anonymous_page_saves_are_sent_to_log_in(client: Client, assignment: Assignment) -> None:
    assert _page_save(client, assignment, "anon", 0).status_code == 302
