"""Cold start of the command line against a plain transformers script, each in a fresh process.

    python -m bench.startup            # prints one JSON object

- ``--version`` / ``--help``: must not import torch (the parser is built from `faithlens.names`).
- ``explain TEXT``: the default model, default settings, against the baseline the issue names:
  ``import torch, transformers`` plus one forward pass of the same model (tokenizer and model
  loaded with the Auto classes, one forward on the same text).
Wall seconds and the child's CPU seconds (user + system), median over repeats.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TEXT = "a hideous, confusing spectacle"
REPO = Path(__file__).resolve().parents[1]

BASELINE_IMPORT = "import torch, transformers"


def baseline_forward(path: str, text: str = TEXT) -> str:
    """The plain transformers script: import, load tokenizer and model from `path`, one forward."""
    return ("import torch, transformers\n"
            "from transformers import AutoModelForSequenceClassification, AutoTokenizer\n"
            f"tok = AutoTokenizer.from_pretrained({path!r})\n"
            f"net = AutoModelForSequenceClassification.from_pretrained({path!r}).eval()\n"
            "with torch.inference_mode():\n"
            f"    print(net(**tok({text!r}, return_tensors='pt')).logits)\n")


def commands(text: str = TEXT) -> dict[str, list[str]]:
    from faithlens.default_model import default_model_dir

    py = sys.executable
    BASELINE_FORWARD = baseline_forward(str(default_model_dir()), text)
    return {
        "python -c pass": [py, "-c", "pass"],
        "faithlens --version": [py, "-m", "faithlens", "--version"],
        "faithlens --help": [py, "-m", "faithlens", "--help"],
        "import torch, transformers": [py, "-c", BASELINE_IMPORT],
        "import torch, transformers + one forward": [py, "-c", BASELINE_FORWARD],
        "faithlens explain (sig, 50 steps)": [py, "-m", "faithlens", "--threads", "1", "explain", text],
        "faithlens explain (sig, --steps auto)": [py, "-m", "faithlens", "--threads", "1", "explain", text, "--steps", "auto"],
    }


def time_command(cmd: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(repeats: int = 3) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    cmds = commands()
    for cmd in cmds.values():  # warm the file cache once; not timed
        time_command(cmd, env)
    out: dict = {"repeats": repeats, "wall": {}, "cpu": {}}
    for _ in range(repeats):  # interleaved, so a busy spell hits every command alike
        for name, cmd in cmds.items():
            wall, cpu = time_command(cmd, env)
            out["wall"].setdefault(name, []).append(wall)
            out["cpu"].setdefault(name, []).append(cpu)
    out["median_wall"] = {k: statistics.median(v) for k, v in out["wall"].items()}
    out["median_cpu"] = {k: statistics.median(v) for k, v in out["cpu"].items()}
    base = out["median_cpu"]["import torch, transformers + one forward"]
    out["explain_over_baseline_cpu"] = {k: out["median_cpu"][k] / base for k in cmds if k.startswith("faithlens explain")}
    base_wall = out["median_wall"]["import torch, transformers + one forward"]
    out["explain_over_baseline_wall"] = {k: out["median_wall"][k] / base_wall for k in cmds if k.startswith("faithlens explain")}
    return out


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=1))
