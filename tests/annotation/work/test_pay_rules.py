"""Pay that needs work (issue 11, finding 4 and the heartbeat part of 6), as scripted truth tests: every
expected figure below is computed by hand from the beats of the script, never by the code under test."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db.models import F
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from annotation.models import ActivityInterval, Assignment, HeartbeatTab, TestCase, TestResult, TestRun
from annotation.quality import annotators
from annotation.work import activity, queue
from annotation.work import serializers as work_serializers
from tasks import services
from tasks.models import Project, Role, User
from tests.conftest import claimable_project, submit_judgment

T0 = timezone.make_aware(dt.datetime(2026, 11, 18, 9, 0, 0))  # a Wednesday morning
HARNESS = Path(__file__).with_name("workspace_page.js")  # a minimal page for workspace.js, run by node
WORK = {"keys": 3, "pointer": 5}  # what a page saw since its last beat: the annotator typed and moved
IDLE: dict[str, int] = {}  # a beat with nothing seen: the page was open, nobody touched it


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def events(seen: dict[str, int]) -> int:
    return sum(seen.values())


def script(user: User, assignment: Assignment | None, beats: list[tuple[int, dict[str, int]]], tab: str) -> list[int]:
    """Send the beats (offset in seconds, events seen) from one tab through activity.beat; the credits."""
    return [
        activity.beat(annotator=user, assignment=assignment, tab=tab, seq=seq, events=events(seen), now=at(offset))[
            "credited"
        ]
        for seq, (offset, seen) in enumerate(beats, start=1)
    ]


def working(start: int, stop: int) -> list[tuple[int, dict[str, int]]]:
    """A beat with events every 20 s from `start` to `stop` included."""
    return [(offset, WORK) for offset in range(start, stop + 1, 20)]


def today(user: User, when: dt.datetime = T0) -> int:
    day = timezone.localtime(when).replace(hour=0, minute=0, second=0, microsecond=0)
    return activity.active_seconds(annotator=user, start=day, end=day + dt.timedelta(days=1))


def assignment_seconds(assignment: Assignment) -> int:
    assignment.refresh_from_db()
    return assignment.active_seconds


@pytest.fixture
def project(annotator: User) -> Project:
    return claimable_project(annotators=[annotator], tasks=30, overlap=1, min_tests=0)


@pytest.fixture
def claimed(annotator: User, project: Project) -> Assignment:
    return queue.claim_next_assignment(project=project, annotator=annotator, now=T0)


# --- finding 4: a beat without interaction or a run in flight earns nothing


def test_a_scripted_session_is_paid_only_for_the_beats_that_show_work(annotator: User, claimed: Assignment) -> None:
    beats = [
        (0, WORK),  # opens the interval: nothing before it is known
        (20, WORK),  # +20
        (40, IDLE),  # nothing seen from 20 to 40: 0, and the interval stops at 20
        (60, WORK),  # work seen from 40 to 60: +20 (not 40: 20..40 was idle)
        (80, WORK),  # +20
        (100, IDLE),  # 0
        (120, IDLE),  # 0
        (140, WORK),  # +20, from the idle beat at 120
        (200, WORK),  # 60 s of silence, over the 45 s gap: opens a new interval, 0
        (220, {"edits": 1}),  # an editor change alone is work: +20
    ]

    credits = script(annotator, claimed, beats, tab="t1")

    assert credits == [0, 20, 0, 20, 20, 0, 0, 20, 0, 20]
    assert today(annotator) == 100 and assignment_seconds(claimed) == 100
    spans = ActivityInterval.objects.filter(annotator=annotator, ended_at__gt=F("started_at")).order_by("started_at")
    assert [(s.started_at, s.ended_at) for s in spans] == [
        (at(0), at(20)),
        (at(40), at(80)),
        (at(120), at(140)),
        (at(200), at(220)),
    ]


def test_bare_api_heartbeats_earn_nothing_and_the_same_beats_with_events_do(client: Client, annotator: User) -> None:
    """The finding: 4 bare API beats 20 s apart, no page open and no edit, were credited 60 s."""
    project = claimable_project(annotators=[annotator], tasks=2, overlap=1)
    api = {"Authorization": f"Token {Token.objects.get_or_create(user=annotator)[0].key}"}
    aid = client.post(f"/api/v1/projects/{project.slug}/assignments/next", headers=api).json()["id"]

    def beats(tab: str, body: dict[str, int]) -> int:
        credited = 0
        for seq in range(1, 5):
            answer = client.post(
                "/api/v1/heartbeat",
                {"assignment": aid, "tab": tab, "seq": seq, **body},
                "application/json",
                headers=api,
            )
            assert answer.status_code == 200, answer.content
            credited += answer.json()["credited"]
            twenty_seconds_pass(annotator)
        return credited

    assert beats("bare", {}) == 0
    assert beats("claims-a-run", {"running": True}) == 0  # the server checks its own records, not the claim
    assert assignment_seconds(Assignment.objects.get(pk=aid)) == 0
    assert beats("typing", {"keys": 4, "scroll": 1}) >= 60  # the same beats from a page in use


def test_page_heartbeats_without_events_earn_nothing(client: Client, annotator: User) -> None:
    project = claimable_project(annotators=[annotator], tasks=1, overlap=1)
    client.force_login(annotator)
    client.post(f"/projects/{project.slug}/start")
    assignment = Assignment.objects.get(annotator=annotator)

    def beat(seq: int, **seen: int) -> int:
        answer = client.post("/work/heartbeat", {"assignment": assignment.pk, "tab": "page", "seq": seq, **seen})
        assert answer.status_code == 200, answer.content
        twenty_seconds_pass(annotator)
        return answer.json()["credited"]

    assert [beat(1), beat(2), beat(3, pointer=2), beat(4)] == [0, 0, pytest.approx(20, abs=2), 0]
    assert 18 <= assignment_seconds(assignment) <= 22


def test_a_run_in_flight_pays_the_wait_without_events(annotator: User, claimed: Assignment) -> None:
    run = pending_run(claimed, started=at(10))

    waiting = script(annotator, claimed, [(0, WORK), (20, IDLE), (40, IDLE)], tab="t1")
    TestResult.objects.filter(test_run=run).update(status=TestResult.Status.PASSED)
    after = script(annotator, claimed, [(60, IDLE), (80, WORK)], tab="t2")

    assert waiting == [0, 20, 20]  # the sandbox is working for the annotator: paid
    assert after == [0, 20]  # the result is in: waiting is over, the next work is paid
    assert assignment_seconds(claimed) == 60


def test_a_run_pending_for_too_long_no_longer_pays(annotator: User, claimed: Assignment) -> None:
    """A run stuck in the queue (a worker lost) must not pay an idle page for hours."""
    pending_run(claimed, started=at(0) - dt.timedelta(seconds=activity.RUN_WAIT_SECONDS + 1))

    assert script(annotator, claimed, [(0, WORK), (20, IDLE), (40, IDLE)], tab="t1") == [0, 0, 0]


def test_another_assignments_run_does_not_pay_this_one(annotator: User, claimed: Assignment, project: Project) -> None:
    other = claimable_project(annotators=[annotator], tasks=1, overlap=1, min_tests=0)
    elsewhere = queue.claim_next_assignment(project=other, annotator=annotator, now=T0)
    pending_run(elsewhere, started=at(0))

    assert script(annotator, claimed, [(0, WORK), (20, IDLE)], tab="t1") == [0, 0]


def test_an_idle_beat_does_not_renew_the_lease_and_a_working_one_does(annotator: User, claimed: Assignment) -> None:
    leased = Assignment.objects.get(pk=claimed.pk).lease_expires_at
    later = 25 * 60

    script(annotator, claimed, [(later, IDLE)], tab="t1")
    assert Assignment.objects.get(pk=claimed.pk).lease_expires_at == leased

    script(annotator, claimed, [(later + 20, WORK)], tab="t2")
    renewed = Assignment.objects.get(pk=claimed.pk).lease_expires_at
    assert renewed is not None and renewed > at(later + 20) + dt.timedelta(minutes=29)


def test_an_idle_tab_beside_a_working_one_takes_nothing_away(annotator: User, claimed: Assignment) -> None:
    for offset in range(0, 121, 20):
        seq = offset // 20 + 1
        activity.beat(annotator=annotator, assignment=claimed, tab="work", seq=seq, events=2, now=at(offset))
        activity.beat(annotator=annotator, assignment=claimed, tab="idle", seq=seq, events=0, now=at(offset + 3))

    assert today(annotator) == 120  # the working tab's 0..120, once; the idle tab adds and cuts nothing


# --- finding 4: a cap per day, across assignments and projects, on top of the cap per assignment


def test_the_daily_cap_holds_across_assignments_and_projects(settings, annotator: User, claimed: Assignment) -> None:
    settings.ANNOTATOR_MAX_ACTIVE_SECONDS_PER_DAY = 100
    second = claimable_project(annotators=[annotator], tasks=1, overlap=1, min_tests=0)
    there = queue.claim_next_assignment(project=second, annotator=annotator, now=T0)

    here_credits = script(annotator, claimed, working(0, 60), tab="here")  # 60 s on the first project
    there_credits = script(annotator, there, working(80, 160), tab="there")  # from 60: 40 s more fit in the day
    platform = script(annotator, None, working(180, 220), tab="none")  # time on no task counts too

    assert here_credits == [0, 20, 20, 20]
    assert there_credits == [20, 20, 0, 0, 0]
    assert platform == [0, 0, 0]
    assert (today(annotator), assignment_seconds(claimed), assignment_seconds(there)) == (100, 60, 40)
    tomorrow = dt.timedelta(days=1).total_seconds()
    next_day = script(annotator, there, [(int(tomorrow), WORK), (int(tomorrow) + 20, WORK)], tab="next-day")
    assert next_day == [0, 20]  # a new day, a new allowance


def test_the_daily_cap_cuts_a_beat_to_the_seconds_left(settings, annotator: User, claimed: Assignment) -> None:
    settings.ANNOTATOR_MAX_ACTIVE_SECONDS_PER_DAY = 50

    assert script(annotator, claimed, working(0, 80), tab="t1") == [0, 20, 20, 10, 0]
    assert today(annotator) == 50


def test_claim_beat_skip_loops_cannot_exceed_the_daily_cap(settings, annotator: User, project: Project) -> None:
    """The per-assignment cap alone let claim, beat, skip repeat without limit."""
    settings.ANNOTATOR_MAX_ACTIVE_SECONDS_PER_DAY = 300
    settings.ASSIGNMENT_MAX_ACTIVE_SECONDS = 100
    clock, loops = 0, []
    for round_ in range(10):
        assignment = queue.claim_next_assignment(project=project, annotator=annotator, now=at(clock))
        loops.append(sum(script(annotator, assignment, working(clock, clock + 120), tab=f"loop-{round_}")))
        queue.skip_assignment(assignment=assignment, reason="not my language")
        clock += 140

    assert loops == [100, 100, 100, 0, 0, 0, 0, 0, 0, 0]  # each loop capped at 100 s, the day at 300 s
    assert today(annotator) == 300
    assert sum(Assignment.objects.filter(annotator=annotator).values_list("active_seconds", flat=True)) == 300


# --- finding 4: time credited on work that ended skipped or expired is shown to the lead


@pytest.fixture
def idle_scene(annotator: User, annotator2: User, lead: User) -> tuple[Project, dict[str, Assignment]]:
    """ann: 300 s submitted, 400 s then skipped, 200 s then abandoned (lease expired); bob: 300 s submitted."""
    project = claimable_project(annotators=[annotator, annotator2], tasks=4, overlap=2, min_tests=0)
    services.add_member(project=project, user=lead, role=Role.LEAD)
    made = {"submitted": worked(annotator, project, start=0, seconds=300)}
    submit_judgment(made["submitted"])  # one active assignment per project: finish it before the next claim
    made["skipped"] = worked(annotator, project, start=400, seconds=400)
    queue.skip_assignment(assignment=made["skipped"], reason="unfamiliar library")
    made["expired"] = worked(annotator, project, start=900, seconds=200)
    made["other"] = worked(annotator2, project, start=0, seconds=300)
    submit_judgment(made["other"])
    queue.expire_assignments(now=at(900 + 200) + dt.timedelta(minutes=django_settings.ASSIGNMENT_LEASE_MINUTES + 1))
    made["expired"].refresh_from_db()
    assert made["expired"].status == Assignment.Status.EXPIRED
    return project, made


def worked(user: User, project: Project, *, start: int, seconds: int) -> Assignment:
    assignment = queue.claim_next_assignment(project=project, annotator=user, now=at(start))
    credited = sum(script(user, assignment, working(start, start + seconds), tab=f"w-{assignment.pk}"))
    assert credited == seconds
    return assignment


def test_time_on_skipped_and_expired_work_is_the_idle_figure(idle_scene, annotator: User, annotator2: User) -> None:
    project, made = idle_scene

    rows = {r.username: r for r in annotators.annotator_stats(project)}

    ann, bob = rows[annotator.username], rows[annotator2.username]
    assert (ann.active_seconds, ann.idle_seconds) == (300, 600)  # 400 skipped + 200 expired
    assert sorted(ann.idle_assignments) == sorted([made["skipped"].pk, made["expired"].pk])
    assert ann.idle_flagged  # 600 s is 10 minutes and two thirds of the time on finished work
    assert (bob.idle_seconds, bob.idle_assignments, bob.idle_flagged) == (0, [], False)


def test_an_annotator_who_only_skips_is_listed_with_the_idle_time(annotator: User, annotator2: User) -> None:
    """The claim-beat-skip annotator submits nothing: the figures must not leave them out."""
    project = claimable_project(annotators=[annotator, annotator2], tasks=3, overlap=2, min_tests=0)
    for start in (0, 1000):
        queue.skip_assignment(assignment=worked(annotator2, project, start=start, seconds=400), reason="no")

    (row,) = annotators.annotator_stats(project)

    assert (row.username, row.submitted, row.active_seconds, row.idle_seconds) == (annotator2.username, 0, 0, 800)
    assert row.idle_flagged and row.median_minutes is None


def test_an_expired_task_taken_back_and_submitted_is_not_idle(annotator: User) -> None:
    project = claimable_project(annotators=[annotator], tasks=1, overlap=1, min_tests=0)
    first = worked(annotator, project, start=0, seconds=100)
    later = at(100) + dt.timedelta(minutes=django_settings.ASSIGNMENT_LEASE_MINUTES + 1)
    again = queue.claim_next_assignment(project=project, annotator=annotator, now=later)  # the same task, resumed
    assert again.pk == first.pk
    submit_judgment(again)

    (row,) = annotators.annotator_stats(project)

    assert (row.active_seconds, row.idle_seconds, row.idle_flagged) == (100, 0, False)


@pytest.mark.parametrize(
    ("idle", "finished", "flagged"),
    [
        (599, 599, False),  # all idle, but under 10 minutes: a few honest skips
        (600, 600, True),
        (600, 2400, True),  # exactly a quarter
        (600, 2401, False),  # under a quarter: skips beside a lot of submitted work
        (0, 0, False),
    ],
)
def test_the_idle_flag_needs_ten_minutes_and_a_quarter_of_the_time(idle: int, finished: int, flagged: bool) -> None:
    assert annotators.idle_flagged(idle_seconds=idle, finished_seconds=finished) is flagged


def test_the_page_and_the_api_show_the_idle_figure_to_leads_only(
    client: Client, idle_scene, lead: User, reviewer: User, annotator: User, outsider: User
) -> None:
    project, _ = idle_scene
    services.add_member(project=project, user=reviewer, role=Role.REVIEWER)
    page, api = f"/projects/{project.slug}/annotators/", f"/api/v1/projects/{project.slug}/annotators"

    client.force_login(lead)
    html = client.get(page + "?sort=idle_seconds&desc=1").content.decode()
    rows = {r["annotator"]: r for r in client.get(api).json()}

    assert "Idle credited" in html and 'class="idle-flag' in html
    minutes, share = annotators.IDLE_FLAG_SECONDS // 60, f"{annotators.IDLE_FLAG_SHARE:.0%}"
    rule = f"flagged from {minutes} minutes when it is at least {share}"
    assert rule in html  # the legend says the rule the code applies
    assert html.index(annotator.username) < html.index("bob-annotator")  # sorted by idle time, most first
    assert (rows[annotator.username]["idle_seconds"], rows[annotator.username]["idle_flagged"]) == (600, True)
    assert (rows["bob-annotator"]["idle_seconds"], rows["bob-annotator"]["idle_flagged"]) == (0, False)
    assert sorted(rows[annotator.username]["idle_assignments"]) == sorted(
        Assignment.objects.filter(annotator=annotator, status__in=["skipped", "expired"]).values_list("pk", flat=True)
    )
    for user, expected in ((reviewer, 403), (annotator, 403), (outsider, 404)):
        client.force_login(user)
        assert (client.get(page).status_code, client.get(api).status_code) == (expected, expected), user.username
    client.logout()
    assert client.get(page).status_code == 302 and client.get(api).status_code in (401, 403)


# --- finding 6 (heartbeat part): a sequence number the database cannot hold is a clear 400


@pytest.mark.parametrize("seq", [2**63, 2**31])
def test_a_sequence_number_out_of_range_is_a_400_naming_seq(client: Client, annotator: User, seq: int) -> None:
    client.force_login(annotator)
    api = {"Authorization": f"Token {Token.objects.get_or_create(user=annotator)[0].key}"}

    page = client.post("/work/heartbeat", {"tab": "t", "seq": seq})
    through_api = client.post("/api/v1/heartbeat", {"tab": "t", "seq": seq}, "application/json", headers=api)

    assert page.status_code == 400 and "seq" in page.json()["errors"]
    assert through_api.status_code == 400 and "seq" in through_api.json()
    assert "2147483647" in str(through_api.json()["seq"])
    assert not HeartbeatTab.objects.filter(annotator=annotator).exists()
    highest = client.post("/api/v1/heartbeat", {"tab": "t", "seq": 2**31 - 1}, "application/json", headers=api)
    assert highest.status_code == 200


@pytest.mark.parametrize("field", ["keys", "pointer", "scroll", "edits"])
def test_an_event_count_out_of_range_is_a_400_naming_it(client: Client, annotator: User, field: str) -> None:
    client.force_login(annotator)

    negative = client.post("/work/heartbeat", {"tab": "t", "seq": 1, field: -1})
    huge = client.post("/work/heartbeat", {"tab": "t", "seq": 2, field: 10**12})

    assert negative.status_code == 400 and field in negative.json()["errors"]
    assert huge.status_code == 400 and field in huge.json()["errors"]


def test_the_schema_documents_what_a_heartbeat_carries(client: Client, annotator: User) -> None:
    client.force_login(annotator)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    fields = schema["components"]["schemas"]["HeartbeatInput"]["properties"]

    assert {"keys", "pointer", "scroll", "edits", "running"} <= set(fields)
    assert all(fields[name].get("description") for name in ("keys", "pointer", "scroll", "edits", "running"))
    assert fields["seq"]["maximum"] == 2**31 - 1


def test_the_page_sends_every_event_count_the_heartbeat_takes() -> None:
    """The page and the API must agree on the names, or the page's beats stop earning."""
    script_text = (Path(django_settings.BASE_DIR) / "annotation/static/js/workspace.js").read_text()
    sent = set(re.findall(r'body\.append\("(\w+)"', script_text))

    assert set(work_serializers.HeartbeatInput().fields) <= sent


