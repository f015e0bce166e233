"""The OpenAPI schema and its docs page, served without any CDN."""

from django.test import Client

from tasks.models import User


def test_the_schema_documents_the_import_endpoint(client: Client, annotator: User) -> None:
    client.force_login(annotator)

    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert schema["openapi"].startswith("3.")
    assert "/api/v1/projects/{slug}/tasks/import" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_loads_its_assets_from_this_server(client: Client, annotator: User) -> None:
    client.force_login(annotator)

    html = client.get("/api/docs/").content.decode()

    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html


def test_a_token_comes_from_username_and_password(client: Client, annotator: User) -> None:
    answer = client.post("/api/v1/auth/token", {"username": annotator.username, "password": f"{annotator.username}-pw"})

    assert answer.status_code == 200 and len(answer.json()["token"]) == 40
