"""The seccomp profile every sandbox container runs under (default.json; README.md says how it was made)."""

from functools import cache
from pathlib import Path

PROFILE = Path(__file__).resolve().parent / "default.json"


@cache
def profile_text() -> str:
    """The profile as Docker's API takes it (`seccomp=<json>`); a missing file is an error, never a default."""
    return PROFILE.read_text(encoding="utf-8")
