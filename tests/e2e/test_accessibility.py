"""axe-core (vendored in tests/e2e/vendor/, MPL-2.0) finds no serious or critical accessibility
violation on the main pages, signed out and signed in."""

from pathlib import Path

import pytest

from kotapintar.core.testing import PASSWORD

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.extend(f"      {line}" for line in node["failureSummary"].splitlines())
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_accessible(page, screenshot, name: str):
    screenshot(page, name)
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:  # shown with -rA / on failure; they do not fail the test
        print(f"{page.url}: minor accessibility findings:\n{describe(minor)}")
    assert not blocking, f"{page.url}: serious/critical accessibility violations:\n{describe(blocking)}"


@pytest.mark.parametrize("path", ["/", "/bandung/", "/accounts/login/"], ids=["landing", "city-home", "login"])
def test_public_pages_have_no_serious_violations(page, live_server, bandung, screenshot, path):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    assert_accessible(page, screenshot, "axe")


@pytest.mark.parametrize("path", ["/bandung/office/modules/", "/bandung/office/module-settings/"],
                         ids=["modules", "module-settings"])
def test_modules_pages_have_no_serious_violations(page, live_server, bandung, screenshot, sign_in, path):
    sign_in(page, "admin.bandung", PASSWORD, next_path=path)
    assert page.url == f"{live_server.url}{path}"
    assert_accessible(page, screenshot, "axe")


def test_axe_harness_reports_violations(page):
    """The checker itself works: a page with an unlabelled image and input fails it."""
    page.set_content('<!doctype html><html lang="id"><head><title>t</title></head>'
                     '<body><main><img src="data:,"><input type="text"></main></body></html>')
    ids = {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING}
    assert {"image-alt", "label"} <= ids, ids
