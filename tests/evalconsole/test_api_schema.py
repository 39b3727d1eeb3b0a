import json
from io import StringIO

from django.core.management import call_command


def test_the_openapi_schema_is_valid_and_names_every_contract_path(db):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = out.getvalue()
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/users/",
        "/api/v1/guidelines/",
        "/api/v1/guidelines/{slug}/versions/",
        "/api/v1/guidelines/{slug}/versions/{number}/publish/",
        "/api/v1/guidelines/{slug}/diff/",
    ):
        assert f'"{path}"' in schema, path


def test_the_api_docs_page_loads_its_scripts_from_our_own_static_files(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "https://" not in page.split("<body")[0]


def _schema() -> dict:
    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def test_every_list_is_documented_as_a_page_with_page_and_page_size(db):
    schema = _schema()
    for path in (
        "/api/v1/users/",
        "/api/v1/guidelines/",
        "/api/v1/guidelines/{slug}/versions/",
        "/api/v1/projects/",
        "/api/v1/projects/{project_id}/tasks/",
        "/api/v1/projects/{project_id}/reports/",
    ):
        operation = schema["paths"][path]["get"]
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        assert set(schema["components"]["schemas"][page]["properties"]) == {"count", "next", "previous", "results"}
        assert {"page", "page_size"} <= {parameter["name"] for parameter in operation["parameters"]}, path


def test_every_operation_documents_the_errors_it_can_answer_with(db):
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path == "/api/v1/auth/token/":
                assert not codes & {"401", "403"}, (method, path)
                continue
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"400", "409"} <= codes, (method, path)
