"""SmolLM2-135M-Instruct: time and memory of the one-time GGUF conversion and of later loads,
and whether the converted folder reproduces the GGUF model's logits.

    OMP_NUM_THREADS=1 python bench/smollm2_convert.py [--keep]

Each phase runs in a fresh process (peak memory is the process's own high-water mark, read
from ``getrusage`` after the phase; "after imports" is the same reading before the phase):

- ``convert``: ``faithlens.smollm2.convert_smollm2`` (read + dequantise the GGUF, save float32
  safetensors + tokenizer) into a scratch folder, unless ``--keep`` converts into the cache;
- ``load``: ``AutoModelForCausalLM.from_pretrained(folder)`` + tokenizer, then the logits of
  a few prompts;
- ``gguf``: the same logits from the model read straight from the GGUF file.

Writes ``bench/results/smollm2_convert.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROMPTS = [
    "The capital of France is",
    "Water boils at a temperature of",
    "def add(a, b):\n    return",
]
RESULTS = Path(__file__).resolve().parent / "results"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _logits(model, tokenizer) -> list:
    import torch

    rows = []
    with torch.no_grad():
        for prompt in PROMPTS:
            ids = tokenizer(prompt, return_tensors="pt")
            rows.append(model(**ids).logits[0].double().tolist())  # (T, V)
    return rows


def phase_convert(folder: Path) -> dict:
    import torch  # noqa: F401  (imports counted before the phase)
    import transformers  # noqa: F401

    from faithlens.smollm2 import convert_smollm2, gguf_path

    before = _peak_mib()
    start = time.perf_counter()
    card = convert_smollm2(gguf_path(), folder, progress=False)
    seconds = time.perf_counter() - start
    size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "rss_after_imports_mib": before,
        "folder_mib": size / 2**20,
        "files": sorted(f.name for f in folder.iterdir()),
        "card": card,
    }


def phase_load(folder: Path, out: Path) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    before = _peak_mib()
    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    seconds = time.perf_counter() - start
    peak_load = _peak_mib()
    torch.save(_logits(model, tokenizer), out)
    return {
        "seconds": seconds,
        "peak_rss_mib": peak_load,
        "peak_rss_after_forward_mib": _peak_mib(),
        "rss_after_imports_mib": before,
        "dtype": str(model.dtype),
        "ids": [tokenizer(p)["input_ids"] for p in PROMPTS],
    }


def phase_gguf(out: Path) -> dict:
    import torch

    from faithlens.smollm2 import gguf_path, load_gguf as _load_gguf

    before = _peak_mib()
    start = time.perf_counter()
    model, tokenizer = _load_gguf(gguf_path(), progress=False)
    seconds = time.perf_counter() - start
    peak_load = _peak_mib()
    torch.save(_logits(model, tokenizer), out)
    return {
        "seconds": seconds,
        "peak_rss_mib": peak_load,
        "rss_after_imports_mib": before,
        "ids": [tokenizer(p)["input_ids"] for p in PROMPTS],
    }


def _child(phase: str, *args: str) -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(allow_abbrev=False, description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="convert into the faithlens cache")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.phase:
        phases = {
            "convert": lambda: phase_convert(Path(opts.args[0])),
            "load": lambda: phase_load(Path(opts.args[0]), Path(opts.args[1])),
            "gguf": lambda: phase_gguf(Path(opts.args[0])),
        }
        print(json.dumps(phases[opts.phase]()))
        return
    run(keep=opts.keep)


def run(*, keep: bool) -> None:
    import torch

    from faithlens.smollm2 import smollm2_dir

    scratch = Path(tempfile.mkdtemp(prefix="smollm2-bench-"))
    folder = smollm2_dir() if keep else scratch / "smollm2"
    try:
        load_avg = os.getloadavg()
        convert = _child("convert", str(folder))
        loads = [_child("load", str(folder), str(scratch / "conv.pt")) for _ in range(3)]
        gguf = _child("gguf", str(scratch / "gguf.pt"))
        ours, theirs = torch.load(scratch / "conv.pt"), torch.load(scratch / "gguf.pt")
        diffs = [
            (torch.tensor(a) - torch.tensor(b)).abs().max().item() for a, b in zip(ours, theirs)
        ]
        same_ids = loads[0]["ids"] == gguf["ids"]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    record = {
        "command": "OMP_NUM_THREADS=1 python bench/smollm2_convert.py" + (" --keep" * keep),
        "threads": os.environ.get("OMP_NUM_THREADS", "unset"),
        "load_average_start": load_avg,
        "load_average_end": os.getloadavg(),
        "python": platform.python_version(),
        "convert": convert,
        "load_converted": {
            "seconds": [r["seconds"] for r in loads],
            "peak_rss_mib": max(r["peak_rss_mib"] for r in loads),
            "peak_rss_after_forward_mib": max(r["peak_rss_after_forward_mib"] for r in loads),
            "rss_after_imports_mib": loads[0]["rss_after_imports_mib"],
            "dtype": loads[0]["dtype"],
        },
        "load_gguf": {k: gguf[k] for k in ("seconds", "peak_rss_mib", "rss_after_imports_mib")},
        "logits": {
            "prompts": PROMPTS,
            "same_token_ids": same_ids,
            "max_abs_diff_per_prompt": diffs,
        },
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "smollm2_convert.json").write_text(json.dumps(record, indent=2) + "\n")
    (RESULTS / "smollm2_convert.md").write_text(_markdown(record))
    print(_markdown(record))


def _markdown(r: dict) -> str:
    c, lc, lg = r["convert"], r["load_converted"], r["load_gguf"]
    loads = ", ".join(f"{s:.1f}" for s in lc["seconds"])
    return f"""# SmolLM2-135M-Instruct: GGUF conversion and loading

`{r["command"]}` (threads: {r["threads"]}; load average {r["load_average_start"][0]:.2f} at
start, {r["load_average_end"][0]:.2f} at end; every phase in a fresh process).

| phase | seconds | peak RSS (MiB) | RSS after imports (MiB) |
| --- | ---: | ---: | ---: |
| convert GGUF → float32 folder (once) | {c["seconds"]:.1f} | {c["peak_rss_mib"]:.0f} | {c["rss_after_imports_mib"]:.0f} |
| load converted folder (3 runs) | {loads} | {lc["peak_rss_mib"]:.0f} ({lc["peak_rss_after_forward_mib"]:.0f} after {len(r["logits"]["prompts"])} forwards) | {lc["rss_after_imports_mib"]:.0f} |
| load straight from GGUF | {lg["seconds"]:.1f} | {lg["peak_rss_mib"]:.0f} | {lg["rss_after_imports_mib"]:.0f} |

Converted folder: {c["folder_mib"]:.0f} MiB ({", ".join(c["files"])}), saved as
{c["card"]["saved_dtype"]}; GGUF file type {c["card"]["gguf_file_type"]}, tensor types
{c["card"]["gguf_tensor_types"]}.

Logits of the converted folder vs the GGUF-loaded model on {len(r["logits"]["prompts"])}
prompts: same token ids: {r["logits"]["same_token_ids"]}; max |difference| per prompt:
{r["logits"]["max_abs_diff_per_prompt"]}.
"""


if __name__ == "__main__":
    main()
