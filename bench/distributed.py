"""Several processes vs several threads: `faithlens evaluate` on the same examples as
2 processes × 1 thread (torchrun, gloo) and as 1 process × 2 threads, side by side.

Run (from the repository root; about 15 minutes on a shared 2-core machine):

    python bench/distributed.py --data ../shared/data/sst2/dev.tsv --limit 50

Each configuration runs the whole command (`python -m faithlens ... evaluate`, start-up and model
loading included, as a user would see it) into a fresh --out folder; the two alternate
(A B B A …) so a change in the machine's load hits both alike. Reported: wall seconds of each run,
the median per configuration, throughput (explanations per second) and the ratio, the load
average before and after, and whether the two tables agree. Results go to
bench/results/distributed.json (after each run) and bench/results/distributed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def commands(args, out: Path) -> dict[str, list[str]]:
    evaluate = ["evaluate", "--data", args.data, "--limit", str(args.limit), "--methods", *args.methods,
                "--batch-size", str(args.batch_size), "--quiet"]
    if args.model:
        evaluate += ["--model", args.model]
    return {
        "2 processes × 1 thread": [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                                   "--master_port", str(_port()), "-m", "faithlens", "--threads", "1", *evaluate,
                                   "--out", str(out / "processes")],
        "1 process × 2 threads": [sys.executable, "-m", "faithlens", "--threads", "2", *evaluate,
                                  "--out", str(out / "threads")],
    }


def table_without_timing(folder: Path) -> list[str]:
    lines = (folder / "table.md").read_text().splitlines()
    column = lines[0].split(" | ").index("s / example")
    return [" | ".join(c for k, c in enumerate(line.split(" | ")) if k != column) if line.startswith("| ") else line
            for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser(allow_abbrev=False, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/data/sst2/dev.tsv")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--model", default=None, help="default: the bundled model")
    parser.add_argument("--methods", nargs="+", default=["grad_x_input", "ig", "sig:mode=closed", "sig:steps=5"])
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=2, help="runs per configuration (alternating)")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    env.pop("OMP_NUM_THREADS", None)  # --threads decides
    n_expl = args.limit * len(args.methods)
    report = {"command": "python bench/distributed.py " + " ".join(sys.argv[1:]), "data": args.data,
              "limit": args.limit, "methods": args.methods, "explanations": n_expl, "cpus": os.cpu_count(),
              "load_before": os.getloadavg(), "runs": []}
    scratch = Path(tempfile.mkdtemp(prefix="faithlens-bench-dist-"))
    names = list(commands(args, scratch))
    order = [names[(i // 2 + i % 2) % 2] for i in range(2 * args.repeats)]  # A B B A A B ...
    tables = {}
    try:
        for k, name in enumerate(order):
            out = scratch / f"run{k}"
            cmd = commands(args, out)[name]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - t0
            if proc.returncode != 0:
                raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
            folder = next(p for p in out.iterdir() if p.is_dir())
            tables.setdefault(name, table_without_timing(folder))
            # The explaining alone: from settings.json (written once the model is loaded and the inputs
            # checked) to the last results.json (written after the records are merged).
            explaining = (folder / "results.json").stat().st_mtime - (folder / "settings.json").stat().st_mtime
            report["runs"].append({"config": name, "seconds": seconds, "work_seconds": explaining, "load": os.getloadavg()})
            print(f"{name}: {seconds:.1f} s ({explaining:.1f} s explaining)", flush=True)
            (RESULTS / "distributed.json").write_text(json.dumps(report, indent=2) + "\n")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report["load_after"] = os.getloadavg()
    medians = {name: statistics.median(r["seconds"] for r in report["runs"] if r["config"] == name) for name in names}
    work = {name: statistics.median(r["work_seconds"] for r in report["runs"] if r["config"] == name) for name in names}
    report["median_seconds"] = medians
    report["median_work_seconds"] = work
    report["throughput_per_s"] = {name: n_expl / s for name, s in medians.items()}
    report["work_throughput_per_s"] = {name: n_expl / s for name, s in work.items()}
    report["ratio_processes_over_threads"] = medians[names[1]] / medians[names[0]]
    report["work_ratio_processes_over_threads"] = work[names[1]] / work[names[0]]
    report["same_table"] = tables[names[0]] == tables[names[1]]
    (RESULTS / "distributed.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Several processes vs several threads (`bench/distributed.py`)", "",
        f"`{report['command']}` — {args.limit} examples × {len(args.methods)} methods ({', '.join(args.methods)}) "
        f"= {n_expl} explanations, the bundled model, {os.cpu_count()} CPUs shared with other jobs (load average "
        f"{report['load_before'][0]:.1f} before, {report['load_after'][0]:.1f} after). Whole commands, start-up and "
        "model loading included; configurations alternated.", "",
        "| configuration | whole command, runs (s) | median (s) | expl. / s | explaining only, median (s) | expl. / s |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        runs = ", ".join(f"{r['seconds']:.1f}" for r in report["runs"] if r["config"] == name)
        lines.append(f"| {name} | {runs} | {medians[name]:.1f} | {report['throughput_per_s'][name]:.2f} | "
                     f"{work[name]:.1f} | {report['work_throughput_per_s'][name]:.2f} |")
    lines += ["", f"Throughput ratio, 2 processes × 1 thread over 1 process × 2 threads: "
                  f"**{report['ratio_processes_over_threads']:.2f}×** for the whole command, "
                  f"**{report['work_ratio_processes_over_threads']:.2f}×** for the explaining alone (from settings.json, "
                  "written once the model is loaded, to the last results.json). The two tables "
                  + ("are identical (timings aside)." if report["same_table"] else "DIFFER."), ""]
    (RESULTS / "distributed.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
