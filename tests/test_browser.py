"""The web app in a real browser: Debian's headless Chromium driven by Selenium against a server on 127.0.0.1.

Types texts, ticks methods, submits with the keyboard, reads the rendered scores back from the DOM
and compares them with /api/explain's JSON; checks that a bad input shows its error on the page and
that the page reads in a dark colour scheme. Screenshots are kept as artefacts (the folder is printed
at the end of the run; set FAITHLENS_ARTIFACTS to choose it). Needs `apt-get install chromium
chromium-driver` (scripts/setup.sh does it); skipped with that reason when they are absent. Selenium
is pointed at the system browser and driver: nothing is downloaded.
"""

import json
import re
import os
import shutil
import tempfile
import time
import urllib.request

import pytest
import torch

pytest.importorskip("flask", reason="the web app needs the serve extra: pip install 'faithlens[serve]'")
pytest.importorskip("waitress", reason="the web app needs the serve extra: pip install 'faithlens[serve]'")
pytest.importorskip("selenium", reason="the browser test needs selenium (the test extra)")

from conftest import artefact_dir  # noqa: E402
from faithlens import Explainer  # noqa: E402
from faithlens.app import make_server  # noqa: E402
from tiny import tiny  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Debian's chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver; "
           "scripts/setup.sh does it)")


