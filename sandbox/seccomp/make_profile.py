"""Derive the sandbox's seccomp profile from Docker's default one.

    python3 sandbox/seccomp/make_profile.py UPSTREAM_default.json > sandbox/seccomp/default.json
    python3 sandbox/seccomp/make_profile.py - < UPSTREAM_default.json > sandbox/seccomp/default.json

Every rule that allows one of REMOVED loses that name (a rule left with no name goes), so the call falls
through to the profile's default action, SCMP_ACT_ERRNO with errno 1 (EPERM): the call fails, the process
lives. Nothing else changes, and the output keeps upstream's key order and tab indentation, so a diff
against upstream shows exactly what was taken out. Standard library only; see README.md beside this file.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EPERM = 1

# Name -> why it goes. Names absent from the input (io_uring_* is already gone from recent upstream
# profiles) are fine: the point is that no rule allows them, whichever upstream version went in.
REMOVED: dict[str, str] = {
    "ptrace": "read and write another process's memory and registers",
    "process_vm_readv": "read another process's memory",
    "process_vm_writev": "write another process's memory",
    "io_uring_setup": "io_uring: large kernel attack surface, and its operations bypass seccomp",
    "io_uring_enter": "io_uring: large kernel attack surface, and its operations bypass seccomp",
    "io_uring_register": "io_uring: large kernel attack surface, and its operations bypass seccomp",
    "memfd_create": "an anonymous executable file: lets code exec a binary it wrote despite noexec /work and /tmp",
    "execveat": "exec by file descriptor (fexecve of a memfd or an O_PATH fd); execve by path is what we need",
}


def trim(profile: dict[str, Any], removed: set[str] | frozenset[str] = frozenset(REMOVED)) -> dict[str, Any]:
    """Return a copy of `profile` in which no rule names any syscall in `removed`."""
    if profile.get("defaultAction") != "SCMP_ACT_ERRNO":
        raise ValueError(f"expected defaultAction SCMP_ACT_ERRNO, got {profile.get('defaultAction')!r}")
    errno = profile.get("defaultErrnoRet", EPERM)
    if errno != EPERM:
        raise ValueError(f"expected defaultErrnoRet {EPERM} (EPERM), got {errno!r}")
    out = dict(profile)
    if "defaultErrnoRet" not in out:
        # Older upstream profiles leave it out (runc then uses EPERM anyway); say it for every engine.
        out = {"defaultAction": out.pop("defaultAction"), "defaultErrnoRet": EPERM, **out}
    rules = []
    for rule in profile.get("syscalls") or []:
        names = list(rule.get("names") or [])
        if rule.get("name"):  # the pre-2017 single-name form
            names.append(rule["name"])
        kept = [name for name in names if name not in removed]
        if not kept:
            continue
        if kept != names:
            rule = {key: value for key, value in rule.items() if key != "name"}
            rule = {"names": kept, **{key: value for key, value in rule.items() if key != "names"}}
        rules.append(rule)
    out["syscalls"] = rules
    return out


def render(profile: dict[str, Any]) -> str:
    return json.dumps(profile, indent="\t") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("upstream", nargs="?", default="-", help="upstream default.json, or - for stdin")
    parser.add_argument("-o", "--output", default="-", help="where to write the profile (default stdout)")
    args = parser.parse_args(argv)
    if args.upstream == "-":
        upstream = json.load(sys.stdin)
    else:
        with open(args.upstream, encoding="utf-8") as fh:
            upstream = json.load(fh)
    text = render(trim(upstream))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
