"""The report in a real browser: headless Chromium (Debian's package) opens each shipped dataset's page offline,
every section and figure renders, nothing is fetched, the console stays silent; a screenshot of each page is
saved (under $TRUSTINDEX_SCREENSHOTS when set, else the test's temporary folder).

Skipped, saying why, when playwright or a Chromium is missing or Chromium does not start; ``.ci/run`` installs
both where it can.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from trustindex.cli import cli
from trustindex.reports.html import SECTIONS

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install '.[report-test]')"
)
CHROMIUM = os.environ.get("TRUSTINDEX_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on PATH (apt-get install chromium)")
RENDERED = "[...document.querySelectorAll('.chart')].every(e => e.dataset.rendered === 'true')"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM)
        except sync_api.Error as error:  # a browser that does not start is no fault of the report
            pytest.skip(f"{CHROMIUM} did not start: {str(error).splitlines()[0]}")
        yield launched
        launched.close()


@pytest.mark.parametrize(("data", "text"), [(None, "Nordic countries"), ("asem", "Germany"),
                                            ("jp-prefectures", "東京都")])  # fmt: skip
@pytest.mark.parametrize("width", [1200, 390])
def test_the_page_renders_offline_without_console_errors(browser, data, text, width, tmp_path):
    out = tmp_path / "report.html"
    args = ["report", "--seed", "1", "-o", str(out), "--runs", "200", "--samples", "128"]
    result = CliRunner().invoke(cli, args + (["--data", data] if data else []), prog_name="trustindex")
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=True)
    context.set_default_timeout(120_000)  # a shared, busy machine: slow is not broken
    page = context.new_page()
    messages, requests = [], []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:")) else requests.append(r.url))
    page.goto(out.as_uri())
    page.wait_for_function(RENDERED)
    assert messages == [] and requests == []
    for section in SECTIONS:
        assert page.locator(f"#{section}").is_visible(), section
    charts = page.eval_on_selector_all(".chart", "els => els.map(e => e.querySelectorAll('svg path, svg text').length)")
    assert len(charts) >= 5 and all(n > 10 for n in charts)
    assert text in page.locator("#figure-ranking").inner_html()
    page.locator(f"#ranking table a >> text={text}").first.click()
    assert page.evaluate("location.hash").startswith("#entity-")
    if width < 500:  # a phone: the text fits, wide figures and tables scroll inside their own box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    folder = Path(os.environ.get("TRUSTINDEX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    tall = min(page.evaluate("document.documentElement.scrollHeight"), 8000)  # ASEM's whole page is far taller
    clip = {"x": 0, "y": 0, "width": width, "height": tall if width > 500 else 900}
    page.screenshot(path=str(folder / f"report-{data or 'default'}-{width}.png"), full_page=True, clip=clip)
    context.close()
