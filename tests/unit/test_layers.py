"""Dependencies run one way (README, Architecture): the sandbox engine knows nothing of the product."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_sandbox_imports_nothing_of_annotation_tasks_or_exporters() -> None:
    offending = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] in PRODUCT)
        for path in (ROOT / "sandbox").rglob("*.py")
    }
    assert {k: v for k, v in offending.items() if v} == {}


PRODUCT = {"annotation", "tasks", "exporters"}


# The rooms of annotation/, lowest first: a room may import the root (models, access, rankings) and
# rooms below it, never one above. webhooks: told of events by every room above it; gold: known answers;
# work: the annotator's; review: the reviewers'; quality and timesheets: the leads' figures over both.
# people: the leads' members and invitations (removal returns work through work's queue).
ROOMS = ["webhooks", "gold", "work", "people", "projects", "review", "manager", "quality", "timesheets", "ops"]
ALLOWED_BELOW = {
    "webhooks": set(),
    "gold": {"webhooks"},
    "work": {"webhooks", "gold"},
    "people": {"webhooks", "gold", "work"},
    "projects": {"webhooks", "gold", "work"},  # the leads' project setup: settings, archive, duplicate, audit
    "review": {"webhooks", "gold", "work"},
    "manager": {"webhooks", "gold", "work", "review"},  # the task manager: search and bulk actions on tasks
    "quality": {"webhooks", "gold", "work", "review"},
    "timesheets": {"webhooks", "work"},
    "ops": set(),  # operating it (metrics): reads the models only
}


def test_the_rooms_of_annotation_import_one_way() -> None:
    offending = {}
    for room in ROOMS:
        for path in (ROOT / "annotation" / room).rglob("*.py"):
            rooms = {m.split(".")[1] for m in imported_modules(path) if m.startswith("annotation.") and m.count(".")}
            wrong = rooms & set(ROOMS) - ALLOWED_BELOW[room] - {room}
            if wrong:
                offending[str(path.relative_to(ROOT))] = sorted(wrong)
    assert offending == {}


def test_the_root_and_rooms_of_annotation_stay_small() -> None:
    """A newcomer reads a folder at a glance: no folder of annotation/ past 12 modules."""
    crowded = {}
    for folder in [ROOT / "annotation", *(ROOT / "annotation" / room for room in ROOMS)]:
        modules = [p for p in folder.glob("*.py")]
        if len(modules) > 12:
            crowded[folder.name] = len(modules)
    assert crowded == {}
