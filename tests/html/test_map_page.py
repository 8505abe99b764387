"""`matrix --format html` in a real headless browser (Debian's chromium, driven by Selenium).

Skipped, with the reason, when chromium or chromedriver is not installed; `.ci/run` installs both.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint import api
from policylint.cli import cli

SHOP = Path(__file__).resolve().parents[2] / "fixtures" / "examples" / "shop"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install '.[test]')")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "map.html"
    result = CliRunner().invoke(cli, ["matrix", str(SHOP), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("no chromium/chromedriver on PATH (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _load(driver: object, page: Path) -> float:
    start = time.perf_counter()
    driver.get(page.as_uri())  # type: ignore[attr-defined]
    for _ in range(100):
        if driver.execute_script("return document.body.dataset.ready") == "1":  # type: ignore[attr-defined]
            break
        time.sleep(0.05)
    return time.perf_counter() - start


def test_page_is_self_contained(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    # No fetches: no external scripts, stylesheets, images or fetch/XHR calls.
    for needle in ("<script src", "<link", "http://", "https://", "fetch(", "XMLHttpRequest"):
        assert needle not in text.replace('"http://www.w3.org/2000/svg"', ""), needle


def test_loads_without_errors_and_shows_every_workload(browser: object, page: Path) -> None:
    seconds = _load(browser, page)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []
    shown = set(browser.execute_script(  # type: ignore[attr-defined]
        "return Array.from(document.querySelectorAll('.wl[data-ref]')).map(function (c) { return c.dataset.ref; })"
    ))
    expected = {w.ref for w in api.load([str(SHOP)]).loaded.cluster.workloads}
    assert expected and expected <= shown
    print(f"load time: {seconds:.2f} s for {page.stat().st_size} bytes")  # read with pytest -s


def test_click_on_an_edge_shows_the_query_explanation(browser: object, page: Path) -> None:
    from selenium.webdriver.common.by import By

    _load(browser, page)
    # shop/api -> data/postgres: the namespace edge shop -> data, then its line.
    browser.find_element(By.CSS_SELECTOR, '.ns[data-ns="shop"]').click()  # type: ignore[attr-defined]
    edges = browser.find_elements(By.CSS_SELECTOR, "#edge-list .edge")  # type: ignore[attr-defined]
    target = next(e for e in edges if e.text.startswith("shop -> data "))
    target.click()
    line = browser.find_element(By.CSS_SELECTOR, "#line-list .line")  # type: ignore[attr-defined]
    assert "shop/api[Deployment] -> data/postgres[StatefulSet] : TCP 5432" in line.text
    line.click()
    said = browser.find_element(By.ID, "explanation").text  # type: ignore[attr-defined]
    # What `policylint query --from shop/api --to data/postgres` says: allowed, with the deciding rules.
    assert "ALLOWED" in said
    assert "data/postgres" in said and "policies-data.yaml" in said
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []


def test_heat_map_cell_selects_the_edge(browser: object, page: Path) -> None:
    from selenium.webdriver.common.by import By

    _load(browser, page)
    browser.find_element(By.ID, "tab-heat").click()  # type: ignore[attr-defined]
    cells = browser.find_elements(By.CSS_SELECTOR, "#heat td[data-edge]")  # type: ignore[attr-defined]
    data = json.loads(browser.execute_script("return document.getElementById('map-data').textContent"))  # type: ignore[attr-defined]
    assert len(cells) == len(data["edges"])
    cells[0].click()
    assert browser.find_elements(By.CSS_SELECTOR, "#line-list .line")  # type: ignore[attr-defined]
