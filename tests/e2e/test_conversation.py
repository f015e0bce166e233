"""A conversation task in a real browser: the annotator reads the thread turn by turn, with its roles and
highlighted code, under the page's strict CSP (no inline style or script is needed)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tasks import services
from tasks.demo_tasks import DEMO_TASKS
from tasks.importing import import_tasks
from tasks.models import RankingMode, Role, User
from tests.e2e.test_workspace_flow import start_working

DEMO = next(t for t in DEMO_TASKS if "messages" in t)


@pytest.fixture
def chat_annotator(transactional_db: None) -> User:
    user = User.objects.create_user("e2e-chat", password="e2e-password-1")
    project = services.create_project(slug="e2e-chat", name="E2E chat", ranking_mode=RankingMode.RANKING)
    services.add_member(project=project, user=user, role=Role.ANNOTATOR)
    import_tasks(project=project, lines=[json.dumps(DEMO)])
    return user


def test_the_annotator_reads_the_conversation_as_a_thread(
    live_server: Any, browser_page: Any, chat_annotator: User
) -> None:
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    start_working(page, live_server.url, "e2e-chat", "e2e-chat")

    thread = page.locator(".thread")
    assert thread.locator(".turn-role").all_inner_texts() == ["SYSTEM", "USER", "ASSISTANT", "USER"]  # CSS uppercase
    assistant = thread.locator(".turn-assistant")
    assert assistant.locator(".highlight .k").first.inner_text() == "def"  # its code, highlighted
    assert "next Assistant turn" in thread.locator(".turn-next").inner_text()
    # thread.css is applied: the assistant's turn is marked by its coloured left border
    assert assistant.evaluate("e => getComputedStyle(e).borderLeftWidth") == "4px"
    assert not [e for e in errors if "Content Security Policy" in e]
    if os.environ.get("SCREENSHOT_DIR"):
        page.locator("#prompt-box").screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "conversation.png"))
