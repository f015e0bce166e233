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
