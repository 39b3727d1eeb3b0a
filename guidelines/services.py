"""Writes for guidelines and their versions.

A version is a draft until it is published; from then on it never changes (it can only be
retired), because judgments are stamped with it. The database holds the same rule in a
trigger, so no door (API, page, admin, shell) can get around it.
"""

import copy

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from evalconsole.errors import Conflict
from guidelines.models import Guideline, GuidelineVersion
from guidelines.schema import STARTER_SCHEMA, validate_schema

Status = GuidelineVersion.Status

STARTER_BODY = """# Purpose

Say what raters are judging and for whom.

## Rating each result

Describe every grade of the relevance scale with an example.

## Rating the page

Describe what makes a page satisfying, and when to tag each pain point.

## When you cannot judge

List the cases and the reason to choose.
"""


def _normalize_text(text: str | None) -> str | None:
    """Browsers send CRLF; store LF so diffs and exports see one kind of line ending."""
    return None if text is None else text.replace("\r\n", "\n").replace("\r", "\n")


def _check_schema(schema) -> None:
    problems = validate_schema(schema)
    if problems:
        raise ValidationError({"schema": [str(problem) for problem in problems]})


def check_editable(version: GuidelineVersion) -> None:
    """Refuse, with the reason, any change to a version that is no longer a draft."""
    if not version.is_draft:
        raise _frozen_error(version)


def _frozen_error(version: GuidelineVersion) -> Conflict:
    return Conflict(
        f'Version {version.number} of "{version.guideline.slug}" is {version.status} and cannot be changed. '
        "Start a new version instead.",
        code="version_frozen",
    )


def guideline_create(*, owner, name: str, slug: str = "", description: str = "") -> Guideline:
    """A new guideline with a first draft holding a starter SOP and schema to edit."""
    name = (name or "").strip()
    slug = (slug or "").strip() or slugify(name)[:64].strip("-")
    errors = {}
    if not name:
        errors["name"] = ["A guideline needs a name."]
    if not slug:
        errors["slug"] = ["A guideline needs a slug (letters, digits, hyphens)."]
    elif slug != slugify(slug) or len(slug) > 64:
        errors["slug"] = [f'"{slug}" is not a valid slug; use lower-case letters, digits and hyphens (at most 64).']
    elif Guideline.objects.filter(slug=slug).exists():
        errors["slug"] = [f'A guideline with slug "{slug}" already exists.']
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            guideline = Guideline.objects.create(owner=owner, slug=slug, name=name, description=description or "")
            GuidelineVersion.objects.create(
                guideline=guideline,
                number=1,
                body_markdown=STARTER_BODY,
                schema=copy.deepcopy(STARTER_SCHEMA),
                changelog="First version.",
                created_by=owner,
            )
    except IntegrityError:
        # Two people chose the same slug at the same moment.
        raise ValidationError({"slug": [f'A guideline with slug "{slug}" already exists.']}) from None
    return guideline


def guideline_update(*, guideline: Guideline, name: str | None = None, description: str | None = None) -> Guideline:
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": ["A guideline needs a name."]})
        guideline.name = name.strip()
    if description is not None:
        guideline.description = description
    guideline.save(update_fields=["name", "description"])
    return guideline


def version_create(
    *,
    guideline: Guideline,
    created_by,
    body_markdown: str | None = None,
    schema: dict | None = None,
    changelog: str | None = None,
) -> GuidelineVersion:
    """The next version, a copy of the latest one with any given fields replaced."""
    if schema is not None:
        _check_schema(schema)
    body_markdown, changelog = _normalize_text(body_markdown), _normalize_text(changelog)
    with transaction.atomic():
        # The lock serializes numbering; the unique constraints back it up.
        Guideline.objects.select_for_update().filter(pk=guideline.pk).first()
        latest = guideline.versions.order_by("-number").first()
        if latest is not None and latest.is_draft:
            raise Conflict(
                f'Version {latest.number} of "{guideline.slug}" is still a draft: edit or publish it '
                "before starting another.",
                code="draft_exists",
            )
        version = GuidelineVersion.objects.create(
            guideline=guideline,
            number=latest.number + 1 if latest else 1,
            body_markdown=body_markdown
            if body_markdown is not None
            else (latest.body_markdown if latest else STARTER_BODY),
            schema=schema if schema is not None else copy.deepcopy(latest.schema if latest else STARTER_SCHEMA),
            changelog=changelog or "",
            created_by=created_by,
        )
    return version


def version_update(
    *,
    version: GuidelineVersion,
    body_markdown: str | None = None,
    schema: dict | None = None,
    changelog: str | None = None,
) -> GuidelineVersion:
    check_editable(version)
    if schema is not None:
        _check_schema(schema)
    body_markdown, changelog = _normalize_text(body_markdown), _normalize_text(changelog)
    changes = {
        name: value
        for name, value in (("body_markdown", body_markdown), ("schema", schema), ("changelog", changelog))
        if value is not None
    }
    if not changes:
        return version
    changes["updated_at"] = timezone.now()
    # Conditional update: if someone published it a moment ago, nothing is written.
    updated = GuidelineVersion.objects.filter(pk=version.pk, status=Status.DRAFT).update(**changes)
    if not updated:
        version.refresh_from_db()
        raise _frozen_error(version)
    for name, value in changes.items():
        setattr(version, name, value)
    return version


def version_publish(*, version: GuidelineVersion) -> GuidelineVersion:
    if not version.is_draft:
        raise Conflict(
            f'Version {version.number} of "{version.guideline.slug}" is already {version.status}.', code="not_draft"
        )
    errors = {}
    if problems := validate_schema(version.schema):
        errors["schema"] = [str(problem) for problem in problems]
    if not version.body_markdown.strip():
        errors["body_markdown"] = ["A published guideline needs its SOP text."]
    if version.number > 1 and not version.changelog.strip():
        errors["changelog"] = [f"Say what changed since version {version.number - 1} before publishing."]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    updated = GuidelineVersion.objects.filter(pk=version.pk, status=Status.DRAFT).update(
        status=Status.PUBLISHED, published_at=now, updated_at=now
    )
    if not updated:
        raise Conflict(
            f'Version {version.number} of "{version.guideline.slug}" was published meanwhile.', code="not_draft"
        )
    version.status, version.published_at, version.updated_at = Status.PUBLISHED, now, now
    return version


def version_retire(*, version: GuidelineVersion) -> GuidelineVersion:
    """Retired versions stay readable (judgments point at them) but no new project may pin them."""
    now = timezone.now()
    updated = GuidelineVersion.objects.filter(pk=version.pk, status=Status.PUBLISHED).update(
        status=Status.RETIRED, retired_at=now, updated_at=now
    )
    if not updated:
        raise Conflict(
            f"Only a published version can be retired; version {version.number} is {version.status}.",
            code="not_published",
        )
    version.status, version.retired_at, version.updated_at = Status.RETIRED, now, now
    return version


def version_discard(*, version: GuidelineVersion) -> None:
    deleted, _ = GuidelineVersion.objects.filter(pk=version.pk, status=Status.DRAFT).delete()
    if not deleted:
        raise _frozen_error(version)
