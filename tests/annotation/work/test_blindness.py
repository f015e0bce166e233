"""Blindness (issue 11, finding 1): everything the annotator's browser or API sees is in their own letters.

Stored labels follow the import file's order; if a form field, an attribute, or the order of a list
carried them, an annotator could tell which model wrote which response whenever imports list models in
a fixed order. Every test here uses an assignment whose shuffled order (C, A, B) differs from the
stored one, so the annotator's A is stored C, their B is stored A and their C is stored B.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import Assignment, Judgment, TestCase, TestResult, TestRun
from annotation.work import judging, queue
from tasks.models import Project, User
from tests.annotation.work.test_workspace_api import Api
from tests.conftest import RATIONALE, claimable_project

SHOWN = ["C", "A", "B"]  # the stored labels in the annotator's order: their A, B, C
LETTER = {"C": "A", "A": "B", "B": "C"}  # stored label -> the annotator's letter
RUBRIC = ["correctness", "efficiency", "readability", "security", "instruction_following"]


@pytest.fixture
def project(annotator: User) -> Project:
    return claimable_project(annotators=[annotator], tasks=1, responses=3, min_tests=0)


@pytest.fixture
def assignment(project: Project, annotator: User) -> Assignment:
    claimed = queue.claim_next_assignment(project=project, annotator=annotator)
    claimed.response_order = SHOWN
    claimed.save(update_fields=["response_order"])
    return claimed


class Attributes(HTMLParser):
    """Every tag's attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def attributes(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Attributes()
    parser.feed(html)
    return parser.tags


def letters_by_family(html: str) -> dict[str, list[str]]:
    """Each response-naming attribute family ("rank-*", "rating-*-correctness", "response-*", ...) with
    the letters it names, in document order: names, ids, labels' targets and data- attributes."""
    families: dict[str, list[str]] = {}
    for _tag, attrs in attributes(html):
        for key, value in attrs.items():
            if key in ("name", "id", "for") or key.startswith("data-"):
                match = re.fullmatch(r"([a-z_]+-)([A-H])((?:-[a-z_]+)?)", value)
                if match:
                    families.setdefault(f"{match[1]}*{match[3]}", []).append(match[2])
    return families