@pytest.fixture(scope="module")
def app():
    explainer = Explainer(tiny("bert", dtype=torch.float64))
    server = make_server(explainer, port=0).start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not fetch anything: the paths are given
    profile = tempfile.mkdtemp(prefix="faithlens-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def api(server, **body):
    request = urllib.request.Request(f"{server.url}/api/explain", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


def rendered(driver, method):
    """(word, raw score, normalised score) of each word of each text, as the page shows them for `method`."""
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, f'tr[data-method="{method}"]')
    return [[(w.text, float(w.get_attribute("data-score")), float(w.get_attribute("data-norm")))
             for w in row.find_elements(By.CSS_SELECTOR, "span.w")] for row in rows]


def test_type_tick_submit_and_read_the_scores(app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.monotonic()
    browser.get(f"{app.url}/")
    text = browser.find_element(By.ID, "text")
    assert browser.switch_to.active_element == text  # autofocus: typing starts at once
    text.send_keys("the film was <b>good</b> fun")
    text.send_keys(Keys.SHIFT, Keys.ENTER)  # a second line = a second text
    text.send_keys("a dull plot")

    # keyboard only: Tab to the first method box and untick it with Space, then Tab on to the steps field
    text.send_keys(Keys.TAB)
    first_box = browser.switch_to.active_element
    assert first_box.get_attribute("name") == "method" and first_box.get_attribute("value") == "sig"
    first_box.send_keys(Keys.SPACE)
    assert not first_box.is_selected()
    first_box.send_keys(Keys.SPACE)  # and tick it again
    assert first_box.is_selected()
    browser.find_element(By.CSS_SELECTOR, 'input[name="method"][value="ig"]').click()  # untick ig with the mouse
    browser.find_element(By.CSS_SELECTOR, 'input[name="method"][value="occlusion"]').click()  # tick occlusion
    for _ in range(20):
        if browser.switch_to.active_element.get_attribute("id") == "steps":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    steps = browser.switch_to.active_element
    assert steps.get_attribute("id") == "steps"
    steps.send_keys("8")
    steps.send_keys(Keys.ENTER)  # Enter in a field submits the form
    WebDriverWait(browser, 60).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.explanations")))

    assert browser.find_element(By.ID, "text").get_attribute("value") == "the film was <b>good</b> fun\na dull plot"
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.explanations")) == 2
    assert not browser.find_elements(By.CSS_SELECTOR, 'tr[data-method="ig"]')
    assert browser.find_element(By.CSS_SELECTOR, 'input[name="method"][value="grad_x_input"]').is_selected()
    expected = api(app, texts=["the film was <b>good</b> fun", "a dull plot"], methods=["sig", "grad_x_input", "occlusion"],
                   steps=8)
    for method in ("sig", "grad_x_input", "occlusion"):
        shown = rendered(browser, method)
        rows = [r for r in expected if r["method"] == method]
        assert len(shown) == len(rows) == 2
        for words, row in zip(shown, rows):
            assert [w for w, _, _ in words] == [w["word"] for w in row["words"]]
            assert [s for _, s, _ in words] == pytest.approx([w["score"] for w in row["words"]], rel=1e-6, abs=1e-12)
            assert [n for _, _, n in words] == pytest.approx([w["score_normalised"] for w in row["words"]], rel=1e-6, abs=1e-12)
    assert "<b>" not in browser.find_element(By.CSS_SELECTOR, "table.explanations").get_attribute("innerHTML")
    folder = artefact_dir()
    browser.save_screenshot(str(folder / "web_app_light.png"))

    # dark colour scheme: page text turns light, tinted words keep black text on their tint
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    body_bg = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    word = browser.find_element(By.CSS_SELECTOR, "span.w")
    assert body_bg == "rgb(22, 22, 22)"
    assert word.value_of_css_property("color") in ("rgba(0, 0, 0, 1)", "rgb(0, 0, 0)")
    browser.save_screenshot(str(folder / "web_app_dark.png"))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    print(f"\nbrowser test: {time.monotonic() - started:.1f} s; screenshots in {folder}")


def test_a_bad_input_shows_its_error_on_the_page(app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{app.url}/")
    browser.find_element(By.ID, "text").send_keys("fun")
    steps = browser.find_element(By.ID, "steps")
    steps.send_keys("many")
    browser.find_element(By.ID, "submit").click()
    error = WebDriverWait(browser, 30).until(EC.presence_of_element_located((By.ID, "error")))
    assert "The 'steps' parameter must be a positive int" in error.text and error.get_attribute("role") == "alert"
    assert browser.find_element(By.ID, "text").get_attribute("value") == "fun"  # the input is kept to fix it
    assert browser.find_element(By.ID, "steps").get_attribute("value") == "many"
    assert not browser.find_elements(By.CSS_SELECTOR, "table.explanations")

    browser.find_element(By.ID, "text").clear()
    browser.find_element(By.ID, "steps").clear()
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, 30).until(EC.staleness_of(error))  # the new page, not the old one's error
    error = WebDriverWait(browser, 30).until(EC.presence_of_element_located((By.ID, "error")))
    assert "The text is empty" in error.text
    browser.save_screenshot(str(artefact_dir() / "web_app_error.png"))


class SlowExplainer(Explainer):
    """The tiny model, made to take `delay` seconds per method so that the page's progress line can be seen."""

    delay = 1.5

    def explain(self, *args, **kwargs):
        time.sleep(self.delay)
        return super().explain(*args, **kwargs)


@pytest.fixture(scope="module")
def picker_app(saved_tiny):
    """A server whose picker offers a slow tiny classifier (loaded), a tiny causal LM and a saved folder (lazy)."""
    lm = Explainer(tiny("gpt2_lm", dtype=torch.float64))
    server = make_server(SlowExplainer(tiny("bert", dtype=torch.float64)), port=0,
                         models={"tiny-gpt2-lm": lm, "saved-folder": str(saved_tiny)}).start()
    yield server
    server.close()


def _wait_for_results(browser, seconds=60):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, seconds).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.explanations")))


def test_progress_line_shows_a_spinner_and_the_estimate_while_explaining(picker_app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def submit_and_watch():
        browser.get(f"{picker_app.url}/")
        progress = browser.find_element(By.ID, "progress")
        assert not progress.is_displayed()  # hidden until the form is sent
        browser.find_element(By.ID, "text").send_keys("the film was good fun")
        browser.find_element(By.ID, "submit").click()
        WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "progress").is_displayed())
        assert browser.find_element(By.CSS_SELECTOR, "#progress .spinner").is_displayed()
        said = WebDriverWait(browser, 5).until(
            lambda d: (t := d.find_element(By.ID, "estimate").text) != "estimating …" and t)
        elapsed = browser.find_element(By.ID, "elapsed").text
        return said, elapsed

    said, _ = submit_and_watch()  # the first request: passes known, the time not yet measured
    # sig (closed: 5 words + 1 = 6) + ig (50 steps) + grad_x_input (1) on one text
    assert said.startswith("57 model passes"), said
    _wait_for_results(browser)
    said, elapsed = submit_and_watch()  # now the model's seconds per pass are measured: a time estimate
    assert re.fullmatch(r"about [0-9.]+ s \(57 model passes\)", said), said
    seconds = float(said.split()[1])
    assert 3 * SlowExplainer.delay * 0.5 < seconds < 3 * SlowExplainer.delay * 4  # ≈ 3 methods × the delay
    browser.save_screenshot(str(artefact_dir() / "web_app_progress.png"))
    assert re.fullmatch(r"\d+ s", elapsed)
    _wait_for_results(browser)
    assert not browser.find_element(By.ID, "progress").is_displayed()  # the result page: no spinner


