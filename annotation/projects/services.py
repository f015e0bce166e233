"""Project setup for leads: create a project, change its settings, archive it, duplicate it. One validator
(check_settings) serves the settings page and the API; every change is written to the audit log
(tasks/audit.py) inside its transaction.

Once work has started (a judgment, draft or submitted, exists in the project) a change that would make
stored judgments wrong is refused, with the count that says why: the ranking mode; removing or re-keying
a rubric dimension; a scale that leaves stored scores outside it; removing a comment category that line
comments use. Additions, labels, help texts, order and `required` may always change.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from annotation.models import Judgment
from annotation.work.judgment_input import MAX_TEXT
from sandbox import languages
from tasks import audit
from tasks import services as project_services
from tasks.models import Project, RankingMode, User
from tasks.text import lf

# The settings a lead edits, in the order of the page; a duplicate copies exactly these (name aside).
SETTINGS = (
    "name",
    "instructions",
    "ranking_mode",
    "overlap",
    "gold_share",
    "review_sample_rate",
    "pay_rate_per_hour",
    "min_tests",
    "min_rationale_chars",
    "requires_ideal_solution",
    "qualification_required",
    "qualification_minutes",
    "qualification_pass_score",
    "allowed_languages",
    "export_metadata_keys",
    "comment_categories",
    "rubric",
)
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_DIMENSIONS = 12
MAX_CATEGORIES = 20
MAX_LABEL = 80
MAX_HELP = 300
SCALE_BOUNDS = (0, 10)  # a dimension's min and max lie in here, min below max
RESERVED_SLUGS = {"new"}  # /projects/new/ is the create page


class SettingsRefused(Exception):
    """Settings that are not accepted: {field: why}, each message naming the fix."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def can_create(user: User | AnonymousUser) -> bool:
    """Whether the user may create projects: staff, or the site-wide "Can create projects" permission."""
    return user.is_authenticated and (user.is_staff or user.has_perm("tasks.create_project"))


def require_creator(user: User | AnonymousUser) -> None:
    """403 unless the user may create projects (anonymous callers never get this far)."""
    if not can_create(user):
        raise PermissionDenied('Creating projects needs the "Can create projects" permission; ask an admin.')


def snapshot(project: Project) -> dict[str, Any]:
    """The project's settings as JSON values (the audit log's old and new values, the API's answer)."""
    return {field: _jsonable(getattr(project, field)) for field in SETTINGS}


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else copy.deepcopy(value)


# --- The validator


def check_settings(values: dict[str, Any], *, project: Project | None, slug: str | None = None) -> dict[str, Any]:
    """`values` (some of SETTINGS) cleaned, for a new project (`project` None, `slug` given) or a change of
    `project`; raises SettingsRefused with every problem found."""
    unknown = sorted(set(values) - set(SETTINGS))
    if unknown:
        raise SettingsRefused({field: "not a project setting" for field in unknown})
    clean = dict(values)
    errors: dict[str, str] = {}
    for field, checker in (
        ("rubric", clean_rubric),
        ("comment_categories", _categories),
        ("allowed_languages", _languages),
        ("export_metadata_keys", _metadata_keys),
    ):
        if field in clean:
            try:
                clean[field] = checker(clean[field])
            except ValueError as wrong:
                errors[field] = str(wrong)
    if isinstance(clean.get("instructions"), str):
        clean["instructions"] = lf(clean["instructions"])  # exported as the system turn: LF, like every text
    if len(clean.get("instructions") or "") > MAX_TEXT:
        errors["instructions"] = f"over {MAX_TEXT:,} characters: shorten them"
    candidate = copy.copy(project) if project is not None else Project(slug=slug or "")
    for field, value in clean.items():
        if field not in errors:
            setattr(candidate, field, value)
    errors.update(_model_errors(candidate, skip=set(errors), new=project is None))
    if project is not None and not errors:
        errors.update(_work_started_refusals(project, clean))
    if errors:
        raise SettingsRefused(errors)
    return clean


def _model_errors(candidate: Project, *, skip: set[str], new: bool) -> dict[str, str]:
    """The model's own rules (lengths, ranges, choices, a unique slug) as {field: message}."""
    errors: dict[str, str] = {}
    if new and candidate.slug in RESERVED_SLUGS:
        errors["slug"] = f'"{candidate.slug}" is reserved: choose another slug'
    try:
        candidate.full_clean(exclude=["archived_at", *skip])
    except ValidationError as invalid:
        for field, messages in invalid.message_dict.items():
            if field == "slug" and "already exists" in " ".join(messages):
                messages = [f'a project with the slug "{candidate.slug}" already exists: choose another slug']
            errors.setdefault(field, " ".join(messages))
    return errors