def page(client: Client, annotator: User, assignment: Assignment) -> str:
    client.force_login(annotator)
    answer = client.get(f"/work/{assignment.pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


def full_form_by_letters() -> dict[str, str]:
    """A complete judgment as the page posts it: the annotator ranks their B first, then A, then C."""
    form = {"rank-B": "1", "rank-A": "2", "rank-C": "3", "rationale": RATIONALE, "comment-A": "my A"}
    form.update(
        {f"rating-{letter}-{key}": str(score) for letter, score in zip("ABC", (2, 5, 1), strict=True) for key in RUBRIC}
    )
    return form


def test_every_name_on_the_page_is_in_the_annotators_letters(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """The form's names used stored labels: rank-C came first on the page, so C was the annotator's A."""
    html = page(client, annotator, assignment)

    families = letters_by_family(html)

    named = ("rank-*", "comment-*", "response-*", "tab-*", *(f"rating-*-{key}" for key in RUBRIC))
    for family in named:
        assert families.get(family) == ["A", "B", "C"], family
    assert set(families) <= set(named)
    hidden = [attrs["name"] for tag, attrs in attributes(html) if tag == "input" and attrs.get("type") == "hidden"]
    # line_comments: JSON in letters (see test_line_comments); base_revision: a number
    assert set(hidden) <= {"csrfmiddlewaretoken", "line_comments", "base_revision"}
    marks = {
        label: code.rsplit("#", 1)[1].strip() for label, code in assignment.task.responses.values_list("label", "code")
    }
    for stored, letter in LETTER.items():  # each letter's panel holds that letter's code (marked "# i")
        panel = html.split(f'id="response-{letter}"', 1)[1].split("</section>", 1)[0]
        assert [label for label, mark in marks.items() if f"# {mark}" in panel] == [stored]


def test_a_draft_posted_by_letters_is_stored_by_labels_and_comes_back_by_letters(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """from_form read rank-A as stored A, so the annotator's ranking landed on other responses."""
    client.force_login(annotator)

    saved = client.post(
        f"/work/{assignment.pk}/draft", {"rank-A": "1", "rank-C": "2", "rating-A-correctness": "5", "comment-B": "b!"}
    )

    assert saved.status_code == 200, saved.content
    judgment = Judgment.objects.get(assignment=assignment)
    assert judgment.ranking == [["C"], ["B"]]  # their A is stored C, their C is stored B
    assert judgment.ratings == {"C": {"correctness": 5}}
    assert judgment.comments == {"A": "b!"}
    html = page(client, annotator, assignment)
    rank_a = html.split('name="rank-A"', 1)[1].split("</select>", 1)[0]
    rank_c = html.split('name="rank-C"', 1)[1].split("</select>", 1)[0]
    rating_a = html.split('name="rating-A-correctness"', 1)[1].split("</select>", 1)[0]
    assert '<option value="1" selected>' in rank_a and '<option value="2" selected>' in rank_c
    assert '<option value="5" selected>' in rating_a
    assert re.search(r'name="comment-B" value="b!"', html)


def test_a_whole_judgment_submitted_by_letters_keeps_the_right_stored_labels(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """The browser-free round trip: the form by letters in, the judgment by stored labels out."""
    client.force_login(annotator)

    answer = client.post(f"/work/{assignment.pk}/submit", full_form_by_letters())

    assert answer.status_code == 302, answer.content.decode()[:2000]
    judgment = Judgment.objects.get(assignment=assignment)
    assert judgment.submitted_at is not None
    assert judgment.ranking == [["A"], ["C"], ["B"]]  # their B, A, C
    assert {label: scores["correctness"] for label, scores in judgment.ratings.items()} == {"C": 2, "A": 5, "B": 1}
    assert judgment.comments == {"C": "my A"}


def test_the_pairwise_scale_reads_the_annotators_a_and_b(client: Client, annotator: User) -> None:
    """The scale's sides are the annotator's A and B whatever the stored order."""
    project = claimable_project(annotators=[annotator], tasks=1, responses=2, min_tests=0)
    project.ranking_mode = "pairwise"
    project.save(update_fields=["ranking_mode"])
    claimed = queue.claim_next_assignment(project=project, annotator=annotator)
    claimed.response_order = ["B", "A"]
    claimed.save(update_fields=["response_order"])
    client.force_login(annotator)

    client.post(f"/work/{claimed.pk}/draft", {"strength": "-2", "rating-A-correctness": "4"})  # their A better

    judgment = Judgment.objects.get(assignment=claimed)
    assert judgment.ranking == [["B"], ["A"]] and judgment.strength == 2
    assert judgment.ratings == {"B": {"correctness": 4}}
    assert 'value="-2" checked' in page(client, annotator, claimed)


def finished_run(assignment: Assignment, passed: dict[str, int]) -> TestRun:
    """A finished run whose results are stored in label order, with the ideal solution in the middle."""
    run = TestRun.objects.create(
        assignment=assignment, test_case=TestCase.objects.create(assignment=assignment, code="def test_x(): pass\n")
    )
    responses = {r.label: r for r in assignment.task.responses.all()}
    for label in ("A", "ideal", "B", "C"):
        TestResult.objects.create(
            test_run=run,
            response=responses.get(label),
            is_ideal=label == "ideal",
            status=TestResult.Status.PASSED,
            passed=passed.get(label, 1),
            tests=[{"name": "test_x", "outcome": "passed", "duration_ms": 1, "message": ""}],
            finished_at=timezone.now(),
        )
    return run


def test_runs_list_results_in_the_annotators_letters_ideal_last(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """runs/latest listed results in stored order (B, ideal, C, A for this annotator): the order gave
    the mapping away."""
    finished_run(assignment, {})
    api = Api(client, annotator)

    latest = api.get(f"assignments/{assignment.pk}/runs/latest")

    assert [r["response"] for r in latest.json()["results"]] == ["A", "B", "C", "ideal"]
    html = page(client, annotator, assignment)
    body = html.split('id="results"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>\s*<th>([^<]+)</th>", body)
    assert rows == ["A", "B", "C", "Ideal"]


def test_the_apis_judgment_lists_letters_in_order(client: Client, annotator: User, assignment: Assignment) -> None:
    """Ratings and comments came back keyed in stored order ({"B":.., "C":.., "A":..}) and a tie group
    in stored order (["B", "A"]): the order of the keys gave the mapping away."""
    judging.save_draft(
        assignment=assignment,
        data={
            "ranking": [["A", "C"], ["B"]],
            "ratings": {label: {"correctness": 3} for label in "ABC"},
            "comments": {label: f"on {label}" for label in "ABC"},
        },
    )
    api = Api(client, annotator)

    judgment = api.get(f"assignments/{assignment.pk}").json()["judgment"]

    assert judgment["ranking"] == [["A", "B"], ["C"]]
    assert list(judgment["ratings"]) == ["A", "B", "C"]
    assert list(judgment["comments"]) == ["A", "B", "C"]
    assert judgment["comments"]["A"] == "on C"


def test_evidence_conflicts_are_listed_in_the_annotators_order(
    client: Client, annotator: User, assignment: Assignment
) -> None:
    """The pairs of a ranking that goes against the tests were sorted by stored labels."""
    finished_run(assignment, {"A": 3, "C": 2, "B": 1})  # their B passed most, then A, then C
    api = Api(client, annotator)
    body = {
        "ranking": [["C"], ["A"], ["B"]],  # their C (passed least) first
        "ratings": {letter: dict.fromkeys(RUBRIC, 3) for letter in "ABC"},
        "rationale": RATIONALE,
    }

    refused = api.post(f"assignments/{assignment.pk}/submit", body)

    assert refused.status_code == 409, refused.content
    assert refused.json()["pairs"] == [["A", "B"], ["C", "A"], ["C", "B"]]
