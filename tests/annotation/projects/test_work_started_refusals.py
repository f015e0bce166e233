"""Once a judgment exists, changes that would make stored judgments wrong are refused with the reason;
additions, labels, help texts, order and `required` stay free."""

from __future__ import annotations

import pytest
from django.test import Client

from annotation.projects import services
from tasks.models import AuditEvent, Project, RankingMode, User
from tests.annotation.projects.conftest import Api, form_data, start_work


def _rubric_without(project: Project, key: str) -> list[dict]:
    return [d for d in project.rubric if d["key"] != key]


def test_before_any_judgment_everything_may_change(creator: User, setup_project: Project) -> None:
    services.update_project(
        project=setup_project,
        actor=creator,
        values={"ranking_mode": RankingMode.PAIRWISE, "rubric": _rubric_without(setup_project, "security")},
    )

    setup_project.refresh_from_db()
    assert setup_project.ranking_mode == RankingMode.PAIRWISE
    assert "security" not in [d["key"] for d in setup_project.rubric]


def test_the_ranking_mode_is_refused_once_work_has_started(
    client: Client, creator: User, annotator: User, setup_project: Project
) -> None:
    start_work(setup_project, annotator)
    client.force_login(creator)

    answer = client.post(f"/projects/{setup_project.slug}/settings/", form_data(setup_project, ranking_mode="pairwise"))

    assert answer.status_code == 400
    assert (
        "1 judgment already uses n-way ranking with ties: the ranking mode cannot change once work has started"
        in answer.content.decode()
    )
    setup_project.refresh_from_db()
    assert setup_project.ranking_mode == RankingMode.RANKING
    assert not AuditEvent.objects.filter(project=setup_project, action="project.updated").exists()


def test_a_draft_counts_as_work_started(creator: User, annotator: User, setup_project: Project) -> None:
    from annotation.work import judging, queue

    assignment = queue.claim_next_assignment(project=setup_project, annotator=annotator)
    judging.save_draft(assignment=assignment, data={"rationale": "thinking"})

    with pytest.raises(services.SettingsRefused) as refused:
        services.update_project(project=setup_project, actor=creator, values={"ranking_mode": RankingMode.PAIRWISE})
    assert "1 judgment already uses" in refused.value.errors["ranking_mode"]


def test_removing_a_dimension_in_use_names_the_judgments_using_it(
    creator: User, annotator: User, annotator2: User, setup_project: Project
) -> None:
    from tasks import services as project_services
    from tasks.models import Role

    project_services.add_member(project=setup_project, user=annotator2, role=Role.ANNOTATOR)
    start_work(setup_project, annotator)
    start_work(setup_project, annotator2)

    with pytest.raises(services.SettingsRefused) as refused:
        services.update_project(
            project=setup_project, actor=creator, values={"rubric": _rubric_without(setup_project, "security")}
        )

    assert refused.value.errors == {
        "rubric": "2 judgments already use dimension 'security': it cannot be removed or re-keyed; "
        "add a new one instead"
    }


def test_re_keying_a_dimension_is_refused_like_removing_it(
    creator: User, annotator: User, setup_project: Project
) -> None:
    start_work(setup_project, annotator)
    rubric = [{**d, "key": "safety"} if d["key"] == "security" else d for d in setup_project.rubric]

    with pytest.raises(services.SettingsRefused) as refused:
        services.update_project(project=setup_project, actor=creator, values={"rubric": rubric})

    assert "dimension 'security': it cannot be removed or re-keyed" in refused.value.errors["rubric"]


def test_removing_an_unrated_dimension_after_work_started_is_still_refused(
    creator: User, annotator: User, setup_project: Project
) -> None:
    from annotation.work import judging, queue

    assignment = queue.claim_next_assignment(project=setup_project, annotator=annotator)
    judging.save_draft(assignment=assignment, data={"rationale": "thinking"})  # a draft that rates nothing yet
    with pytest.raises(services.SettingsRefused) as refused:
        services.update_project(
            project=setup_project, actor=creator, values={"rubric": _rubric_without(setup_project, "security")}
        )

    assert refused.value.errors["rubric"].startswith("work has started (1 judgment) on dimension 'security'")


