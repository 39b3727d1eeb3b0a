"""`format` in a query string picks an export's format; everywhere else it is ignored."""

import pytest

from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "qrels", "xml"])
def test_a_format_on_a_json_only_endpoint_is_ignored_not_a_404(api, owner, fmt):
    project = ProjectFactory(owner=owner)

    response = api.as_user(owner).get(f"/api/v1/projects/{project.pk}/?format={fmt}")

    assert (response.status_code, response["Content-Type"], response.json()["id"]) == (
        200, "application/json", project.pk,
    )  # fmt: skip


def test_the_exports_still_read_their_format(api, owner):
    project = ProjectFactory(owner=owner)

    response = api.as_user(owner).get(f"/api/v1/projects/{project.pk}/judgments/?format=csv")

    assert (response.status_code, response["Content-Type"]) == (200, "text/csv; charset=utf-8")
