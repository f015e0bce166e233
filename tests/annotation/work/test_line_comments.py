"""Line comments on a response: checked by the one validator, saved with the draft (revisions, 409), in the
annotator's letters on the page and in the API, stored in labels; the annotator's replies to a thread.

The assignment shows the stored labels in the order C, A, B: the annotator's A is stored C, B is A, C is B.
"""

from __future__ import annotations

import json
from html import unescape
from typing import Any

import pytest
from django.test import Client

from annotation.models import Assignment, CommentReply, Judgment
from annotation.work import judging, judgment_input, queue
from annotation.work.judgment_input import JudgmentInvalid
from tasks.models import Project, User
from tests.annotation.work.test_workspace_api import Api
from tests.conftest import claimable_project

SHOWN = ["C", "A", "B"]
CODE = "def add(a, b):\n    total = a + b\n    return total\n"  # 3 lines


@pytest.fixture
def project(annotator: User) -> Project:
    project = claimable_project(annotators=[annotator], tasks=1, responses=3, min_tests=0)
    project.tasks.get().responses.update(code=CODE)
    return project


@pytest.fixture
def assignment(project: Project, annotator: User) -> Assignment:
    claimed = queue.claim_next_assignment(project=project, annotator=annotator)
    claimed.response_order = SHOWN
    claimed.save(update_fields=["response_order"])
    return claimed


def comment(**fields: Any) -> dict[str, Any]:
    """A valid comment in stored labels (what clean sees); fields override."""
    return {
        "id": "c1",
        "label": "C",
        "start": 1,
        "end": 2,
        "category": "bug",
        "severity": "major",
        "text": "x",
        **fields,
    }


def refused(assignment: Assignment, *comments: dict[str, Any]) -> str:
    with pytest.raises(JudgmentInvalid) as wrong:
        judgment_input.clean(assignment, {"line_comments": list(comments)})
    return wrong.value.errors["line_comments"]


# --- the validator


def test_a_valid_comment_is_kept_with_its_known_keys_only(assignment: Assignment) -> None:
    clean = judgment_input.clean(assignment, {"line_comments": [comment(extra="dropped")]})

    assert clean["line_comments"] == [comment()]


def test_lines_outside_the_response_are_refused_naming_response_and_lines(assignment: Assignment) -> None:
    """Catches an off-by-one in the line count (3 lines: 4 is out, 3 is in) and an unchecked start > end."""
    assert refused(assignment, comment(start=3, end=4)) == (
        "comment 1 (response A, lines 3-4): the lines must be within 1-3 of the response, start no later than end"
    )
    assert "lines must be within" in refused(assignment, comment(start=0, end=1))
    assert "lines must be within" in refused(assignment, comment(start=3, end=2))
    assert "start and end must be line numbers" in refused(assignment, comment(start="1"))
    assert "start and end must be line numbers" in refused(assignment, comment(end=True))
    judgment_input.clean(assignment, {"line_comments": [comment(start=3, end=3)]})


def test_the_line_count_is_the_panels_not_splitlines(assignment: Assignment) -> None:
    """A form feed or U+2028 inside a line is no line end for the panels: str.splitlines would allow line 4."""
    response = assignment.task.responses.get(label="C")
    response.code = "x = 1\x0c\u2028y = 2\nz = 3\n"  # 2 lines as numbered on the page
    response.save(update_fields=["code"])

    assert "within 1-2" in refused(assignment, comment(start=3, end=3))


def test_an_unknown_category_or_severity_is_refused(assignment: Assignment) -> None:
    assert refused(assignment, comment(category="typo")) == (
        "comment 1 (response A, lines 1-2): the category must be one of this project's: "
        "bug, security, performance, style, explanation, other"
    )
    assert refused(assignment, comment(severity="blocker")).endswith(
        "the severity must be one of minor, major, critical"
    )


def test_the_categories_are_the_projects_own(project: Project, assignment: Assignment) -> None:
    project.comment_categories = [{"key": "naming", "label": "Naming"}]
    project.save(update_fields=["comment_categories"])
    assignment.task.project.refresh_from_db()

    assert "one of this project's: naming" in refused(assignment, comment(category="bug"))
    judgment_input.clean(assignment, {"line_comments": [comment(category="naming")]})


def test_an_unknown_response_is_refused_by_the_letter_the_annotator_sent(assignment: Assignment) -> None:
    data = judgment_input.from_letters(assignment, {"line_comments": [comment(label="Z")]})

    with pytest.raises(JudgmentInvalid) as wrong:
        judgment_input.clean(assignment, data)
    assert wrong.value.errors["line_comments"] == "comment 1 (response Z, lines 1-2): this task has no response Z"


def test_ids_must_be_well_formed_and_unique(assignment: Assignment) -> None:
    assert refused(assignment, comment(), comment(label="A", start=1, end=1)) == (
        "comment 2 (response B, line 1): its id c1 is used by another comment; each comment needs its own"
    )
    assert "its id must be" in refused(assignment, comment(id="has space"))
    assert "its id must be" in refused(assignment, comment(id="x" * 65))
    assert "its id must be" in refused(assignment, comment(id=""))
    judgment_input.clean(assignment, {"line_comments": [comment(id="a" * 64)]})


