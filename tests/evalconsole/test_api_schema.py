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