def test_the_page_counts_events_between_beats_and_keeps_those_of_a_lost_beat(client: Client, annotator: User) -> None:
    """workspace.js in node with a minimal page: what each beat sends after scripted events."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script_path = Path(django_settings.BASE_DIR) / "annotation/static/js/workspace.js"

    ran = subprocess.run([node, str(HARNESS), str(script_path)], capture_output=True, text=True, timeout=30)

    assert ran.returncode == 0, ran.stderr
    beats = [body for body in json.loads(ran.stdout) if "seq" in body]  # the last one is the draft's beacon
    counts = [(*(int(b[k]) for k in ("keys", "pointer", "scroll", "edits")), b["running"]) for b in beats]
    assert counts == [
        (0, 0, 0, 0, "false"),  # at load: nothing seen yet
        (3, 3, 2, 1, "false"),  # 3 keys; 2 moves and a press; a wheel and a scroll; a form input
        (0, 0, 0, 0, "false"),  # nothing since: the server pays nothing for it
        (1, 0, 0, 0, "false"),  # this one did not arrive ...
        (1, 0, 0, 0, "false"),  # ... so its key press goes with the next
        (0, 0, 0, 0, "true"),  # a run is pending
        (0, 0, 1, 0, "true"),  # the beacon when the page is left
    ]
    assert [int(b["seq"]) for b in beats] == list(range(1, 8))
    client.force_login(annotator)
    page_body = {**beats[1], "assignment": ""}  # what the page posts is what the heartbeat takes
    assert client.post("/work/heartbeat", page_body).status_code == 200


# --- helpers


def twenty_seconds_pass(user: User) -> None:
    """Time travel for HTTP beats (server time is the real clock): the annotator's intervals and the
    last beat of each of their tabs move 20 s into the past."""
    period = dt.timedelta(seconds=20)
    ActivityInterval.objects.filter(annotator=user).update(
        started_at=F("started_at") - period, ended_at=F("ended_at") - period
    )
    HeartbeatTab.objects.filter(annotator=user).update(updated_at=F("updated_at") - period)


def pending_run(assignment: Assignment, *, started: dt.datetime) -> TestRun:
    """A run of the annotator's tests still waiting for the sandbox (its result is queued)."""
    run = TestRun.objects.create(
        assignment=assignment, test_case=TestCase.objects.create(assignment=assignment, code="def test_x(): pass")
    )
    TestRun.objects.filter(pk=run.pk).update(created_at=started)
    TestResult.objects.create(test_run=run, response=assignment.task.responses.first())
    return run
