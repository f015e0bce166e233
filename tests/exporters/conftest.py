"""A small hand-built project with every case an export must handle, judged through the services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotation.work import judging, queue
from tasks import importing, services
from tasks.importing import import_tasks
from tasks.models import RESPONSE_LABELS, Project, RankingMode, Role, User
from tests.conftest import make_user

RUBRIC = ["correctness", "efficiency", "readability", "security", "instruction_following"]
LONG = "def long():\n" + "".join(f"    x{i} = {i}  # ünïcödé line {i}\n" for i in range(400)) + "    return x399\n"
TASKS = [
    {
        "id": "nway",
        "prompt": "Sort `xs` ascending.",
        "language": "python",
        "responses": [
            {"model": "alpha", "code": "def s(xs):\n    return sorted(xs)\n"},
            {"model": "beta", "code": "def s(xs):\n    return xs.sort()\n"},
            {"model": "gamma", "code": "def s(xs):\n    return list(sorted(xs))\n"},
        ],
        "metadata": {"source": "golden"},
    },
    {
        "id": "pair-tie",
        "prompt": "Return 1.",
        "language": "javascript",
        "responses": [
            {"model": "alpha", "code": "module.exports = { one: () => 1 };\n"},
            {"model": "beta", "code": "module.exports = { one() { return 1; } };\n"},
        ],
    },
    {
        "id": "unicode-long",
        "prompt": "Écris `long()` — 日本語 🚀",
        "language": "python",
        "responses": [{"model": "alpha", "code": LONG}, {"model": "gamma", "code": "def long():\n    return 399\n"}],
    },
]
# Two line comments of one nway judgment (canonical labels): on beta's (B) second line and alpha's (A) first
LINE_COMMENTS = [
    {"id": "g-1", "label": "B", "start": 2, "end": 2, "category": "bug", "severity": "critical",
     "text": "sort() sorts in place and returns None — 返回 None"},
    {"id": "g-2", "label": "A", "start": 1, "end": 2, "category": "style", "severity": "minor", "text": "fine"},
]  # fmt: skip
# (task, annotator index, judgment data with canonical labels)
JUDGMENTS: list[tuple[str, int, dict[str, Any]]] = [
    ("nway", 0, {"ranking": [["A", "C"], ["B"]], "ideal_solution": "def s(xs):\n    return sorted(xs)\n"}),
    ("nway", 1, {"ranking": [["A"], ["C"], ["B"]], "line_comments": LINE_COMMENTS}),
    ("nway", 2, {"ranking": [["C"], ["A"], ["B"]]}),
    ("pair-tie", 0, {"ranking": [["A", "B"]]}),
    ("pair-tie", 1, {"ranking": [["B"], ["A"]], "strength": 1}),
    ("unicode-long", 0, {"ranking": [["B"], ["A"]], "comments": {"A": "trop long — 長すぎる"}}),
    ("unicode-long", 1, {"ranking": [["A", "B"]], "all_unacceptable": True}),
]


# A conversation task (system, user, assistant, user; prose answers with fenced code), judged by two annotators:
# the golden files and the datasets test use it beside the single-prompt tasks (golden_with_conversation).
CONV_GOOD = (
    "Handle both:\n\n```python\ndef double(x):\n    if isinstance(x, list):\n        return [v * 2 for v in x]\n"
    "    return x * 2\n```\n\nLists are doubled element by element.\n"
)
CONVERSATION: dict[str, Any] = {
    "id": "conv",
    "messages": [
        {"role": "system", "content": "You are a careful Python reviewer."},
        {"role": "user", "content": "Write `double(x)`."},
        {"role": "assistant", "content": "```python\ndef double(x):\n    return x + x\n```"},
        {"role": "user", "content": "Now make it work on lists too — élément par élément."},
    ],
    "language": "python",
    "responses": [
        {"model": "alpha", "code": CONV_GOOD},
        {"model": "beta", "code": "Use a comprehension:\n\n```python\ndef double(x):\n    return [x * 2]\n```\n"},
    ],
}
CONVERSATION_JUDGMENTS: list[tuple[str, int, dict[str, Any]]] = [
    ("conv", 0, {"ranking": [["A"], ["B"]], "ideal_solution": CONV_GOOD}),
    ("conv", 1, {"ranking": [["A"], ["B"]]}),
]


def pin_labels_to_file_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scene's judgments use the file's letters (A: the first response) and the golden files name
    stored labels, while the import draws labels at random: pin them to file order for this scene."""
    monkeypatch.setattr(importing, "shuffled_labels", lambda count: list(RESPONSE_LABELS[:count]))