def test_a_scale_that_leaves_stored_scores_outside_is_refused(
    creator: User, annotator: User, setup_project: Project
) -> None:
    start_work(setup_project, annotator, rating=3)
    narrower = [{**d, "min": 4} if d["key"] == "correctness" else d for d in setup_project.rubric]

    with pytest.raises(services.SettingsRefused) as refused:
        services.update_project(project=setup_project, actor=creator, values={"rubric": narrower})

    assert refused.value.errors["rubric"] == (
        "the stored scores on dimension 'correctness' go from 3 to 3 (1 judgment), outside the new scale 4-5: "
        "keep the scale wide enough for them, or add a new dimension"
    )
    lower = [{**d, "max": 2} if d["key"] == "security" else d for d in setup_project.rubric]
    with pytest.raises(services.SettingsRefused) as below:
        services.update_project(project=setup_project, actor=creator, values={"rubric": lower})
    assert "dimension 'security' go from 3 to 3 (1 judgment), outside the new scale 1-2" in below.value.errors["rubric"]


def test_a_scale_that_still_holds_every_stored_score_is_allowed(
    creator: User, annotator: User, setup_project: Project
) -> None:
    start_work(setup_project, annotator, rating=3)
    changed = [{**d, "min": 2, "max": 3} if d["key"] == "correctness" else d for d in setup_project.rubric]

    services.update_project(project=setup_project, actor=creator, values={"rubric": changed})

    setup_project.refresh_from_db()
    assert setup_project.rubric[0]["min"] == 2 and setup_project.rubric[0]["max"] == 3


def test_additions_labels_help_order_and_required_stay_free(
    client: Client, creator: User, annotator: User, setup_project: Project
) -> None:
    start_work(setup_project, annotator)
    rubric = [{**d, "label": d["label"].upper(), "help": "new help"} for d in reversed(setup_project.rubric)]
    rubric[0]["required"] = False
    rubric.append({"key": "tests", "label": "Tests", "help": "", "min": 1, "max": 3})
    categories = [*setup_project.comment_categories, {"key": "naming", "label": "Naming"}]
    client.force_login(creator)

    answer = client.post(
        f"/projects/{setup_project.slug}/settings/",
        form_data(setup_project, rubric=rubric, comment_categories=categories),
    )

    assert answer.status_code == 302
    setup_project.refresh_from_db()
    assert setup_project.rubric[-1]["key"] == "tests" and setup_project.rubric[0]["label"] == "INSTRUCTION FOLLOWING"
    assert setup_project.comment_categories[-1] == {"key": "naming", "label": "Naming"}


def _comment(category: str) -> dict:
    return {"id": "c1", "label": "A", "start": 1, "end": 1, "category": category, "severity": "minor", "text": "x"}


def test_removing_a_comment_category_in_use_is_refused_an_unused_one_is_not(
    creator: User, annotator: User, setup_project: Project
) -> None:
    judgment = start_work(setup_project, annotator)
    judgment.line_comments = [_comment("security")]
    judgment.save(update_fields=["line_comments"])
    without = [c for c in setup_project.comment_categories if c["key"] != "security"]

    with pytest.raises(services.SettingsRefused) as refused:
        services.update_project(project=setup_project, actor=creator, values={"comment_categories": without})
    assert refused.value.errors["comment_categories"] == (
        "1 line comment already uses category 'security': it cannot be removed or re-keyed (its label may change); "
        "add a new one instead"
    )

    unused = [c for c in setup_project.comment_categories if c["key"] != "style"]
    services.update_project(project=setup_project, actor=creator, values={"comment_categories": unused})
    setup_project.refresh_from_db()
    assert "style" not in [c["key"] for c in setup_project.comment_categories]


def test_the_api_gives_the_same_refusal(client: Client, creator: User, annotator: User, setup_project: Project) -> None:
    start_work(setup_project, annotator)

    answer = Api(client, creator).patch(f"projects/{setup_project.slug}", {"ranking_mode": "pairwise"})

    assert answer.status_code == 400
    assert "the ranking mode cannot change once work has started" in answer.json()["ranking_mode"][0]
