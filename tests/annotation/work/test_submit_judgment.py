"""Drafts and submission: revisions, validation, the evidence check, idempotent submit."""

from __future__ import annotations

import pytest

from annotation import rankings
from annotation.models import Assignment, Judgment
from annotation.work import judging, queue, runs
from tasks.models import User
from tests.conftest import claimable_project

RUBRIC = ["correctness", "efficiency", "readability", "security", "instruction_following"]


@pytest.fixture
def assignment(annotator: User) -> Assignment:
    return queue.claim_next_assignment(project=claimable_project(annotators=[annotator]), annotator=annotator)


def full(assignment: Assignment, **overrides) -> dict:
    labels = assignment.response_order
    data = {
        "ranking": [[labels[0]], [labels[1]]],
        "ratings": {label: dict.fromkeys(RUBRIC, 4) for label in labels},
        "comments": {labels[1]: "misses the empty case"},
        "rationale": "The first handles empty input; the second raises IndexError on [].",
    }
    return {**data, **overrides}


def record_verdicts(assignment: Assignment, passes: dict[str, int], total: int = 2) -> None:
    """Run the annotator's tests and record the sandbox verdict for each response."""
    run = runs.run_tests(assignment=assignment, code="def test_x():\n    pass\n")
    for result in run.results.select_related("response"):
        label = result.response.label if result.response else ""
        tests = [{"name": f"t{i}", "outcome": "passed" if i < passes[label] else "failed"} for i in range(total)]
        status = "passed" if passes[label] == total else "failed"
        verdict = {"status": status, "tests": tests, "passed": passes[label], "failed": total - passes[label]}
        runs.record_test_result(test_result_id=result.pk, result=verdict)


def test_drafts_keep_a_revision_per_change_and_none_for_a_repeat(assignment: Assignment) -> None:
    judging.save_draft(assignment=assignment, data={"rationale": "first thoughts"})
    judging.save_draft(assignment=assignment, data={"rationale": "first thoughts"})
    judgment = judging.save_draft(assignment=assignment, data={"rationale": "second thoughts"})

    assert [r.data["rationale"] for r in judgment.revisions.all()] == ["first thoughts", "second thoughts"]
    assert Judgment.objects.get(assignment=assignment).rationale == "second thoughts"


def test_a_draft_with_a_foreign_label_is_refused(assignment: Assignment) -> None:
    with pytest.raises(judging.JudgmentInvalid) as info:
        judging.save_draft(assignment=assignment, data={"ranking": [["Z"]]})

    assert "ranking" in info.value.errors


def test_submit_says_everything_that_is_missing(assignment: Assignment) -> None:
    with pytest.raises(judging.JudgmentInvalid) as info:
        judging.submit_judgment(assignment=assignment, data={"rationale": "too short"})

    errors = info.value.errors
    assert errors["ranking"] == "rank every response (ties are allowed): responses A, B not ranked"
    assert errors["ratings"] == "rate responses A, B on every dimension"
    assert errors["rationale"] == "write at least 20 characters (you have 9)"
    assert errors["tests"] == "run at least 1 test first (your last run had 0)"


def test_a_complete_judgment_submits_once_even_when_clicked_twice(assignment: Assignment) -> None:
    first, second = assignment.response_order
    record_verdicts(assignment, {first: 2, second: 1})

    judgment = judging.submit_judgment(assignment=assignment, data=full(assignment))
    again = judging.submit_judgment(assignment=assignment, data=full(assignment))

    assignment.refresh_from_db()
    assert again.pk == judgment.pk and assignment.status == Assignment.Status.SUBMITTED
    assert judgment.revisions.filter(submitted=True).count() == 1
    assert judgment.evidence_conflict is False


def test_ranking_against_your_own_tests_needs_a_confirmed_reason(assignment: Assignment) -> None:
    first, second = assignment.response_order
    record_verdicts(assignment, {first: 0, second: 2})  # the one ranked first passed fewer tests

    with pytest.raises(judging.EvidenceConflict) as info:
        judging.submit_judgment(assignment=assignment, data=full(assignment))
    judgment = judging.submit_judgment(
        assignment=assignment,
        data=full(assignment),
        confirm_evidence=True,
        evidence_note="The tests that B passes only check types; A is correct on the real cases.",
    )

    assert info.value.pairs == [(first, second)]
    assert judgment.evidence_conflict is True and "only check types" in judgment.evidence_note


