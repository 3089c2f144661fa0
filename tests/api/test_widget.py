"""The chat widget's server side: its script and stylesheet, UI strings, pages and CORS."""

from __future__ import annotations

import yaml

from api.settings import REPO_ROOT

LANGUAGES = [item["code"] for item in yaml.safe_load((REPO_ROOT / "data" / "languages.yml").read_text())["languages"]]
SV_KEYS = set(yaml.safe_load((REPO_ROOT / "data" / "widget" / "sv.yml").read_text())["strings"])


def test_every_language_and_easy_swedish_has_every_string(client) -> None:  # type: ignore[no-untyped-def]
    assert len(LANGUAGES) == 12
    for code in [*LANGUAGES, "sv-easy"]:
        own = yaml.safe_load((REPO_ROOT / "data" / "widget" / f"{code}.yml").read_text())
        assert own["language"] == code
        assert set(own["strings"]) == SV_KEYS, code
        assert own["status"] == ("reviewed" if code in ("sv", "en", "sv-easy") else "draft")
        resp = client.get(f"/api/widget/strings?lang={code}")
        assert resp.status_code == 200
        body = resp.json()
        assert body["dir"] == ("rtl" if code in ("ar", "fa") else "ltr")
        assert body["html_lang"] == ("sv" if code == "sv-easy" else code)
        assert all(v.strip() for v in body["strings"].values())


def test_unknown_language_is_404(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/widget/strings?lang=xx").status_code == 404


def test_widget_script_style_and_pages_are_served(client) -> None:  # type: ignore[no-untyped-def]
    js = client.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in js.text
    css = client.get("/widget.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for path in ("/", "/integritet", "/tillganglighet"):
        page = client.get(path)
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert 'src="/widget.js"' in client.get("/").text


def test_cors_answers_other_origins_on_resident_paths_only(client) -> None:  # type: ignore[no-untyped-def]
    preflight = {
        "Origin": "https://bibliotek.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    resp = client.options("/api/conversations", headers=preflight)
    assert resp.status_code == 200
    assert resp.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in resp.headers
    created = client.post("/api/conversations", json={"locale": "sv"}, headers={"Origin": "https://bibliotek.example"})
    assert created.headers["access-control-allow-origin"] == "*"
    staff = client.options("/api/staff/me", headers={**preflight, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in staff.headers


def test_a_widget_on_another_site_can_read_retry_after(client) -> None:  # type: ignore[no-untyped-def]
    # The widget waits at least Retry-After (429/503) before it sends a failed message again; a
    # cross-origin script sees a response header only when CORS exposes it.
    created = client.post("/api/conversations", json={"locale": "sv"}, headers={"Origin": "https://bibliotek.example"})
    exposed = created.headers.get("access-control-expose-headers", "").lower()
    assert "retry-after" in [h.strip() for h in exposed.split(",")]
