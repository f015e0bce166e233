"""Languages the sandbox runs tests in: one module each, registered here. Adding a language means a
module like python.py (file names, how to run the tests, a reporter that writes the JSON-lines report
described in sandbox/verdict.py) plus its toolchain in the image."""

from sandbox.languages import javascript, python
from sandbox.languages.base import Language

LANGUAGES: dict[str, Language] = {lang.name: lang for lang in (python.LANGUAGE, javascript.LANGUAGE)}


class UnknownLanguage(ValueError):
    pass


def get(name: str) -> Language:
    try:
        return LANGUAGES[name]
    except KeyError:
        raise UnknownLanguage(f"unknown language {name!r} (supported: {', '.join(sorted(LANGUAGES))})") from None
