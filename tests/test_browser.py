"""The published site in a real browser: headless Chromium through Selenium, axe-core for
accessibility. Skipped (with the reason) where Chromium, its driver or the Python packages are
absent; `bash scripts/setup` installs them on Debian.

The site is built from the repository's own content (one state, four languages with both
directions and a CJK script), so the screenshots in build/site-screenshots/ show what visitors
will see; they are written for a person to review, at a phone's and a laptop's width.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import REPO
from handouts.check import check_content
from handouts.loader import load_project

Cli = Callable[..., tuple[int, str, str]]
WIDTHS = (390, 1280)
SHOTS = REPO / "build" / "site-screenshots"
STATE = "CO"
#: The pages the issue names: the home page, a state page, an RTL web edition, a sources page,
#: plus a left-to-right edition in a CJK script.
PAGES = {
    "home": "index.html",
    "state": f"{STATE}/index.html",
    "edition-ar": f"{STATE}/ar/index.html",
    "edition-zh-Hans": f"{STATE}/zh-Hans/index.html",
    "edition-en": f"{STATE}/en/index.html",
    "sources": f"{STATE}/sources.html",
}

webdriver = pytest.importorskip("selenium.webdriver", reason="Python package selenium missing")
axe_module = pytest.importorskip("axe_selenium_python",
                                 reason="Python package axe-selenium-python missing")
#: Debian's chromium; other systems' names for the same browser (CI images ship Chrome).
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
               None)
pytestmark = pytest.mark.skipif(
    BROWSER is None or shutil.which("chromedriver") is None,
    reason="Chromium and its driver are not installed (Debian: chromium, chromium-driver; "
    "bash scripts/setup installs them)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content's site for one state, built once for the module."""
    from typer.testing import CliRunner

    from handouts.cli import app

    root = tmp_path_factory.mktemp("real") / "project"
    for folder in ("sheets", "translations", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    # Judge the content as of its own newest check date, never the calendar's.
    project = load_project(root)
    as_of = max(claim.checked for claim in project.all_claims)
    assert not [p for p in check_content(project, as_of) if p.severity == "error"]
    result = CliRunner().invoke(app, ["site", "--state", STATE, "--lang", "en", "--lang", "es",
                                      "--lang", "ar", "--lang", "zh_Hans", "--root", str(root),
                                      "--today", as_of.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return root / "build/site"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER or "chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--hide-scrollbars",
                 "--force-device-scale-factor=1"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: object, page: Path, width: int) -> None:
    driver.set_window_size(width, 900)  # type: ignore[attr-defined]
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    # The window size includes the browser's frame; make the viewport itself `width` wide.
    inner = driver.execute_script("return window.innerWidth")  # type: ignore[attr-defined]
    if inner != width:
        driver.set_window_size(width + (width - inner), 900)  # type: ignore[attr-defined]
        driver.get(page.as_uri())  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_no_sideways_scrolling_and_screenshot(site: Path, browser: object, name: str,
                                              width: int) -> None:
    _open(browser, site / PAGES[name], width)
    inner, scroll = browser.execute_script(  # type: ignore[attr-defined]
        "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert inner == width
    assert scroll <= inner, f"{name} at {width}px scrolls sideways ({scroll} > {inner})"
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The whole page in one image: the window as tall as the page plus the browser's frame.
    height, frame = browser.execute_script(  # type: ignore[attr-defined]
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
    browser.set_window_size(width + (browser.get_window_size()["width"]  # type: ignore[attr-defined]
                                     - inner), min(height + frame, 12000))
    shot = SHOTS / f"{name}-{width}.png"
    assert browser.get_screenshot_as_file(str(shot))  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(PAGES))
def test_every_link_and_image_resolves(site: Path, browser: object, name: str) -> None:
    page = site / PAGES[name]
    _open(browser, page, WIDTHS[0])
    found = browser.execute_script(  # type: ignore[attr-defined]
        "return [Array.from(document.querySelectorAll('a[href]'), a => a.href),"
        " Array.from(document.images, i => [i.src, i.complete && i.naturalWidth > 0]),"
        " Array.from(document.querySelectorAll('link[href]'), l => l.href)]")
    links, images, heads = found
    assert links, name
    for url in links + heads:
        parts = urlsplit(url)
        if parts.scheme == "file":
            target = Path(unquote(parts.path))
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{name}: {url}"
            if parts.fragment:
                anchor = browser.execute_script(  # type: ignore[attr-defined]
                    "return document.getElementById(arguments[0]) !== null", parts.fragment)
                assert anchor or target != page, f"{name}: no #{parts.fragment}"
        else:
            assert parts.scheme in ("https", "tel"), f"{name}: {url}"
    for src, loaded in images:
        assert loaded, f"{name}: image {src} did not load"


@pytest.mark.parametrize("name", ["home", "state", "edition-ar", "sources"])
def test_axe_finds_no_serious_violation(site: Path, browser: object, name: str) -> None:
    _open(browser, site / PAGES[name], WIDTHS[0])
    axe = axe_module.Axe(browser)
    axe.inject()
    results = axe.run()
    bad = [f"{v['id']} ({v['impact']}): {v['help']} — "
           f"{[node['target'] for node in v['nodes']][:3]}"
           for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], name
    assert results["passes"], "axe ran no rule"
