from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evalconsole.access import (
    can_create_guideline,
    can_write_guideline,
    get_guideline_for_user,
    get_guideline_version_for_user,
)
from evalconsole.forms import add_service_errors
from guidelines import selectors, services
from guidelines.diff import diff_schema, diff_text
from guidelines.forms import GuidelineForm, VersionForm
from guidelines.rendering import render_markdown
from guidelines.schema import validate_schema


@login_required
def guideline_list(request):
    guidelines = selectors.guideline_list(user=request.user)
    return render(
        request,
        "guidelines/list.html",
        {"guidelines": guidelines, "can_create": can_create_guideline(request.user)},
    )


@login_required
def guideline_create(request):
    if not can_create_guideline(request.user):
        raise PermissionDenied("Only project owners and admins can create guidelines.")
    form = GuidelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guideline = services.guideline_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Created {guideline.name}. Version 1 is a draft: write the SOP and its schema.")
            return redirect("guidelines:version_edit", slug=guideline.slug, number=1)
    return render(request, "guidelines/create.html", {"form": form})


@login_required
def guideline_detail(request, slug):
    guideline = get_guideline_for_user(request.user, slug)
    versions = list(selectors.version_list(user=request.user, guideline=guideline))
    return render(
        request,
        "guidelines/detail.html",
        {
            "guideline": guideline,
            "versions": versions,
            "can_write": can_write_guideline(request.user, guideline),
            "has_draft": any(v.is_draft for v in versions),
        },
    )


@login_required
def version_detail(request, slug, number):
    version = get_guideline_version_for_user(request.user, slug, number)
    return render(
        request,
        "guidelines/version.html",
        {
            "guideline": version.guideline,
            "version": version,
            "body_html": render_markdown(version.body_markdown),
            "schema": version.schema,
            "can_write": can_write_guideline(request.user, version.guideline),
        },
    )


@login_required
def version_edit(request, slug, number):
    version = get_guideline_version_for_user(request.user, slug, number, write=True)
    # Say it before the author types anything; the service refuses the save as well.
    services.check_editable(version)
    form = VersionForm(request.POST or None, initial=VersionForm.initial_for(version))
    typed_schema = None
    if request.method == "POST" and form.is_valid():
        # Kept aside: a refused save takes the field out of cleaned_data, and the preview
        # should still show what was typed, not the last saved schema.
        typed_schema = form.cleaned_data["schema"]
        try:
            services.version_update(version=version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved draft version {version.number}.")
            return redirect("guidelines:version_edit", slug=slug, number=number)
    preview_schema = typed_schema if typed_schema is not None else version.schema
    problems = validate_schema(preview_schema)
    return render(
        request,
        "guidelines/edit.html",
        {
            "guideline": version.guideline,
            "version": version,
            "form": form,
            "body_html": render_markdown(form["body_markdown"].value()),
            "schema": None if problems else preview_schema,
            "problems": problems,
        },
    )


@login_required
@require_POST
def version_new(request, slug):
    guideline = get_guideline_for_user(request.user, slug, write=True)
    version = services.version_create(guideline=guideline, created_by=request.user)
    messages.success(request, f"Version {version.number} is a new draft, copied from the latest version.")
    return redirect("guidelines:version_edit", slug=slug, number=version.number)


@login_required
@require_POST
def version_publish(request, slug, number):
    version = get_guideline_version_for_user(request.user, slug, number, write=True)
    try:
        services.version_publish(version=version)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("guidelines:version_edit", slug=slug, number=number)
    messages.success(request, f"Published version {version.number}. It can no longer change.")
    return redirect("guidelines:version_detail", slug=slug, number=number)


@login_required
@require_POST
def version_retire(request, slug, number):
    version = get_guideline_version_for_user(request.user, slug, number, write=True)
    services.version_retire(version=version)
    messages.success(request, f"Retired version {version.number}. No new project can use it.")
    return redirect("guidelines:detail", slug=slug)


@login_required
@require_POST
def version_discard(request, slug, number):
    version = get_guideline_version_for_user(request.user, slug, number, write=True)
    services.version_discard(version=version)
    messages.success(request, f"Discarded draft version {version.number}.")
    return redirect("guidelines:detail", slug=slug)


@login_required
def guideline_diff(request, slug):
    guideline = get_guideline_for_user(request.user, slug)
    versions = list(selectors.version_list(user=request.user, guideline=guideline))
    if len(versions) < 2:
        return render(request, "guidelines/diff.html", {"guideline": guideline, "versions": versions})
    try:
        old_number = int(request.GET.get("from") or versions[1].number)
        new_number = int(request.GET.get("to") or versions[0].number)
    except ValueError:
        raise Http404("Version numbers are whole numbers.") from None
    old = get_guideline_version_for_user(request.user, slug, old_number)
    new = get_guideline_version_for_user(request.user, slug, new_number)
    return render(
        request,
        "guidelines/diff.html",
        {
            "guideline": guideline,
            "versions": versions,
            "old": old,
            "new": new,
            "body": diff_text(old.body_markdown, new.body_markdown),
            "schema_diff": diff_schema(old.schema, new.schema),
        },
    )


@login_required
@require_POST
def preview(request):
    """The editor's live preview: the SOP rendered and the schema as a rater will see it."""
    if not can_create_guideline(request.user):
        raise PermissionDenied("Only project owners and admins edit guidelines.")
    form = VersionForm(request.POST)
    form.is_valid()
    schema = form.cleaned_data.get("schema")
    problems = validate_schema(schema) if "schema" in form.cleaned_data else []
    return render(
        request,
        "guidelines/_preview.html",
        {
            "body_html": render_markdown(request.POST.get("body_markdown", "")),
            "schema": schema if schema is not None and not problems else None,
            "json_error": form.errors.get("schema"),
            "problems": problems,
        },
    )
