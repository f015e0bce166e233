"""A compiled queryset (tasks/compiled.py) gives the rows its plain queryset gives, for every value,
and refuses what it cannot run faithfully."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.utils import timezone

from annotation.work import queue
from tasks.access import _PROJECT_WITH_ROLE, member_role
from tasks.compiled import Compiled, CompiledUpdate
from tasks.models import Membership, Project, Role, Task, User
from tests.conftest import claimable_project, make_user, need_real


def plain(queryset: Any) -> list[Any]:
    return list(queryset)


def rows(projects: Any) -> list[tuple[Any, ...]]:
    """read_role is an annotation, so the model's type does not know it."""
    return [(p.pk, p.slug, p.__dict__["read_role"]) for p in projects]


def test_each_value_gives_the_rows_of_the_plain_queryset(
    project: Project, other_project: Project, annotator: User, lead: User, outsider: User
) -> None:
    """Run with one value after another on the same plan: a plan that kept the first run's values, or
    put one in the other's place, gives the wrong project or the wrong role."""
    for user in (annotator, lead, outsider):
        for slug in (project.slug, other_project.slug, "no-such-project"):
            got = _PROJECT_WITH_ROLE.all(slug=slug, user=user.pk)
            want = plain(Project.objects.filter(slug=slug).annotate(read_role=member_role(user.pk)))
            assert rows(got) == rows(want)
    assert _PROJECT_WITH_ROLE.first(slug=project.slug, user=lead.pk).read_role == Role.LEAD  # type: ignore[union-attr]
    assert _PROJECT_WITH_ROLE.first(slug=project.slug, user=outsider.pk).read_role is None  # type: ignore[union-attr]


def test_two_slots_of_the_same_kind_keep_their_places(project: Project, annotator: User, lead: User) -> None:
    """user and project are both ints: swapped places would read the membership of (project, user) as
    (user, project), which exists for none of these."""
    memberships: Compiled[tuple[str]] = Compiled(
        lambda user, project: Membership.objects.filter(user_id=user, project_id=project).values_list("role"),
        user=int,
        project=int,
    )
    assert memberships.all(user=annotator.pk, project=project.pk) == [(Role.ANNOTATOR,)]
    assert memberships.all(user=lead.pk, project=project.pk) == [(Role.LEAD,)]
    assert memberships.all(user=project.pk, project=annotator.pk) == plain(
        Membership.objects.filter(user_id=project.pk, project_id=annotator.pk).values_list("role")
    )


def test_a_datetime_slot_compares_as_the_orm_would(project: Project, other_project: Project) -> None:
    """SQLite stores datetimes as text: a value passed unadapted would compare as a string of another format."""
    Project.objects.filter(pk=project.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    since: Compiled[tuple[int]] = Compiled(
        lambda after: Project.objects.filter(created_at__gt=after).order_by("pk").values_list("pk"), after=dt.datetime
    )
    for after in (timezone.now() - dt.timedelta(days=3), timezone.now() - dt.timedelta(days=1), timezone.now()):
        assert since.all(after=after) == plain(
            Project.objects.filter(created_at__gt=after).order_by("pk").values_list("pk")
        )
    assert since.all(after=timezone.now() - dt.timedelta(days=1)) == [(other_project.pk,)]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda user: User.objects.filter(pk=user) if user > 1500 else User.objects.all(), id="decides"),
        pytest.param(lambda user: User.objects.filter(pk=user + 1), id="computes"),
        pytest.param(lambda user: User.objects.all(), id="drops"),
        pytest.param(lambda user: User.objects.filter(pk__in=range(user % 3 + 1)), id="list"),
    ],
)
def test_a_builder_whose_values_shape_the_query_is_refused(build: Any, annotator: User) -> None:
    with pytest.raises(ValueError, match="compiled query"):
        Compiled(build, user=int).all(user=annotator.pk)


def test_a_parameter_that_is_not_an_argument_and_changes_is_refused(annotator: User) -> None:
    counter = iter(range(100))
    compiled: Compiled[User] = Compiled(lambda user: User.objects.filter(pk=user, id__gte=-next(counter)), user=int)
    with pytest.raises(ValueError, match="derived from an argument"):
        compiled.all(user=annotator.pk)


def test_wrong_arguments_and_unsupported_querysets_are_refused(annotator: User) -> None:
    compiled: Compiled[User] = Compiled(lambda user: User.objects.filter(pk=user), user=int)
    with pytest.raises(TypeError, match="takes"):
        compiled.all(pk=annotator.pk)
    prefetching: Compiled[User] = Compiled(
        lambda user: User.objects.filter(pk=user).prefetch_related("memberships"), user=int
    )
    with pytest.raises(ValueError, match="prefetch_related"):
        prefetching.all(user=annotator.pk)


