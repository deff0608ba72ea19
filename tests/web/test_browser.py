"""End to end in headless Chromium: the real server (uvicorn, in a thread, on a
free port) and what a person sees and does — the dashboard, a search typed in
the box, a customer opened from the results, a segment built in the form and
its CSV downloaded. Screenshots of every page go to the test's tmp folder and to
/tmp/voice-screens/ for a person to look at."""

from __future__ import annotations

import csv
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from voice.segments import COLUMNS
from voice.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENS = Path("/tmp/voice-screens")

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(demo_db):
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(demo_db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(f"headless Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}): "
                    "apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1366,900"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "download.directory_upgrade": True,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver, tmp_path: Path, name: str) -> None:
    """The whole page (the window grows to its height), into tmp_path and /tmp/voice-screens/."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, min(max(900, height + 120), 6000))
    path = tmp_path / f"{name}.png"
    assert driver.save_screenshot(str(path))
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / path.name)
    driver.set_window_size(1366, 900)


def _wait(driver, condition, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_a_cx_lead_goes_through_the_app(server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select

    d = browser
    d.get(server + "/")
    assert d.title.startswith("Dashboard")
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 3
    assert "Clínica Dental Sonrisas" in d.find_element(By.TAG_NAME, "main").text
    _shot(d, tmp_path, "01-dashboard")

    # the dashboard's filter form
    Select(d.find_element(By.ID, "f-channel")).select_by_value("call")
    d.find_element(By.CSS_SELECTOR, "#dashboard-filters button[type=submit]").click()
    _wait(d, EC.url_contains("channel=call"))
    assert Select(d.find_element(By.ID, "f-channel")).first_selected_option.get_attribute("value") == "call"
    _shot(d, tmp_path, "02-dashboard-calls")

    # a search typed in the box in the header
    box = d.find_element(By.ID, "nav-q")
    box.send_keys("entrega tardía", Keys.ENTER)
    _wait(d, EC.presence_of_element_located((By.CSS_SELECTOR, "li.hit")))
    hits = d.find_elements(By.CSS_SELECTOR, "li.hit")
    assert len(hits) >= 10
    assert d.find_elements(By.CSS_SELECTOR, ".snippet mark")
    text = d.find_element(By.CSS_SELECTOR, "ol.hits").text
    assert "entrega" in text.lower() and "delivery" in text.lower()
    _shot(d, tmp_path, "03-search")

    # a customer opened from the results
    link = d.find_element(By.CSS_SELECTOR, 'li.hit a[href^="/customers/"]')
    name = link.text
    link.click()
    _wait(d, EC.url_contains("/customers/"))
    assert name.split()[0] in d.find_element(By.TAG_NAME, "h1").text
    _shot(d, tmp_path, "04-customer-from-search")

    d.get(server + "/customers/C017")
    assert "Javier Morales" in d.find_element(By.TAG_NAME, "h1").text
    loops = d.find_element(By.ID, "open-loops").text
    assert "Open loops (4)" in loops and "complaint" in loops and "Resume here" in loops
    _shot(d, tmp_path, "05-customer-C017")
    d.find_element(By.CSS_SELECTOR, "#resume-here a").click()
    _wait(d, EC.url_contains("/interactions/"))
    assert "Javier Morales" in d.find_element(By.TAG_NAME, "main").text
    _shot(d, tmp_path, "06-interaction")

    # a segment built in the form, and its CSV downloaded
    d.find_element(By.LINK_TEXT, "Segments").click()
    _wait(d, EC.presence_of_element_located((By.ID, "segment-form")))
    Select(d.find_element(By.ID, "f-product")).select_by_value("airpure-500")
    interest = d.find_element(By.ID, "f-min_interest")
    interest.clear()
    interest.send_keys("0.3")
    Select(d.find_element(By.ID, "f-consent")).select_by_value("marketing")
    d.find_element(By.ID, "segment-build").click()
    _wait(d, EC.presence_of_element_located((By.ID, "segment-rows")))
    shown = len(d.find_elements(By.CSS_SELECTOR, "#segment-rows tbody tr"))
    assert shown >= 1
    _shot(d, tmp_path, "07-segment")
    d.find_element(By.ID, "segment-csv").click()
    target = d.downloads / "segment-airpure-500.csv"
    deadline = time.monotonic() + 30
    while not target.exists() or list(d.downloads.glob("*.crdownload")):
        assert time.monotonic() < deadline, f"no download in {d.downloads}: {list(d.downloads.iterdir())}"
        time.sleep(0.1)
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == shown
    assert tuple(rows[0]) == COLUMNS
    assert all(r["product_id"] == "airpure-500" and "marketing" in r["consent"].split(";") for r in rows)

    for path, name in (("/at-risk", "08-at-risk"), ("/themes", "09-themes"), ("/themes/T001", "10-theme")):
        d.get(server + path)
        assert d.find_element(By.TAG_NAME, "h1").text
        _shot(d, tmp_path, name)
