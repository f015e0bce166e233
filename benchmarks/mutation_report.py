"""Turn mutmut's results (mutants/*.meta, after `mutmut run`) into the per-module table of `make mutation`.

Prints module, mutants, killed, survived and score per pure-logic module, the surviving mutants with
their diffs, writes benchmarks/mutation.md (the table, the date, mutmut's version) and exits 1 when a
module scores below THRESHOLD or a module has no results.

Killed counts mutmut's "killed" and "timeout" (a mutant that hangs the tests is caught); survived
counts "survived", "no tests" (no unit test even runs the function) and "suspicious". Equivalent
mutants (they change no behaviour, so no test can kill them) are listed in EQUIVALENT by the lines
they change, not by mutmut's number, which shifts when a function is edited; since the source modules
cannot carry `# pragma: no mutate`, they stay in the raw score and the table also shows the score
without them. The gate is the raw score: equivalents are reported, never a way to pass.

Run from the repository root: .venv/bin/python benchmarks/mutation_report.py [--no-write]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
REPORT = ROOT / "benchmarks" / "mutation.md"
THRESHOLD = 90.0

# Module -> the functions that count (None: every mutant of the file). Only the pure part of a module
# is measured: the rest talks to the database and is covered by the integration tests.
MODULES: dict[str, set[str] | None] = {
    "annotation/quality/agreement.py": None,
    "annotation/quality/leaderboard.py": None,
    "annotation/rankings.py": None,
    "annotation/work/activity.py": {"beat_credit", "overlap_seconds", "day_and_week_start"},
    "exporters/formats.py": None,
    "exporters/consensus.py": None,
    "sandbox/verdict.py": None,
    "tasks/importing.py": {
        "parse_lines",
        "_numbered",
        "_parse_task",
        "_language",
        "_responses",
        "_required_string",
        "_reject_unknown",
        "_json_type",
        "_mode_mismatches",
        "_line_number",
        "ImportRejected.__init__",
    },
    "annotation/gold/scores.py": {"meets"},
}


@dataclass(frozen=True)
class Equivalent:
    path: str
    function: str
    removed: str  # the original line, stripped
    added: str  # the mutated line, stripped
    reason: str


# Mutants that no test can kill: the mutated code behaves exactly like the original on every input
# the function can receive. Each reason says why.
_KAPPA_ZIP = "observed = sum(a == b for a, b in zip(first, second, strict=True)) / n"
_MOST_COMMON = "raters = sizes.most_common(1)[0][0]"
_SKIP_GET = "if test.outcome == Outcome.SKIPPED and not (expected or {}).get(test.name, False):"
_STDOUT = 'stdout=_joined(harness.get("stdout", ""), harness.get("judge_stdout", "")),'
_STDERR = 'stderr=_joined(harness.get("stderr", ""), harness.get("judge_stderr", "")),'
_LINE_HEAD = 'head = error.split(":", 1)[0]'
_LENGTHS = "the lengths were checked equal just above, so strict= never fires"
_NOT_JSON = "the default only stands for a missing report: 'XXXX' is not JSON either, so both parse to no events"
_NONE_JUDGE = "None and a missing value are as falsy as '': _joined adds no header for any of them"

EQUIVALENT: list[Equivalent] = [
    # annotation/quality/agreement.py
    Equivalent("annotation/quality/agreement.py", "cohen_kappa", _KAPPA_ZIP,
               _KAPPA_ZIP.replace("strict=True", "strict=None"), _LENGTHS),
    Equivalent("annotation/quality/agreement.py", "cohen_kappa", _KAPPA_ZIP,
               _KAPPA_ZIP.replace("strict=True", ""), _LENGTHS),
    Equivalent("annotation/quality/agreement.py", "cohen_kappa", _KAPPA_ZIP,
               _KAPPA_ZIP.replace("strict=True", "strict=False"), _LENGTHS),
    Equivalent("annotation/quality/agreement.py", "cohen_kappa",
               "expected = sum(left[c] * right[c] for c in set(left) | set(right)) / (n * n)",
               "expected = sum(left[c] * right[c] for c in set(left) & set(right)) / (n * n)",
               "a Counter gives 0 for a category it lacks, so categories of one rater only add 0 to the sum"),
    Equivalent("annotation/quality/agreement.py", "fleiss_kappa", _MOST_COMMON,
               _MOST_COMMON.replace("(1)", "(None)"),
               "only the first entry is read; most_common() orders ties like most_common(1) (stable sort)"),
    Equivalent("annotation/quality/agreement.py", "fleiss_kappa", _MOST_COMMON,
               _MOST_COMMON.replace("(1)", "(2)"),
               "only the first entry is read; most_common(2) begins with most_common(1)"),
    # annotation/rankings.py
    Equivalent("annotation/rankings.py", "from_strength",
               "better, worse = (first, second) if strength < 0 else (second, first)",
               "better, worse = (first, second) if strength <= 0 else (second, first)",
               "strength 0 returned just above, so <= 0 and < 0 agree on every strength that gets here"),
    Equivalent("annotation/rankings.py", "from_strength",
               "better, worse = (first, second) if strength < 0 else (second, first)",
               "better, worse = (first, second) if strength < 1 else (second, first)",
               "strength is an int (-3..3) and not 0 here: < 1 and < 0 are the same test"),
    # annotation/gold/scores.py
    Equivalent("annotation/gold/scores.py", "meets",
               'ok &= gold["preferred"] in ranking[0]', 'ok = gold["preferred"] in ranking[0]',
               "ok is still True on this line, and True & x is x"),
    # sandbox/verdict.py
    Equivalent("sandbox/verdict.py", "_fail_undeclared_skips", _SKIP_GET,
               _SKIP_GET.replace("False)", "None)"), "not None is not False: both mean undeclared"),
    Equivalent("sandbox/verdict.py", "_fail_undeclared_skips", _SKIP_GET,
               _SKIP_GET.replace(", False)", ", )"), "get() without a default returns None: same as False here"),
    Equivalent("sandbox/verdict.py", "judge", 'events = parse_events(harness.get("report", ""))',
               'events = parse_events(harness.get("report", "XXXX"))', _NOT_JSON),
    Equivalent("sandbox/verdict.py", "judge", 'collection = parse_events(harness.get("collection") or "")',
               'collection = parse_events(harness.get("collection") or "XXXX")', _NOT_JSON),
    Equivalent("sandbox/verdict.py", "judge", "status=Status.ERROR,", "status=None,",
               "a placeholder: result.status is always set from _status() before judge returns"),
    Equivalent("sandbox/verdict.py", "judge", _STDOUT,
               _STDOUT.replace('"judge_stdout", "")', '"judge_stdout", None)'), _NONE_JUDGE),
    Equivalent("sandbox/verdict.py", "judge", _STDOUT,
               _STDOUT.replace('"judge_stdout", "")', '"judge_stdout", )'), _NONE_JUDGE),
    Equivalent("sandbox/verdict.py", "judge", _STDERR,
               _STDERR.replace('"judge_stderr", "")', '"judge_stderr", None)'), _NONE_JUDGE),
    Equivalent("sandbox/verdict.py", "judge", _STDERR,
               _STDERR.replace('"judge_stderr", "")', '"judge_stderr", )'), _NONE_JUDGE),
    # tasks/importing.py
    Equivalent("tasks/importing.py", "_line_number", _LINE_HEAD, 'head = error.split(":", )[0]',
               "only the part before the first colon is read, however many splits follow"),
    Equivalent("tasks/importing.py", "_line_number", _LINE_HEAD, 'head = error.split(":", 2)[0]',
               "only the part before the first colon is read, however many splits follow"),
    Equivalent("tasks/importing.py", "_numbered", 'text = raw.decode("utf-8")', 'text = raw.decode("UTF-8")',
               "codec names are case-insensitive"),
]  # fmt: skip

_BT_SIGNATURE = (
    "def bradley_terry(comparisons: Sequence[Comparison], *, iterations: int = {}, prior: float = 0.5)"
    " -> dict[str, float]:"
)
# Mutants that behave differently only on input the function never receives from its callers. They stay
# counted as survivors in both scores (they are not equivalent in general); listed here to explain them.
OUT_OF_DOMAIN = {
    ("annotation/quality/leaderboard.py", "win_tie_loss", "if a > b:", "if a >= b:"): (
        "differs only for a model compared with itself, which from_ranking never emits"
    ),
    ("exporters/consensus.py", "agreement", "labels = sorted(records[0].candidates)",
     "labels = sorted(records[1].candidates)"): "the judgments of one task share its candidates' labels",
    ("tasks/importing.py", "_required_string", 'limit_name: str = "",', 'limit_name: str = "XXXX",'): (
        "every caller that passes max_bytes also passes limit_name; without max_bytes it is never read"
    ),
    ("annotation/quality/leaderboard.py", "bradley_terry", _BT_SIGNATURE.format(500), _BT_SIGNATURE.format(501)): (
        "a tuning constant: the fit has converged to the 6 decimals returned long before 500 iterations"
    ),
}  # fmt: skip

KILLED = {"killed", "timeout", "caught by type check", "segfault"}
SURVIVED = {"survived", "no tests", "suspicious"}


@dataclass
class Row:
    module: str
    mutants: int = 0
    killed: int = 0
    survived: int = 0
    equivalent: int = 0
    unchecked: int = 0
    survivors: list[tuple[str, str, str]] = field(default_factory=list)  # (name, status, diff)

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.mutants if self.mutants else 0.0

    @property
    def score_without_equivalents(self) -> float:
        counted = self.mutants - self.equivalent
        return 100.0 * self.killed / counted if counted else 100.0


def function_of(mutant: str) -> str:
    """'tasks.importing.xǁImportRejectedǁ__init____mutmut_3' -> 'ImportRejected.__init__'."""
    mangled = mutant.partition("__mutmut_")[0].rpartition(".")[2]
    if "ǁ" in mangled:
        _, cls, method = mangled.split("ǁ")
        return f"{cls}.{method}"
    return mangled.removeprefix("x_")


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    lines = diff.splitlines()
    removed = [x[1:].strip() for x in lines if x.startswith("-") and not x.startswith("---")]
    added = [x[1:].strip() for x in lines if x.startswith("+") and not x.startswith("+++")]
    return removed, added


def mutant_diff(name: str, path: str) -> str:
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        return get_diff_for_mutant(name, path=path)
    except Exception as exc:  # a diff is a help for the reader, never a reason to fail the report
        return f"(no diff: {exc})"


def is_equivalent(path: str, function: str, diff: str) -> Equivalent | None:
    removed, added = changed_lines(diff)
    for eq in EQUIVALENT:
        if eq.path == path and eq.function == function and removed == [eq.removed] and added == [eq.added]:
            return eq
    return None


def collect() -> tuple[list[Row], list[tuple[Equivalent, str]]]:
    rows, used = [], []
    from mutmut.stats import status_by_exit_code

    for path, scope in MODULES.items():
        row = Row(path)
        meta = MUTANTS / (path + ".meta")
        if not meta.exists():
            rows.append(row)
            continue
        exit_codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in sorted(exit_codes.items(), key=lambda kv: _natural(kv[0])):
            function = function_of(name)
            if scope is not None and function not in scope:
                continue
            status = status_by_exit_code[code]
            row.mutants += 1
            if status in KILLED:
                row.killed += 1
            elif status in SURVIVED:
                row.survived += 1
                diff = mutant_diff(name, path)
                eq = is_equivalent(path, function, diff)
                if eq is not None:
                    row.equivalent += 1
                    used.append((eq, name))
                else:
                    row.survivors.append((name, status, diff))
            else:
                row.unchecked += 1
        rows.append(row)
    return rows, used


def _natural(name: str) -> tuple[str, int]:
    head, _, number = name.rpartition("_")
    return head, int(number) if number.isdigit() else 0


def table(rows: list[Row]) -> str:
    head = "| module | mutants | killed | survived | equivalent | score % | score % without equivalents |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r.module} | {r.mutants} | {r.killed} | {r.survived} | {r.equivalent} "
            f"| {r.score:.1f} | {r.score_without_equivalents:.1f} |"
        )
    total = Row("total", *(sum(getattr(r, a) for r in rows) for a in ("mutants", "killed", "survived", "equivalent")))
    lines.append(
        f"| **total** | {total.mutants} | {total.killed} | {total.survived} | {total.equivalent} "
        f"| {total.score:.1f} | {total.score_without_equivalents:.1f} |"
    )
    return "\n".join(lines)


def plain_table(rows: list[Row]) -> str:
    cols = ("module", "mutants", "killed", "survived", "equiv", "score %", "w/o equiv %")
    data = [
        (
            r.module,
            str(r.mutants),
            str(r.killed),
            str(r.survived),
            str(r.equivalent),
            f"{r.score:.1f}",
            f"{r.score_without_equivalents:.1f}",
        )
        for r in rows
    ]
    widths = [max(len(c), *(len(d[i]) for d in data)) for i, c in enumerate(cols)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join([fmt.format(*cols), fmt.format(*("-" * w for w in widths)), *(fmt.format(*d) for d in data)])


def markdown(rows: list[Row], used: list[tuple[Equivalent, str]]) -> str:
    today = dt.date.today().isoformat()
    parts = [
        "# Mutation testing",
        "",
        f"Latest `make mutation`: {today}, mutmut {version('mutmut')}, against tests/unit/ "
        f"(gate: every module at least {THRESHOLD:.0f}% killed, raw score). "
        "Written by benchmarks/mutation_report.py.",
        "",
        table(rows),
        "",
        "Killed includes mutmut's timeouts; survived includes mutants no unit test runs. activity.py counts",
        "its pure functions (beat_credit, overlap_seconds, day_and_week_start), importing.py its validation",
        "(not import_tasks, _clashes_with_project, _write: the database), gold/scores.py only `meets`.",
        "",
        "## Equivalent mutants",
        "",
    ]
    if used:
        for eq, name in used:
            parts.append(f"- `{name}`: `{eq.removed}` -> `{eq.added}`: {eq.reason}")
    else:
        parts.append("None.")
    survivors = [(r.module, s) for r in rows for s in r.survivors]
    parts += ["", "## Surviving mutants", ""]
    if survivors:
        for module, (name, status, diff) in survivors:
            removed, added = changed_lines(diff)
            note = OUT_OF_DOMAIN.get((module, function_of(name), " / ".join(removed), " / ".join(added)))
            parts.append(
                f"- `{name}` ({status}): `{' / '.join(removed)}` -> `{' / '.join(added)}`"
                + (f": {note}" if note else "")
            )
    else:
        parts.append("None.")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    os.chdir(ROOT)  # mutmut reads mutants/ relative to the working directory
    if not MUTANTS.exists():
        print("no mutants/ folder: run `make mutation` (mutmut run) first", file=sys.stderr)
        return 2
    rows, used = collect()
    for r in rows:
        for name, status, diff in r.survivors:
            print(f"\n{status}: {name}\n{diff}")
    print()
    print(plain_table(rows))
    if used:
        print(f"\n{len(used)} equivalent mutants (see benchmarks/mutation.md)")
    if "--no-write" not in argv:
        REPORT.write_text(markdown(rows, used), encoding="utf-8")
        print(f"\nwrote {REPORT.relative_to(ROOT)}")
    failing = [r.module for r in rows if not r.mutants or r.unchecked or r.score < THRESHOLD]
    if failing:
        print(f"\nbelow {THRESHOLD:.0f}% (or not run): {', '.join(failing)}", file=sys.stderr)
        return 1
    print(f"\nevery module at least {THRESHOLD:.0f}% killed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