def test_text_must_be_given_and_within_the_limit(assignment: Assignment) -> None:
    assert refused(assignment, comment(text="  \n")).endswith("write the comment's text")
    too_long = refused(assignment, comment(text="x" * (judgment_input.MAX_TEXT + 1)))
    assert "its text is 65,537 characters long; the limit is 65,536" in too_long


def test_the_count_is_capped(assignment: Assignment) -> None:
    many = [comment(id=f"c{i}") for i in range(judgment_input.MAX_LINE_COMMENTS + 1)]

    assert refused(assignment, *many).startswith("at most 200 line comments (there are 201)")
    judgment_input.clean(assignment, {"line_comments": many[:-1]})


def test_not_a_list_of_objects_is_refused(assignment: Assignment) -> None:
    for value in ({"id": "c1"}, ["c1"], None):
        with pytest.raises(JudgmentInvalid) as wrong:
            judgment_input.clean(assignment, {"line_comments": value})
        assert wrong.value.errors["line_comments"].startswith("line comments are a list of")


# --- the page: the hidden input, autosave, revisions, conflicts


def form_value(*comments: dict[str, Any]) -> str:
    return json.dumps(list(comments))


def test_autosave_stores_labels_keeps_a_revision_and_the_page_shows_letters(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """Catches from_form ignoring the input, letters stored as labels, and FIELDS without line_comments
    (no revision of a change that only touches the comments)."""
    client.force_login(annotator)
    sent = [
        {"id": "b-2", "label": "B", "start": 2, "end": 3, "category": "style", "severity": "minor", "text": "name"},
        {"id": "a-1", "label": "A", "start": 1, "end": 1, "category": "bug", "severity": "critical", "text": "x<y"},
    ]

    saved = client.post(f"/work/{assignment.pk}/draft", {"rationale": "r", "line_comments": form_value(*sent)})
    again = client.post(f"/work/{assignment.pk}/draft", {"rationale": "r", "line_comments": form_value(sent[1])})

    assert saved.status_code == 200 and again.json()["revision"] == 2  # a comment deleted: a new revision
    judgment = Judgment.objects.get(assignment=assignment)
    assert judgment.line_comments == [{**sent[1], "label": "C"}]  # the annotator's A is stored C
    first = judgment.revisions.get(number=1).data["line_comments"]
    assert [(c["id"], c["label"]) for c in first] == [("a-1", "C"), ("b-2", "A")]  # stored sorted by letter
    html = client.get(f"/work/{assignment.pk}/").content.decode()
    value = unescape(html.split('id="line-comments" value="', 1)[1].split('"', 1)[0])
    assert value == judgment_input.line_comments_json(assignment, judgment)
    assert json.loads(value) == [sent[1]]  # back in the annotator's letter, keys in the page's order


def test_a_form_without_the_input_leaves_the_comments_alone_and_a_blank_one_clears_them(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    client.force_login(annotator)
    letters = {**comment(), "label": "A"}
    client.post(f"/work/{assignment.pk}/draft", {"line_comments": form_value(letters)})

    client.post(f"/work/{assignment.pk}/draft", {"rationale": "an older page"})
    kept = Judgment.objects.get(assignment=assignment).line_comments
    client.post(f"/work/{assignment.pk}/draft", {"line_comments": ""})

    assert kept == [comment()] and Judgment.objects.get(assignment=assignment).line_comments == []


def test_a_bad_comment_is_refused_with_its_message_and_saves_nothing(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    client.force_login(annotator)
    bad = {**comment(start=9, end=9), "label": "B"}

    answer = client.post(f"/work/{assignment.pk}/draft", {"rationale": "r", "line_comments": form_value(bad)})
    broken = client.post(f"/work/{assignment.pk}/draft", {"line_comments": "[{not json"})

    assert answer.status_code == 400
    assert answer.json()["errors"]["line_comments"].startswith("comment 1 (response B, line 9): the lines must")
    assert broken.status_code == 400 and "a list of" in broken.json()["errors"]["line_comments"]
    assert not Judgment.objects.filter(assignment=assignment).exists()


def test_a_stale_save_of_comments_gets_409_with_the_newer_comments_in_letters(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """Catches form_fields without line_comments: the page would load the newer draft without them."""
    client.force_login(annotator)
    newer = {**comment(id="new"), "label": "A"}
    client.post(f"/work/{assignment.pk}/draft", {"line_comments": form_value(newer), "base_revision": "0"})

    stale = client.post(
        f"/work/{assignment.pk}/draft", {"line_comments": form_value({**newer, "text": "y"}), "base_revision": "0"}
    )

    assert stale.status_code == 409
    assert json.loads(stale.json()["fields"]["line_comments"]) == [newer]


def test_submit_keeps_the_comments_and_does_not_require_them(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    rubric = [d["key"] for d in assignment.task.project.rubric]
    form = {f"rank-{x}": str(i) for i, x in enumerate("ABC", 1)} | {"rationale": "A is right; B and C fail []."}
    form |= {f"rating-{x}-{k}": "3" for x in "ABC" for k in rubric}
    client.force_login(annotator)

    client.post(f"/work/{assignment.pk}/submit", {**form, "line_comments": form_value({**comment(), "label": "C"})})

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED
    assert assignment.judgment.line_comments == [comment(label="B")]  # the annotator's C is stored B


def test_comment_text_with_markup_is_escaped_on_the_workspace(
    client: Client, annotator: User, assignment: Assignment, reviewer: User
) -> None:
    """The text reaches the page only inside the hidden input's value and the setup JSON (replies)."""
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    judging.save_draft(assignment=assignment, data={"line_comments": [comment(text=attack)]})
    CommentReply.objects.create(judgment=assignment.judgment, comment_id="c1", author=reviewer, text=attack)
    client.force_login(annotator)

    html = client.get(f"/work/{assignment.pk}/").content.decode()

    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the input's value
    setup = json.loads(html.split('id="line-comment-setup" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert setup["replies"]["c1"][0]["text"] == attack and setup["replies"]["c1"][0]["author"] == reviewer.username


# --- the API: the same comments in letters


def test_the_api_takes_and_gives_letters_and_stores_labels(
    client: Client, annotator: User, assignment: Assignment, reviewer: User
) -> None:
    api = Api(client, annotator)
    sent = {
        "id": "k9",
        "label": "B",
        "start": 3,
        "end": 3,
        "category": "performance",
        "severity": "minor",
        "text": "O(n²)",
    }

    answer = api.put(f"assignments/{assignment.pk}/draft", {"line_comments": [sent]})
    CommentReply.objects.create(judgment=assignment.judgment, comment_id="k9", author=reviewer, text="Why?")
    shown = api.get(f"assignments/{assignment.pk}").json()

    assert answer.status_code == 200, answer.content
    assert Judgment.objects.get(assignment=assignment).line_comments == [{**sent, "label": "A"}]
    assert shown["judgment"]["line_comments"] == [sent]
    assert shown["comment_replies"]["k9"][0]["text"] == "Why?"
    assert [c["key"] for c in shown["comment_categories"]][:2] == ["bug", "security"]


def test_the_api_refuses_a_bad_comment_with_the_validators_message(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    api = Api(client, annotator)

    answer = api.put(
        f"assignments/{assignment.pk}/draft", {"line_comments": [{**comment(severity="huge"), "label": "A"}]}
    )

    assert answer.status_code == 400
    assert answer.json()["errors"]["line_comments"].endswith("the severity must be one of minor, major, critical")


def test_the_schema_documents_line_comments(client: Client, annotator: User) -> None:
    client.force_login(annotator)

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    fields = schema["components"]["schemas"]["LineComment"]["properties"]
    assert set(fields) == {"id", "label", "start", "end", "category", "severity", "text"}
    assert "/api/v1/assignments/{assignment_id}/comments" in schema["paths"]
    assert set(schema["paths"]["/api/v1/assignments/{assignment_id}/comments"]) >= {"get", "post"}


# --- the annotator's replies


def test_the_annotator_replies_to_a_thread_of_their_own_comment(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    judging.save_draft(assignment=assignment, data={"line_comments": [comment()]})
    client.force_login(annotator)

    answer = client.post(f"/work/{assignment.pk}/replies", {"comment_id": "c1", "text": "  Fixed the range.  "})
    unknown = client.post(f"/work/{assignment.pk}/replies", {"comment_id": "nope", "text": "hello"})
    empty = client.post(f"/work/{assignment.pk}/replies", {"comment_id": "c1", "text": " "})

    assert answer.status_code == 201 and answer.json()["text"] == "Fixed the range."
    assert answer.json()["author"] == annotator.username
    assert (
        unknown.status_code == 400
        and "not among the judgment's saved line comments" in unknown.json()["errors"]["reply"]
    )
    assert empty.status_code == 400
    assert list(CommentReply.objects.values_list("comment_id", "author__username", "text")) == [
        ("c1", annotator.username, "Fixed the range.")
    ]


def test_only_the_annotator_of_the_work_may_reply_there(
    client: Client, assignment: Assignment, annotator2: User, reviewer: User, outsider: User, lead: User
) -> None:
    """Another annotator, a reviewer, the lead and an outsider all get 404 on the workspace's reply URL
    (reviewers reply from the review page)."""
    judging.save_draft(assignment=assignment, data={"line_comments": [comment()]})
    for user in (annotator2, reviewer, outsider, lead):
        client.force_login(user)
        assert client.post(f"/work/{assignment.pk}/replies", {"comment_id": "c1", "text": "hi"}).status_code == 404
    assert not CommentReply.objects.exists()


def test_the_reply_form_needs_csrf(assignment: Assignment, annotator: User) -> None:
    judging.save_draft(assignment=assignment, data={"line_comments": [comment()]})
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(annotator)

    assert strict.post(f"/work/{assignment.pk}/replies", {"comment_id": "c1", "text": "hi"}).status_code == 403