def test_values_and_annotations_come_back_as_the_queryset_makes_them(project: Project, annotator: User) -> None:
    compiled: Compiled[dict[str, Any]] = Compiled(
        lambda user: Membership.objects.filter(user_id=user).annotate(slug=F("project__slug")).values("slug", "role"),
        user=int,
    )
    assert compiled.all(user=annotator.pk) == [{"slug": project.slug, "role": Role.ANNOTATOR}]


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction, as a view in autocommit
def test_a_locking_read_outside_a_transaction_fails_as_djangos_does(annotator: User, project: Project) -> None:
    locking: Compiled[tuple[int]] = Compiled(
        lambda user: Membership.objects.select_for_update().filter(user_id=user).values_list("pk"), user=int
    )
    with transaction.atomic():
        assert locking.all(user=annotator.pk) == plain(Membership.objects.filter(user=annotator).values_list("pk"))
    with pytest.raises(TransactionManagementError):  # at every run, not only the one that compiled it
        locking.all(user=annotator.pk)


def test_an_id_past_64_bits_finds_nothing_instead_of_failing(client: Client, annotator: User) -> None:
    compiled: Compiled[User] = Compiled(lambda user: User.objects.filter(pk=user), user=int)
    assert compiled.all(user=2**63) == []
    assert compiled.all(user=-(2**63) - 1) == []
    client.force_login(annotator)
    assert client.get(f"/work/{2**64}/").status_code == 404
    assert client.get(f"/api/v1/assignments/{2**64}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_another_threads_connection_builds_and_keeps_its_own_plan(project: Project, lead: User) -> None:
    """A plan holds its connection's compiler: one shared between threads would run on the other
    thread's connection, which Django refuses; each connection object keeps its own."""
    assert _PROJECT_WITH_ROLE.first(slug=project.slug, user=lead.pk) is not None
    out: dict[str, Any] = {}

    def read() -> None:
        try:
            row = _PROJECT_WITH_ROLE.first(slug=project.slug, user=lead.pk)
            out["role"] = getattr(row, "read_role", None)
            out["own"] = _PROJECT_WITH_ROLE in connections["default"].__dict__.get("compiled_plans", {})
        except Exception as exc:
            out["error"] = exc
        finally:
            connection.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert out == {"role": Role.LEAD, "own": True}


@pytest.mark.django_db
def test_on_postgresql_a_read_repeated_on_a_connection_is_prepared_by_the_server(
    project: Project, annotator: User, lead: User
) -> None:
    """settings.py turns on server-side binding with prepare_threshold 2: the server plans a repeated
    statement once. Without it (client-side binding, Django's default) nothing is ever prepared and the
    values are in the statement's text."""
    if connection.vendor != "postgresql":
        need_real("PostgreSQL", "prepared statements are PostgreSQL's")
    for user in (annotator, lead, annotator):
        assert [p.pk for p in _PROJECT_WITH_ROLE.all(slug=project.slug, user=user.pk)] == [project.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    reads = [s for s in prepared if '"tasks_project"."slug" = $' in s]
    assert reads, prepared
    assert project.slug not in reads[0]  # the value is bound, not written into the plan's text


@pytest.mark.django_db
def test_a_compiled_update_sets_what_the_plain_update_sets_on_the_row_it_names() -> None:
    """The claim's recount (annotation/work/queue.py), compiled: run for one task after another on the
    same plan, each gets its own count of held places and no other row changes. A plan that kept the
    first task's id, or lost the WHERE, would recount the wrong task or all of them."""
    first, second = make_user("cu-first"), make_user("cu-second")
    project = claimable_project(annotators=[first, second], tasks=3, overlap=2, min_tests=0)
    a = queue.claim_next_assignment(project=project, annotator=first)
    b = queue.claim_next_assignment(project=project, annotator=second)
    assert a.task_id == b.task_id  # the fullest task first: both hold a place on it
    other = Task.objects.filter(project=project).exclude(pk=a.task_id).order_by("id")
    Task.objects.filter(project=project).update(taken=7)  # a cache gone wrong everywhere

    assert queue._RECOUNT_ONE.run(task=a.task_id) == 1
    assert queue._RECOUNT_ONE.run(task=other[0].pk) == 1
    assert dict(Task.objects.filter(project=project).values_list("pk", "taken")) == {
        a.task_id: 2,
        other[0].pk: 0,
        other[1].pk: 7,  # not named: untouched
    }
    assert queue._RECOUNT_ONE.run(task=10**9) == 0  # no such row
    assert queue._RECOUNT_ONE.run(task=2**70) == 0  # past 64 bits: no database takes it, no row has it


@pytest.mark.django_db
def test_a_compiled_update_refuses_a_join_and_an_argument_that_shapes_it(project: Project) -> None:
    """An update through a related table makes Django read the rows' keys first (values, not slots);
    an argument that decides which filter applies changes the SQL between the two builds."""
    joined = CompiledUpdate(lambda slug: (Task.objects.filter(project__slug=slug), {"taken": 0}), slug=str)
    with pytest.raises(ValueError, match="no join"):
        joined.run(slug=project.slug)
    shaped = CompiledUpdate(
        lambda task: (Task.objects.filter(pk=task) if task > 1500 else Task.objects.all(), {"taken": 0}), task=int
    )
    with pytest.raises(ValueError, match="SQL changes"):
        shaped.run(task=1)
