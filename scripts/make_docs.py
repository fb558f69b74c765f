"""Regenerate docs/: the quickstart notebook's output as HTML, evaluate plots and a screenshot of the web app.

    python3 scripts/make_docs.py            # everything (10-20 minutes on 2 shared cores; SIG's evaluate is most of it)
    python3 scripts/make_docs.py notebook   # or any of: notebook evaluate webapp

Runs on the bundled default model and the bundled Rotten Tomatoes snippets, offline. Needs the test,
plots and serve extras and, for the screenshot, Debian's chromium and chromium-driver (all installed
by scripts/setup.sh).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars")


def log(message: str) -> None:
    print(f"[make_docs] {message}", file=sys.stderr, flush=True)


# --- the notebook ----------------------------------------------------------------------------------

# The README's one command for running the quickstart notebook (nbclient's `jupyter execute`, from the test extra);
# tests/test_notebook.py checks that the README says exactly this and runs it.
NOTEBOOK_COMMAND = "jupyter execute --output=quickstart-run examples/quickstart.ipynb"
EXECUTED = ROOT / "examples" / "quickstart-run.ipynb"  # where --output=quickstart-run writes the executed notebook


def run_notebook(timeout: int = 1800):
    """Run NOTEBOOK_COMMAND from the checkout (a fresh python3 kernel that imports this checkout's faithlens) and
    return the executed notebook; raises CalledProcessError (with the failing cell in its output) on any cell error."""
    import nbformat

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    EXECUTED.unlink(missing_ok=True)
    done = subprocess.run(NOTEBOOK_COMMAND, shell=True, cwd=ROOT, env=env, timeout=timeout, capture_output=True, text=True)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, NOTEBOOK_COMMAND, done.stdout, done.stderr)
    return nbformat.read(EXECUTED, as_version=4)


def _markdown(text: str) -> str:
    """The little Markdown the notebook uses: headings, paragraphs, `code`, **bold**, [links](url)."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        level = len(block) - len(block.lstrip("#"))
        body = html.escape(block.lstrip("#").strip() if level else block.strip())
        body = re.sub(r"`([^`]+)`", r"<code>\1</code>", body)
        body = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", body)
        body = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', body)
        out.append(f"<h{level}>{body}</h{level}>" if 0 < level <= 6 else f"<p>{body}</p>")
    return "".join(out)


def notebook_html(nb, title: str) -> str:
    """An executed notebook as one self-contained page: code, then its outputs (rich HTML as the notebook shows it)."""
    from faithlens.views.html import page

    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(_markdown(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        parts.append(f'<pre class="in"><code>{html.escape(cell.source)}</code></pre>')
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            data = output.get("data", {})
            if kind == "stream":
                parts.append(f'<pre class="out">{html.escape(ANSI.sub("", output.get("text", "")))}</pre>')
            elif kind == "error":
                parts.append(f'<pre class="out error">{html.escape(ANSI.sub("", chr(10).join(output.get("traceback", []))))}</pre>')
            elif "application/vnd.jupyter.widget-view+json" in data:  # a live tqdm bar: its saved text is the first frame
                label = data.get("text/plain", "").split(":")[0]
                parts.append(f'<p class="meta">[{html.escape(label)}: a progress bar with the time left runs here in Jupyter]</p>')
            elif "text/html" in data:
                parts.append(f'<div class="out">{"".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]}</div>')
            elif "image/png" in data:
                parts.append(f'<img class="plot" alt="figure" src="data:image/png;base64,{data["image/png"]}">')
            elif "text/plain" in data:
                parts.append(f'<pre class="out">{html.escape(data["text/plain"])}</pre>')
    style = ("pre.in{background:rgba(128,128,128,.12);padding:.6em .8em;border-left:3px solid #1a73e8;overflow-x:auto}"
             "pre.out{padding:.3em .8em;overflow-x:auto}div.out{margin:.4em 0 1.6em}.faithlens{max-width:1200px}")
    return page(title, f"<p class=\"meta\">Generated by <code>python3 scripts/make_docs.py</code> from "
                       f"<code>examples/quickstart.ipynb</code>, executed top to bottom.</p>" + "".join(parts), style=style)


def make_notebook() -> None:
    log("executing examples/quickstart.ipynb (default model) ...")
    started = time.monotonic()
    nb = run_notebook()
    (DOCS / "quickstart.html").write_text(notebook_html(nb, "faithlens quickstart"), encoding="utf-8")
    log(f"wrote docs/quickstart.html ({time.monotonic() - started:.0f} s)")


# --- evaluate -----------------------------------------------------------------------------------------

def make_evaluate(limit: int = 24) -> None:
    out = ROOT / "build" / "docs-evaluate"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "faithlens", "--threads", "1", "evaluate", "--data", "rotten_tomatoes", "--split", "test",
               "--limit", str(limit), "--methods", "grad_x_input", "ig", "sig", "sig:mode=closed", "occlusion",
               "--out", str(out), "--quiet"]
    log("running: faithlens " + " ".join(command[3:]))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    table = subprocess.run(command, check=True, env=env, capture_output=True, text=True).stdout
    for name in ("metrics", "aopc"):
        for suffix in ("svg", "png"):
            shutil.copyfile(out / f"{name}.{suffix}", DOCS / f"evaluate_{name}.{suffix}")
    (DOCS / "evaluate_table.md").write_text(f"Command: `faithlens evaluate --data rotten_tomatoes --split test --limit {limit} "
                                            "--methods grad_x_input ig sig sig:mode=closed occlusion --out OUT`\n\n" + table,
                                            encoding="utf-8")
    log("wrote docs/evaluate_metrics.svg/.png, docs/evaluate_aopc.svg/.png, docs/evaluate_table.md")


# --- the web app ------------------------------------------------------------------------------------------

def make_webapp() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from selenium.webdriver.support.ui import Select

    from faithlens import Explainer
    from faithlens.commands.serve import model_choices
    from faithlens.app import make_server

    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        raise SystemExit("make_docs: the screenshot needs Debian's chromium and chromium-driver "
                         "(apt-get install -y chromium chromium-driver; scripts/setup.sh does it).")
    log("starting the web app on 127.0.0.1 (default model) and headless Chromium ...")
    server = make_server(Explainer(), port=0, models=model_choices([])).start()  # the picker: default, smollm2
    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="faithlens-docs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS + ("--window-size=1280,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        browser.get(f"{server.url}/")
        box = browser.find_element(By.ID, "text")
        box.send_keys("a hideous, confusing spectacle\nthe most gripping, funny and moving film of the year")
        # sig, ig and occlusion are ticked by default; add grad_x_input
        browser.find_element(By.CSS_SELECTOR, 'input[name="method"][value="grad_x_input"]').click()
        browser.find_element(By.ID, "submit").click()
        WebDriverWait(browser, 600).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.explanations")))
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # the whole page in one picture
                                {"width": 1280, "height": min(height, 3000), "deviceScaleFactor": 1, "mobile": False})
        browser.save_screenshot(str(DOCS / "web_app.png"))
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        # while an explanation runs: the spinner, the seconds so far and the estimate (the model's speed is known now)
        browser.get(f"{server.url}/")
        browser.find_element(By.ID, "text").send_keys("the most gripping, funny and moving film of the year")
        browser.find_element(By.ID, "submit").click()
        WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "estimate").text.startswith("about"))
        browser.save_screenshot(str(DOCS / "web_app_progress.png"))
        WebDriverWait(browser, 600).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.explanations")))
        wrote = ["web_app.png", "web_app_progress.png"]

        # another model and its target: SmolLM2's continuation (when scripts/setup.sh has converted it)
        if "smollm2" in model_choices([]):
            browser.get(f"{server.url}/")
            browser.find_element(By.ID, "text").send_keys("The capital of France is")
            Select(browser.find_element(By.ID, "model")).select_by_value("smollm2")
            WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "target").tag_name == "input")
            browser.find_element(By.ID, "target").send_keys(" Paris")
            for box in browser.find_elements(By.CSS_SELECTOR, 'input[name="method"]'):
                if box.is_selected() != (box.get_attribute("value") in ("sig", "grad_x_input")):
                    box.click()
            browser.find_element(By.ID, "submit").click()
            WebDriverWait(browser, 600).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.explanations")))
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 1280, "height": min(height, 3000), "deviceScaleFactor": 1, "mobile": False})
            browser.save_screenshot(str(DOCS / "web_app_smollm2.png"))
            wrote.append("web_app_smollm2.png")
    finally:
        browser.quit()
        server.close()
        shutil.rmtree(profile, ignore_errors=True)
    log("wrote " + ", ".join(f"docs/{name}" for name in wrote))


STEPS = {"notebook": make_notebook, "evaluate": make_evaluate, "webapp": make_webapp}


def main(argv: list[str]) -> int:
    chosen = argv or list(STEPS)
    unknown = [a for a in chosen if a not in STEPS]
    if unknown:
        print(f"make_docs: unknown part(s) {unknown}; choose from {', '.join(STEPS)}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "src"))
    DOCS.mkdir(exist_ok=True)
    for name in chosen:
        STEPS[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
