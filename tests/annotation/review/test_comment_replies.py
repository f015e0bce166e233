"""Reviewers read each response's line comments and reply in their threads (page and API); the annotator
sees the replies when the work comes back, and nobody else's workspace ever shows them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from annotation.models import Assignment, CommentReply
from annotation.review import services as review
from annotation.work import judging, queue
from tasks import services
from tasks.models import Project, Role, User
from tests.annotation.work.test_workspace_api import Api
from tests.conftest import claimable_project, submit_judgment

ATTACK = "<script>alert(1)</script><b>bold</b>"


def note(**fields: Any) -> dict[str, Any]:
    return {"id": "c1", "label": "A", "start": 1, "end": 2, "category": "security", "severity": "critical", **fields}


@pytest.fixture
def scene(annotator: User, annotator2: User, reviewer: User, lead: User) -> tuple[Project, Assignment, Assignment]:
    """The annotator's submitted judgment with one comment on stored A (lines 1-2), and annotator2's
    active assignment of the same task."""
    project = claimable_project(annotators=[annotator, annotator2], tasks=1, overlap=2, min_tests=0)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    mine = queue.claim_next_assignment(project=project, annotator=annotator)
    submit_judgment(mine, line_comments=[note(text="Injects the input into SQL.")])
    theirs = queue.claim_next_assignment(project=project, annotator=annotator2)
    return project, mine, theirs


def test_the_review_page_shows_each_comment_and_a_reviewer_replies(client: Client, scene, reviewer: User) -> None:
    _project, mine, _theirs = scene
    client.force_login(reviewer)
    letter = mine.display_label("A")

    page = client.get(f"/review/{mine.pk}/").content.decode()
    answer = client.post(f"/review/{mine.pk}/replies", {"comment_id": "c1", "text": "Which input exactly?"})
    after = client.get(f"/review/{mine.pk}/").content.decode()

    card = page.split(f"<h2>Response {letter} ", 1)[1].split("</section>", 1)[0]
    assert "Lines 1\u20132" in card and "Security" in card and "critical" in card
    assert "Injects the input into SQL." in card and 'name="comment_id" value="c1"' in card
    assert answer.status_code == 302 and answer["Location"] == f"/review/{mine.pk}/#lc-c1"
    assert "Which input exactly?" in after and reviewer.username in after.split('id="lc-c1"', 1)[1]


def test_a_reply_to_an_unknown_comment_or_without_text_is_refused(client: Client, scene, reviewer: User) -> None:
    _project, mine, _theirs = scene
    client.force_login(reviewer)

    unknown = client.post(f"/review/{mine.pk}/replies", {"comment_id": "zz", "text": "?"}, follow=True)
    blank = client.post(f"/review/{mine.pk}/replies", {"comment_id": "c1", "text": ""}, follow=True)

    assert "Reply not added: that comment is not among the judgment" in unknown.content.decode()
    assert "Reply not added: text:" in blank.content.decode()
    assert not CommentReply.objects.exists()


def test_who_may_reply_on_the_page(
    client: Client, scene, annotator: User, annotator2: User, reviewer: User, lead: User, outsider: User
) -> None:
    """Only reviewers and leads of the project; everyone else gets the same 404 as for a missing id,
    the annotator of the work included (they answer from their workspace)."""
    _project, mine, _theirs = scene
    expected = {outsider: 404, annotator: 404, annotator2: 404, reviewer: 302, lead: 302}
    for user, status in expected.items():
        client.force_login(user)
        answer = client.post(f"/review/{mine.pk}/replies", {"comment_id": "c1", "text": f"by {user.username}"})
        assert answer.status_code == status, user.username
    client.logout()
    assert client.post(f"/review/{mine.pk}/replies", {"comment_id": "c1", "text": "anon"}).status_code == 302
    authors = sorted(CommentReply.objects.values_list("author__username", flat=True))
    assert authors == sorted([reviewer.username, lead.username])


def test_the_reply_form_needs_csrf(scene, reviewer: User) -> None:
    _project, mine, _theirs = scene
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reviewer)

    assert strict.post(f"/review/{mine.pk}/replies", {"comment_id": "c1", "text": "hi"}).status_code == 403


def test_markup_in_comments_and_replies_is_escaped_on_the_review_page(
    client: Client, annotator: User, reviewer: User
) -> None:
    project = claimable_project(annotators=[annotator], tasks=1, min_tests=0)
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    assignment = queue.claim_next_assignment(project=project, annotator=annotator)
    judgment = submit_judgment(assignment, line_comments=[note(text=ATTACK)])
    CommentReply.objects.create(judgment=judgment, comment_id="c1", author=reviewer, text=ATTACK)
    client.force_login(reviewer)

    html = client.get(f"/review/{assignment.pk}/").content.decode()

    assert "<script>alert(1)" not in html and "<b>bold</b>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;") == 2


def test_the_annotator_sees_the_reply_after_send_back_and_the_other_annotator_never(
    client: Client, scene, annotator: User, annotator2: User, reviewer: User
) -> None:
    project, mine, theirs = scene
    judging.save_draft(assignment=theirs, data={"line_comments": [note(text="Their own note.")]})  # same id c1
    client.force_login(reviewer)
    client.post(f"/review/{mine.pk}/replies", {"comment_id": "c1", "text": "Show me the payload."})
    review.review_judgment(assignment=mine, reviewer=reviewer, verdict="send_back", feedback="See my reply.")

    client.force_login(annotator)
    assert client.post(f"/projects/{project.slug}/start")["Location"] == f"/work/{mine.pk}/"
    own = client.get(f"/work/{mine.pk}/").content.decode()
    own_api = Api(client, annotator).get(f"assignments/{mine.pk}").json()
    client.force_login(annotator2)
    other = client.get(f"/work/{theirs.pk}/").content.decode()
    other_api = Api(client, annotator2).get(f"assignments/{theirs.pk}").json()
    peek = client.get(f"/work/{mine.pk}/")

    setup = json.loads(own.split('id="line-comment-setup" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert [r["text"] for r in setup["replies"]["c1"]] == ["Show me the payload."]
    assert own_api["comment_replies"]["c1"][0]["author"] == reviewer.username
    assert own_api["judgment"]["line_comments"][0]["text"] == "Injects the input into SQL."
    for leak in ("Show me the payload.", "Injects the input into SQL."):
        assert leak not in other and leak not in json.dumps(other_api)
    assert other_api["comment_replies"] == {} and peek.status_code == 404
    assert other_api["judgment"]["line_comments"][0]["text"] == "Their own note."


def test_the_review_api_lists_comments_with_replies_and_takes_a_reply(
    client: Client, scene, reviewer: User, annotator: User, outsider: User, lead: User
) -> None:
    _project, mine, _theirs = scene
    api = Api(client, reviewer)

    posted = api.post(f"assignments/{mine.pk}/comments", {"comment_id": "c1", "text": "Where?"})
    listed = api.get(f"assignments/{mine.pk}/comments")
    bad = api.post(f"assignments/{mine.pk}/comments", {"comment_id": "nope", "text": "Where?"})

    assert posted.status_code == 201 and posted.json()["author"] == reviewer.username
    (item,) = listed.json()
    assert item | {"replies": None} == {
        "id": "c1",
        "response": mine.display_label("A"),
        "label": "A",
        "start": 1,
        "end": 2,
        "category": "security",
        "severity": "critical",
        "text": "Injects the input into SQL.",
        "replies": None,
    }
    assert [(r["author"], r["text"]) for r in item["replies"]] == [(reviewer.username, "Where?")]
    assert bad.status_code == 400 and "not among" in bad.json()["detail"]
    for user, status in ((annotator, 404), (outsider, 404), (lead, 200)):
        assert Api(client, user).get(f"assignments/{mine.pk}/comments").status_code == status, user.username
    assert (
        Api(client, annotator).post(f"assignments/{mine.pk}/comments", {"comment_id": "c1", "text": "x"}).status_code
        == 404
    )
    assert client.get(f"/api/v1/assignments/{mine.pk}/comments").status_code == 401
    assert CommentReply.objects.count() == 1
