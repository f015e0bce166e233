"""The language registry (sandbox/languages/) for every template: names, labels, editor modes, hints."""

from typing import Any

from django.http import HttpRequest

from sandbox import languages


def sandbox_languages(request: HttpRequest) -> dict[str, Any]:
    return {"languages": list(languages.LANGUAGES.values()), "languages_by_name": languages.LANGUAGES}