def test_target_choice_explains_the_chosen_class(picker_app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{picker_app.url}/")
    target = Select(browser.find_element(By.ID, "target"))
    assert [o.text for o in target.options] == ["the predicted class", "negative", "positive"]
    browser.find_element(By.ID, "text").send_keys("a dull plot")
    predicted = api(picker_app, text="a dull plot", methods=["occlusion"])[0]["prediction"]["label"]
    other = "negative" if predicted == "positive" else "positive"
    target.select_by_visible_text(other)
    for box in browser.find_elements(By.CSS_SELECTOR, 'input[name="method"]'):
        if box.is_selected() != (box.get_attribute("value") == "occlusion"):
            box.click()
    browser.find_element(By.ID, "submit").click()
    _wait_for_results(browser)
    assert f"target {other}" in browser.find_element(By.CSS_SELECTOR, "h2.txt + p.meta").text
    assert Select(browser.find_element(By.ID, "target")).first_selected_option.text == other  # kept for the next run
    expected = api(picker_app, text="a dull plot", methods=["occlusion"], target=other)[0]
    assert expected["target"]["label"] == other
    shown = rendered(browser, "occlusion")[0]
    assert [s for _, s, _ in shown] == pytest.approx([w["score"] for w in expected["words"]], rel=1e-6, abs=1e-12)


def test_model_choice_loads_the_model_and_offers_its_targets(picker_app, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(f"{picker_app.url}/")
    browser.find_element(By.ID, "text").send_keys("the film was")
    picker = Select(browser.find_element(By.ID, "model"))
    assert [o.get_attribute("value") for o in picker.options] == ["tiny-bert", "tiny-gpt2-lm", "saved-folder"]
    old = browser.find_element(By.ID, "target")
    picker.select_by_value("tiny-gpt2-lm")  # the page reloads with the LM's target: a continuation text
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "target").tag_name == "input")
    assert "Continuation" in browser.find_element(By.CSS_SELECTOR, 'label[for="target"]').text
    assert browser.find_element(By.ID, "text").get_attribute("value") == "the film was"  # the text came along
    assert old is not None
    browser.find_element(By.ID, "target").send_keys(" fun")
    browser.find_element(By.ID, "submit").click()
    _wait_for_results(browser)
    meta = browser.find_element(By.CSS_SELECTOR, "h2.txt + p.meta").text
    assert "continuation" in meta and "fun" in meta and "tiny-gpt2_lm" in meta  # the model's own name
    expected = api(picker_app, text="the film was", methods=["sig"], model="tiny-gpt2-lm", target=" fun")[0]
    assert expected["target"]["label"] == " fun"
    shown = rendered(browser, "sig")[0]
    assert [s for _, s, _ in shown] == pytest.approx([w["score"] for w in expected["words"]], rel=1e-6, abs=1e-12)
    browser.save_screenshot(str(artefact_dir() / "web_app_model.png"))

    # a folder given at start loads when first chosen, one model at a time
    Select(browser.find_element(By.ID, "model")).select_by_value("saved-folder")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "target").tag_name == "select")
    assert "loads when you press Explain" in browser.find_element(By.ID, "meta").text
    browser.find_element(By.ID, "submit").click()
    _wait_for_results(browser)
    health = json.loads(urllib.request.urlopen(f"{picker_app.url}/health", timeout=10).read())
    assert health["model"] == "saved-folder"
    assert "(loaded)" in Select(browser.find_element(By.ID, "model")).first_selected_option.text