def clean_rubric(value: Any) -> list[dict[str, Any]]:
    """The rubric's dimensions, each with key, label, help, min and max, and `"required": false` where it
    is not required (absent means required, as in the default rubric, so saving it unchanged changes
    nothing); ValueError says why."""
    if not isinstance(value, list) or not value:
        raise ValueError("the rubric is a list of at least one dimension")
    if len(value) > MAX_DIMENSIONS:
        raise ValueError(f"at most {MAX_DIMENSIONS} dimensions (this one has {len(value)})")
    low, high = SCALE_BOUNDS
    dimensions: list[dict[str, Any]] = []
    for number, raw in enumerate(value, start=1):
        where = f"dimension {number}"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected an object with key, label, min and max")
        extra = sorted(set(raw) - {"key", "label", "help", "min", "max", "required"})
        if extra:
            raise ValueError(f"{where}: unknown field {', '.join(extra)}")
        key = _key(raw.get("key"), where, [d["key"] for d in dimensions])
        label = _text(raw.get("label"), f"{where} ({key}): label", required=True)
        help_text = _text(raw.get("help", ""), f"{where} ({key}): help", limit=MAX_HELP)
        scale = raw.get("min"), raw.get("max")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in scale):
            raise ValueError(f"{where} ({key}): min and max are whole numbers")
        minimum, maximum = int(scale[0]), int(scale[1])  # type: ignore[arg-type]
        if not low <= minimum < maximum <= high:
            raise ValueError(f"{where} ({key}): the scale goes from min to max, {low} <= min < max <= {high}")
        required = raw.get("required", True)
        if not isinstance(required, bool):
            raise ValueError(f"{where} ({key}): required is true or false")
        dimension = {"key": key, "label": label, "help": help_text, "min": minimum, "max": maximum}
        dimensions.append(dimension if required else {**dimension, "required": False})
    return dimensions


def _categories(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not value:
        raise ValueError("the comment categories are a list of at least one {key, label}")
    if len(value) > MAX_CATEGORIES:
        raise ValueError(f"at most {MAX_CATEGORIES} categories (this list has {len(value)})")
    categories: list[dict[str, str]] = []
    for number, raw in enumerate(value, start=1):
        where = f"category {number}"
        if not isinstance(raw, dict) or set(raw) - {"key", "label"}:
            raise ValueError(f"{where}: expected an object with key and label only")
        key = _key(raw.get("key"), where, [c["key"] for c in categories])
        categories.append({"key": key, "label": _text(raw.get("label"), f"{where} ({key}): label", required=True)})
    return categories


def _languages(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("allowed languages are a list of language names (empty: every language)")
    unknown = sorted(set(value) - set(languages.LANGUAGES))
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)} (supported: {', '.join(sorted(languages.LANGUAGES))})")
    return [name for name in languages.LANGUAGES if name in value]  # the sandbox's order, each once


MAX_METADATA_KEYS = 50


def _metadata_keys(value: Any) -> list[str]:
    """A list of import metadata keys, or the page's text of them separated by commas; each once, sorted."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise ValueError("export metadata keys are a list of key names (empty: none)")
    keys = sorted({v.strip() for v in items if v.strip()})
    long = [k for k in keys if len(k) > 100]
    if long or len(keys) > MAX_METADATA_KEYS:
        raise ValueError(f"at most {MAX_METADATA_KEYS} keys of at most 100 characters each")
    return keys


def _key(value: Any, where: str, taken: list[str]) -> str:
    if not isinstance(value, str) or not KEY.fullmatch(value):
        raise ValueError(f"{where}: key {value!r} must be 1-40 of a-z, 0-9 and _, starting with a letter")
    if value in taken:
        raise ValueError(f'{where}: key "{value}" is used twice')
    return value


def _text(value: Any, where: str, *, required: bool = False, limit: int = MAX_LABEL) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text")
    text = value.strip()
    if required and not text:
        raise ValueError(f"{where} is empty")
    if len(text) > limit:
        raise ValueError(f"{where} is over {limit} characters")
    return text


# --- Once work has started


def _work_started_refusals(project: Project, clean: dict[str, Any]) -> dict[str, str]:
    """What `clean` would break in the project's stored judgments, as {field: why}."""
    judgments = Judgment.objects.filter(assignment__task__project=project)
    started = judgments.count()
    if not started:
        return {}
    scores: dict[str, list[int]] = {}  # dimension -> every stored score
    users: dict[str, set[int]] = {}  # dimension -> the judgments that rate on it
    comments: dict[str, int] = {}  # comment category -> line comments in it
    for pk, ratings, line_comments in judgments.values_list("pk", "ratings", "line_comments").iterator():
        for by_key in (ratings or {}).values():
            for key, score in (by_key or {}).items():
                scores.setdefault(key, []).append(score)
                users.setdefault(key, set()).add(pk)
        for comment in line_comments or []:
            comments[comment.get("category", "")] = comments.get(comment.get("category", ""), 0) + 1
    errors: dict[str, str] = {}
    mode = clean.get("ranking_mode", project.ranking_mode)
    if mode != project.ranking_mode:
        errors["ranking_mode"] = (
            f"{_already_use(started, 'judgment')} {RankingMode(project.ranking_mode).label.lower()}: the ranking "
            "mode cannot change once work has started; duplicate the project for the other mode"
        )
    if "rubric" in clean:
        refusals = _rubric_refusals(project.rubric, clean["rubric"], started, scores, users)
        if refusals:
            errors["rubric"] = "; ".join(refusals)
    if "comment_categories" in clean:
        kept = {c["key"] for c in clean["comment_categories"]}
        gone = [c["key"] for c in project.comment_categories if c["key"] not in kept and comments.get(c["key"])]
        if gone:
            errors["comment_categories"] = "; ".join(
                f"{_already_use(comments[key], 'line comment')} category '{key}': it cannot be removed or "
                "re-keyed (its label may change); add a new one instead"
                for key in gone
            )
    return errors


