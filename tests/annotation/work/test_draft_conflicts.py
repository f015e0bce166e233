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


@pytest.fixture
def ready(annotator: User) -> Assignment:
    """An assignment whose project needs no test run, so a complete form submits."""
    project = claimable_project(annotators=[annotator], min_tests=0)
    return queue.claim_next_assignment(project=project, annotator=annotator)


def _complete_form(assignment: Assignment, rationale: str) -> dict[str, str]:
    letters = [assignment.display_label(label) for label in assignment.response_order]
    form = {f"rank-{letter}": str(i + 1) for i, letter in enumerate(letters)}
    form.update(
        {f"rating-{letter}-{d['key']}": "3" for letter in letters for d in assignment.task.project.rubric},
        rationale=rationale,
    )
    return form


def test_a_submit_from_a_page_older_than_the_saved_draft_is_refused_and_keeps_both_texts(
    client: Client, ready: Assignment
) -> None:
    """Catches a submit that saves over a newer draft (another tab's) without asking."""
    client.force_login(ready.annotator)
    judging.save_draft(assignment=ready, data={"rationale": "the other tab's newer text, long enough"})  # rev 1
    mine = "this page's text <b>bold</b>, which started from revision 0"

    refused = client.post(f"/work/{ready.pk}/submit", {**_complete_form(ready, mine), "base_revision": "0"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "saved in another tab or window after this page loaded" in html
    assert "this page&#x27;s text &lt;b&gt;bold&lt;/b&gt;" in html  # this page's text is still on the page, escaped
    assert 'name="base_revision" id="base-revision" value="1"' in html  # submitting again is based on rev 1
    ready.refresh_from_db()
    assert ready.status == Assignment.Status.ACTIVE
    assert Judgment.objects.get(assignment=ready).rationale == "the other tab's newer text, long enough"

    again = client.post(f"/work/{ready.pk}/submit", {**_complete_form(ready, mine), "base_revision": "1"})
    assert again.status_code == 302
    ready.refresh_from_db()
    assert ready.status == Assignment.Status.SUBMITTED and ready.judgment.rationale == mine


def test_a_page_submit_without_a_revision_still_submits(client: Client, ready: Assignment) -> None:
    """An old page (no hidden field) keeps working as before: no check, no refusal."""
    client.force_login(ready.annotator)
    judging.save_draft(assignment=ready, data={"rationale": "something saved before"})
    answer = client.post(f"/work/{ready.pk}/submit", _complete_form(ready, "a rationale of twenty chars or more"))
    assert answer.status_code == 302
    ready.refresh_from_db()
    assert ready.status == Assignment.Status.SUBMITTED


def test_the_api_submit_answers_409_with_the_newer_draft_when_stale(client: Client, ready: Assignment) -> None:
    token = Token.objects.create(user=ready.annotator)
    judging.save_draft(assignment=ready, data={"rationale": "newer text from the page, long enough"})
    letters = [ready.display_label(label) for label in ready.response_order]
    body = {
        "ranking": [[letter] for letter in letters],
        "ratings": {letter: {d["key"]: 3 for d in ready.task.project.rubric} for letter in letters},
        "rationale": "the script's older text, long enough",
    }
    url = f"/api/v1/assignments/{ready.pk}/submit"
    auth = {"Authorization": f"Token {token.key}"}

    stale = client.post(url, {**body, "base_revision": 0}, content_type="application/json", headers=auth)

    assert stale.status_code == 409
    assert (
        stale.json()["revision"] == 1 and stale.json()["draft"]["rationale"] == "newer text from the page, long enough"
    )
    ready.refresh_from_db()
    assert ready.status == Assignment.Status.ACTIVE
    fresh = client.post(url, {**body, "base_revision": 1}, content_type="application/json", headers=auth)
    assert fresh.status_code == 200