def test_the_evidence_note_needs_ten_characters_after_trimming(assignment: Assignment) -> None:
    """Catches the note's minimum dropped, measured before strip(), made strict (> 10), or the
    confirmation itself ignored."""
    first, second = assignment.response_order
    record_verdicts(assignment, {first: 0, second: 2})

    with pytest.raises(judging.EvidenceConflict):  # 9 characters once trimmed, 15 as typed
        judging.submit_judgment(
            assignment=assignment, data=full(assignment), confirm_evidence=True, evidence_note="   too short   "
        )
    with pytest.raises(judging.EvidenceConflict):  # a note, but not confirmed
        judging.submit_judgment(assignment=assignment, data=full(assignment), evidence_note="B's tests are trivial.")
    judgment = judging.submit_judgment(
        assignment=assignment, data=full(assignment), confirm_evidence=True, evidence_note="  tests lie.  "
    )

    assert judgment.evidence_conflict is True and judgment.evidence_note == "tests lie."


def record_all_skipped(assignment: Assignment, passing: tuple[str, ...] = ()) -> None:
    """A run whose two tests were skipped on every response (the sandbox's verdict: status "error",
    "every test was skipped", nothing passed), except the responses in `passing`, which pass both."""
    code = "import pytest\n" + "".join(
        f"\n\n@pytest.mark.skip\ndef {name}():\n    pass\n" for name in ("test_a", "test_b")
    )
    run = runs.run_tests(assignment=assignment, code=code)
    for result in run.results.select_related("response"):
        label = result.response.label if result.response else ""
        if label in passing:
            tests = [{"name": name, "outcome": "passed"} for name in ("test_a", "test_b")]
            verdict = {"status": "passed", "tests": tests, "passed": 2, "failed": 0}
        else:
            tests = [{"name": name, "outcome": "skipped"} for name in ("test_a", "test_b")]
            verdict = {"status": "error", "message": "every test was skipped", "tests": tests, "passed": 0, "failed": 0}
        runs.record_test_result(test_result_id=result.pk, result=verdict)


def test_a_run_whose_every_test_was_skipped_does_not_meet_the_minimum(assignment: Assignment) -> None:
    """Catches skipped tests counted as tests run (project minimum: 1 test)."""
    record_all_skipped(assignment)

    with pytest.raises(judging.JudgmentInvalid) as info:
        judging.submit_judgment(assignment=assignment, data=full(assignment))

    assert info.value.errors == {"tests": "run at least 1 test first (your last run had 0)"}


def test_a_response_whose_every_test_was_skipped_passed_none_for_the_evidence_check(assignment: Assignment) -> None:
    """Catches skipped tests counted as passed, or an errored (all-skipped) result left out of the
    evidence check: ranking it above a response that passed both tests is a conflict."""
    first, second = assignment.response_order
    record_all_skipped(assignment, passing=(second,))

    assert {r.label: r.passed for r in runs.latest_results(assignment)} == {first: 0, second: 2}
    with pytest.raises(judging.EvidenceConflict) as info:
        judging.submit_judgment(assignment=assignment, data=full(assignment))  # ranks `first` first
    assert info.value.pairs == [(first, second)]


def test_pairwise_strength_maps_the_annotators_scale_to_labels(assignment: Assignment) -> None:
    first, second = assignment.response_order

    assert rankings.from_strength(first, second, -3) == ([[first], [second]], 3)
    assert rankings.from_strength(first, second, 2) == ([[second], [first]], 2)
    assert rankings.from_strength(first, second, 0) == ([[first, second]], 0)


def test_nobody_else_can_submit_a_skipped_assignment(assignment: Assignment) -> None:
    queue.skip_assignment(assignment=assignment, reason="not my language")

    with pytest.raises(judging.JudgmentInvalid, match="no longer yours"):
        judging.submit_judgment(assignment=assignment, data=full(assignment))


def test_the_ranking_error_names_the_unranked_response_by_the_annotators_letter(assignment: Assignment) -> None:
    """ "Rank every response" did not say which one was missing."""
    ranked = assignment.response_order[0]  # the annotator's A

    with pytest.raises(judging.JudgmentInvalid) as info:
        judging.submit_judgment(assignment=assignment, data={"ranking": [[ranked]]})

    assert info.value.errors["ranking"].endswith("response B not ranked")


def test_the_ratings_message_names_each_missing_dimension(assignment: Assignment) -> None:
    """Catches a message that only says "every dimension" when one rating of one response is missing."""
    rubric = assignment.task.project.rubric
    full = {d["key"]: 3 for d in rubric}
    letters = {assignment.display_label(label): label for label in assignment.response_order}
    partial = {k: v for k, v in full.items() if k not in ("security", "efficiency")}
    data = {"ratings": {letters["A"]: full, letters["B"]: partial}}
    with pytest.raises(judging.JudgmentInvalid) as info:
        judging.submit_judgment(assignment=assignment, data=data)

    assert info.value.errors["ratings"] == "rate response B on Efficiency, Security"
