"""The GPU check (`bench/gpu_check.sh`): a few figures on whatever device is there, in under 8 minutes on one GPU.

1. closed-form SIG (the default, N + 1 forward passes per text) on the IMDB sample: examples/s;
2. SmolLM2: `explain` of a prompt's next word (SIG closed form, certified IG at tolerance 0.01): seconds;
3. `faithlens evaluate` under torchrun with 1 process vs one per GPU (CPU: 1 vs 2 gloo processes): seconds;
4. peak memory: CUDA's max allocated bytes (GPU), else the process's peak RSS.

Writes bench/results/gpu_check.json and gpu_check.md (or --out). On the CPU it runs with small limits
(--limit 2) so the test suite covers it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMDB = ROOT.parent / "shared" / "data" / "imdb_textfooler_test1000" / "imdb_test_sample_1000.txt"
SST2 = ROOT.parent / "shared" / "data" / "sst2" / "dev.tsv"
PROMPTS = [("The capital of France is", " Paris"), ("Fish live in the", " water")]


def parse(argv):
    p = argparse.ArgumentParser(prog="bench/gpu_check.sh", description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=IMDB, help="IMDB sample, one 'label text' per line (default: %(default)s)")
    p.add_argument("--sst2", type=Path, default=SST2, help="data for the torchrun run (default: %(default)s)")
    p.add_argument("--limit", type=int, default=None, help="examples per run (default: 500 on a GPU, 2 on the CPU)")
    p.add_argument("--model", default=None, help="classifier (default: the bundled model)")
    p.add_argument("--lm", default="smollm2", help="causal LM for step 2, or 'none' to skip it")
    p.add_argument("--device", default=None, help="default: cuda when there is one, else cpu")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args(argv)
    if not args.data.is_file():
        p.error(f"--data {args.data}: no such file. Give the IMDB sample (imdb_test_sample_1000.txt).")
    return args


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_memory(device: str) -> dict:
    import torch

    if device.startswith("cuda"):
        return {"cuda_max_allocated_bytes": int(torch.cuda.max_memory_allocated())}
    return {"max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    import faithlens
    from faithlens.device import use_device

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    gpus = torch.cuda.device_count() if device.startswith("cuda") else 0
    limit = args.limit or (500 if gpus else 2)
    use_device(device)
    result: dict = {"command": "bench/gpu_check.sh " + " ".join(sys.argv[1:] if argv is None else argv), "device": device,
                    "gpus": gpus, "gpu_name": torch.cuda.get_device_name(0) if gpus else None, "limit": limit}
    args.out.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        (args.out / "gpu_check.json").write_text(json.dumps(result, indent=1))

    lines = [line.split(" ", 1) for line in args.data.read_text().splitlines() if line.strip()][:limit]
    texts = [t for _, t in lines]
    ex = faithlens.Explainer(args.model)
    ex.explain(texts[:1], "sig", truncate=True)  # warm-up
    t0 = time.perf_counter()
    ex.explain(texts, "sig", truncate=True, batch_size=16)
    seconds = time.perf_counter() - t0
    result["sig_closed_imdb"] = {"examples": len(texts), "seconds": seconds, "examples_per_s": len(texts) / seconds,
                                 **peak_memory(device)}
    save()
    print("closed-form SIG on IMDB:", result["sig_closed_imdb"], flush=True)

    if args.lm != "none":
        lm = faithlens.Explainer(args.lm)
        runs = []
        for prompt, target in PROMPTS:
            for method, kw in (("sig", {}), ("ig", {"tolerance": 0.01})):
                t0 = time.perf_counter()
                e = lm.explain(prompt, method, target=target, **kw)
                runs.append({"prompt": prompt, "target": target, "method": method, **kw,
                             "seconds": time.perf_counter() - t0, "error": e.error, "nodes": e.nodes})
                print("LM:", runs[-1], flush=True)
        result["lm_explain"] = {"model": args.lm, "runs": runs, **peak_memory(device)}
        save()

    result["torchrun"] = []
    procs = sorted({1, max(gpus, 1 if device == "cpu" and (os.cpu_count() or 1) < 2 else 2 if not gpus else gpus)})
    for n in procs:
        out = Path(args.out) / f"gpu_check_torchrun_{n}"
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(n), "--master_port", str(_free_port()),
               "-m", "faithlens", "--threads", "1", *(["--device", "cuda"] if gpus else []), "evaluate",
               "--data", str(args.sst2), "--limit", str(limit * 4), "--methods", "sig:mode=closed", "grad_x_input",
               "--quiet", "--out", str(out)]
        if args.model:
            cmd[cmd.index("evaluate") + 1:cmd.index("evaluate") + 1] = ["--model", args.model]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        run = {"processes": n, "seconds": time.perf_counter() - t0, "returncode": proc.returncode,
               "examples": limit * 4}
        if proc.returncode:
            run["stderr_tail"] = proc.stderr[-6000:]
        result["torchrun"].append(run)
        save()
        print("torchrun:", run, flush=True)
    save()
    md = [f"# GPU check ({device}{', ' + result['gpu_name'] if gpus else ''})", "", f"`{result['command']}`", "",
          f"- closed-form SIG on the IMDB sample: {result['sig_closed_imdb']['examples_per_s']:.2f} examples/s "
          f"({result['sig_closed_imdb']['examples']} examples)"]
    for r in result.get("lm_explain", {}).get("runs", []):
        md.append(f"- {args.lm} {r['method']} {r['prompt']!r} → {r['target']!r}: {r['seconds']:.2f} s, "
                  f"error {r['error'].get('kind')} {r['error'].get('relative')}")
    for r in result["torchrun"]:
        md.append(f"- torchrun, {r['processes']} process(es): {r['seconds']:.1f} s for {r['examples']} examples "
                  f"(exit {r['returncode']})")
    md.append(f"- peak memory: {json.dumps({k: v for k, v in result['sig_closed_imdb'].items() if 'bytes' in k})}")
    (args.out / "gpu_check.md").write_text("\n".join(md) + "\n")
    return 0 if all(r["returncode"] == 0 for r in result["torchrun"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