def judge(
    project: Project, annotators: list[User], judgments: list[tuple[str, int, dict[str, Any]]] = JUDGMENTS
) -> None:
    for external_id, who, extra in judgments:
        annotator = annotators[who]
        while True:  # claim until this annotator holds the task we want; skip the others for now
            assignment = queue.claim_next_assignment(project=project, annotator=annotator)
            if assignment.task.external_id == external_id:
                break
            queue.skip_assignment(assignment=assignment, reason="golden order")
        labels = assignment.response_order
        data = {
            "ratings": {label: dict.fromkeys(RUBRIC, 3 + i % 2) for i, label in enumerate(sorted(labels))},
            "rationale": f"Golden rationale for {external_id} by annotator {who}.",
            **extra,
        }
        judging.save_draft(assignment=assignment, data=data)
        judging.submit_judgment(assignment=assignment, data=data)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """Export files go under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def golden_project(db: None, monkeypatch: pytest.MonkeyPatch) -> Project:
    pin_labels_to_file_order(monkeypatch)
    project = services.create_project(
        slug="golden", name="Golden", ranking_mode=RankingMode.RANKING, overlap=3, min_tests=0, min_rationale_chars=10
    )
    annotators = [make_user(f"golden-{i}") for i in range(3)]
    for user in annotators:
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(t) for t in TASKS])
    judge(project, annotators)
    return project


@pytest.fixture
def golden_with_conversation(golden_project: Project) -> Project:
    """The golden project with the conversation task imported and judged too."""
    import_tasks(project=golden_project, lines=[json.dumps(CONVERSATION)])
    judge(
        golden_project,
        list(User.objects.filter(username__startswith="golden-").order_by("username")),
        CONVERSATION_JUDGMENTS,
    )
    return golden_project


# A second project, pairwise with strengths, whose import metadata holds a key the lead lets out
# (difficulty) and answer keys that must never leave the platform (reference_tests, notes).
PAIR_TASKS = [
    {
        "id": f"pair-{i}",
        "prompt": f"Return the {i}th prime.",
        "language": "python",
        "responses": [
            {"model": "alpha", "code": f"def prime():\n    return {[2, 3, 5][i]}\n"},
            {"model": "delta", "code": "def prime():\n    return 4\n"},
        ],
        "metadata": {"difficulty": ["easy", "hard", "hard"][i], "reference_tests": "assert prime() == 2", "notes": "x"},
    }
    for i in range(3)
]
PAIR_JUDGMENTS: list[tuple[str, int, dict[str, Any]]] = [
    ("pair-0", 0, {"ranking": [["A"], ["B"]], "strength": 3}),
    ("pair-0", 1, {"ranking": [["A"], ["B"]], "strength": 1, "ideal_solution": "def prime():\n    return 2\n"}),
    ("pair-1", 0, {"ranking": [["A"], ["B"]], "strength": 2}),
    ("pair-2", 1, {"ranking": [["B"], ["A"]], "strength": 2}),
]


@pytest.fixture
def pairwise_project(db: None, monkeypatch: pytest.MonkeyPatch) -> Project:
    pin_labels_to_file_order(monkeypatch)
    project = services.create_project(
        slug="pairs", name="Pairs", ranking_mode=RankingMode.PAIRWISE, overlap=2, min_tests=0, min_rationale_chars=10
    )
    project.export_metadata_keys = ["difficulty"]
    project.save(update_fields=["export_metadata_keys"])
    annotators = [make_user(f"pairs-{i}") for i in range(2)]
    for user in annotators:
        services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(t) for t in PAIR_TASKS])
    judge(project, annotators, PAIR_JUDGMENTS)
    return project
