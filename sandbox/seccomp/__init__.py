"""The seccomp profile every sandbox container runs under (default.json; README.md says how it was made)."""

import json
from functools import cache
from pathlib import Path

PROFILE = Path(__file__).resolve().parent / "default.json"


@cache
def profile_text(runtime: str = "") -> str:
    """The profile as Docker's API takes it (`seccomp=<json>`); a missing file is an error, never a default.

    gVisor (`runsc --oci-seccomp`) ignores `errnoRet`, so the rule that answers clone3 with ENOSYS (to
    make libc fall back to clone, whose flags the profile can check) would answer EPERM and no thread
    could start; under gVisor clone3 reaches gVisor's own kernel, not the host's, so it is allowed."""
    text = PROFILE.read_text(encoding="utf-8")
    if runtime != "runsc":
        return text
    profile = json.loads(text)
    profile["syscalls"] = [rule for rule in profile["syscalls"] if rule.get("names") != ["clone3"]]
    profile["syscalls"].append({"names": ["clone3"], "action": "SCMP_ACT_ALLOW", "comment": "gVisor: see __init__"})
    return json.dumps(profile)