def _rubric_refusals(
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    started: int,
    scores: dict[str, list[int]],
    users: dict[str, set[int]],
) -> list[str]:
    by_key = {d["key"]: d for d in new}
    refusals: list[str] = []
    for dimension in old:
        key = dimension["key"]
        if key not in by_key:
            used = len(users.get(key, ()))
            why = _already_use(used, "judgment") if used else f"work has started ({_judgments(started)}) on"
            refusals.append(f"{why} dimension '{key}': it cannot be removed or re-keyed; add a new one instead")
            continue
        stored = scores.get(key)
        kept = by_key[key]
        if stored and (min(stored) < kept["min"] or max(stored) > kept["max"]):
            refusals.append(
                f"the stored scores on dimension '{key}' go from {min(stored)} to {max(stored)} "
                f"({_judgments(len(users[key]))}), outside the new scale {kept['min']}-{kept['max']}: keep the "
                "scale wide enough for them, or add a new dimension"
            )
    return refusals


def _already_use(count: int, noun: str) -> str:
    return f"{_plural(count, noun)} already {'uses' if count == 1 else 'use'}"


def _judgments(count: int) -> str:
    return _plural(count, "judgment")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def work_started(project: Project) -> int:
    """Judgments (drafts too) in the project: above zero, the refusals above apply."""
    return Judgment.objects.filter(assignment__task__project=project).count()


# --- The operations


@transaction.atomic
def create_project(*, actor: User, slug: str, values: dict[str, Any]) -> Project:
    """A new project with these settings (the rest default); `actor` becomes its lead."""
    clean = check_settings(values, project=None, slug=slug)
    options = {field: value for field, value in clean.items() if field != "name"}
    project = project_services.create_project(slug=slug, name=clean.get("name", ""), lead=actor, **options)
    audit.record(
        project=project,
        actor=actor,
        action="project.created",
        changes={field: [None, value] for field, value in snapshot(project).items()},
    )
    return project


def update_project(*, project: Project, actor: User, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Change some settings; returns {field: [old, new]} of what changed (nothing changed: {}, no audit row)."""
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)  # two leads saving at once: one after the other
        clean = check_settings(values, project=locked)
        before = snapshot(locked)
        for field, value in clean.items():
            setattr(locked, field, value)
        changes = audit.diff(before, snapshot(locked))
        if changes:
            locked.save(update_fields=sorted(changes))
            audit.record(project=locked, actor=actor, action="project.updated", changes=changes)
    for field in SETTINGS:
        setattr(project, field, getattr(locked, field))
    return changes


def archive_project(*, project: Project, actor: User) -> Project:
    """Make the project read-only and hide it from its annotators; archiving an archived project does nothing."""
    return _set_archived(project, actor, timezone.now())


def unarchive_project(*, project: Project, actor: User) -> Project:
    """Open an archived project again."""
    return _set_archived(project, actor, None)


@transaction.atomic
def _set_archived(project: Project, actor: User, when: Any) -> Project:
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if (locked.archived_at is None) != (when is None):
        old = locked.archived_at.isoformat() if locked.archived_at else None
        locked.archived_at = when
        locked.save(update_fields=["archived_at"])
        audit.record(
            project=locked,
            actor=actor,
            action="project.archived" if when else "project.unarchived",
            changes={"archived_at": [old, when.isoformat() if when else None]},
        )
    project.archived_at = locked.archived_at
    return project


@transaction.atomic
def duplicate_project(*, project: Project, actor: User, slug: str, name: str) -> Project:
    """A new project with `project`'s settings under a new slug and name; no tasks, and no members but
    `actor`, its lead. Both projects' audit logs say so."""
    values = {**snapshot(project), "name": name}
    values["pay_rate_per_hour"] = project.pay_rate_per_hour
    copy_ = create_project(actor=actor, slug=slug, values=values)
    audit.record(project=project, actor=actor, action="project.duplicated", target=copy_.slug)
    audit.record(project=copy_, actor=actor, action="project.duplicated_from", target=project.slug)
    return copy_
