"""Languages the sandbox runs tests in: one module each, registered here, and the only list of them
(task choices, the import check, the workspace's editor and hint, the export filter all read it).
Adding a language: see the README, "Adding a language"."""

from sandbox.languages import javascript, python
from sandbox.languages.base import Language

LANGUAGES: dict[str, Language] = {lang.name: lang for lang in (python.LANGUAGE, javascript.LANGUAGE)}


def choices() -> list[tuple[str, str]]:
    """(name, label) pairs: `Task.language` takes its choices from here, so a new language needs no migration."""
    return [(lang.name, lang.label) for lang in LANGUAGES.values()]


class UnknownLanguage(ValueError):
    pass


def get(name: str) -> Language:
    try:
        return LANGUAGES[name]
    except KeyError:
        raise UnknownLanguage(f"unknown language {name!r} (supported: {', '.join(sorted(LANGUAGES))})") from None
