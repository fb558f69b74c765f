"""Finish the long reproduction runs on a lent GPU machine, then fold the new lines into results/.

    python experiments/faithfulness/gpu/device.py prepare           # here: writes .gpu/ (slimmed model, DIG anchors, data, done lists)
    # the device runs experiments/faithfulness/gpu/run_device.sh, which calls `device.py run` and leaves its files in $OUT
    python experiments/faithfulness/gpu/device.py merge FOLDER      # here: checks the recomputed examples, then appends the new lines

Why the model is slimmed: a call to the device takes at most 64 MiB of files and the SST-2 MiniLM is
91 MB, 47 MB of it the word-embedding matrix. A run reads only the rows of the tokens in its texts and
of DIG's anchors, so `prepare` runs DIG's anchor search here, on the same CPU neighbour graph the CPU
runs used, and ships those rows only. Every other row is NaN on the device: reading one by mistake
turns a score into NaN, and evaluate refuses to write NaN.

The device first recomputes each run's first two examples, which the CPU finished long ago; `merge`
appends nothing unless those agree with the CPU's records.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "results"
MODEL = "runs/models/minilm-sst2"
# Run folder -> examples per evaluate batch. These all use the SST-2 MiniLM (the RT runs finish on the CPU).
JOBS = {"imdb-mask": 8, "imdb-pad": 8, "sst2-table4": 16, "sst2-sig-forward": 16}
# Started once the jobs above are done, until the deadline: 50-step SIG on IMDB, which the CPU could not afford.
EXTRA = {"imdb-mask-sig50": ("imdb-mask", ["sig"], 4), "imdb-pad-sig50": ("imdb-pad", ["sig"], 4)}
CHECKED = 2  # examples recomputed per run
MEMORY = 16 * 1024**3  # activation bytes per chunk on the GPU


def settings_of(job: str) -> dict:
    """A run's settings (keys older files lack at their defaults) and dataset info, as its settings.json holds them."""
    from faithlens import __version__
    from faithlens.evaluate import load_settings

    settings, info = load_settings(RESULTS / (EXTRA[job][0] if job in EXTRA else job))
    if job in EXTRA:
        settings = replace(settings, methods=tuple(EXTRA[job][1]))
    return {"settings": settings.to_dict(), "version": __version__, "dataset_info": info}


def dataset_of(saved: dict):
    from faithlens.data import reload

    return reload(saved["settings"]["data"], saved["dataset_info"])


# --- here: the bundle --------------------------------------------------------------------------------------------

def prepare(bundle: Path) -> None:
    from faithlens.baselines import baseline_embeddings, resolve_baseline
    from faithlens.encoding import encode
    from faithlens.evaluate import read_records
    from faithlens.methods.dig import DEFAULT_ANCHORS, find_anchors, knn_graph
    from faithlens.model import load_model

    model = load_model(MODEL)
    E = model.embedding_matrix.detach()
    keep = set(model.tokenizer.all_special_ids)
    anchors, data_files = {}, set()
    for job in [*JOBS, *EXTRA]:
        saved = settings_of(job)
        s = saved["settings"]
        data = dataset_of(saved)
        data_files.add(s["data"])
        enc = encode(model, list(data.texts), truncate=s["truncate"])
        keep |= set(enc.input_ids.unique().tolist())
        if any(m.startswith("dig") for m in s["methods"]) and s["baseline"] not in anchors:
            base = resolve_baseline(model, s["baseline"])
            W = model.embed(enc.input_ids)
            b_vec = baseline_embeddings(model, enc, base, W)[enc.attributed][0]  # as DIG takes it
            ids = enc.input_ids[enc.attributed].unique()
            t0 = time.perf_counter()
            found = find_anchors(E, knn_graph(model), ids, baseline=b_vec, baseline_id=base.token_id,
                                 steps=DEFAULT_ANCHORS, strategy="greedy")
            print(f"{job}: anchors of {len(ids)} ids in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            anchors[s["baseline"]] = {"baseline_id": base.token_id, "vector": b_vec.clone(), "steps": DEFAULT_ANCHORS,
                                      "ids": ids.clone(), "anchors": found.clone()}
            keep |= set(found[found >= 0].tolist())
        done = [] if job in EXTRA else [[r["index"], r["method"]] for r in read_records(RESULTS / job / "records.jsonl")]
        (bundle / "jobs").mkdir(parents=True, exist_ok=True)
        (bundle / "jobs" / f"{job}.json").write_text(json.dumps({"settings": saved, "done": done}))
    rows = torch.tensor(sorted(keep))
    weights = model.model.state_dict()
    word_key = next(k for k, v in weights.items() if v.data_ptr() == E.data_ptr())
    state = {k: v.contiguous() for k, v in weights.items() if k != word_key}
    (bundle / "model").mkdir(parents=True, exist_ok=True)
    pack({**state, "__vectors__": E[rows]}, bundle / "model", word_key=word_key, vocab=E.shape[0], rows=rows.tolist())
    for f in (ROOT / MODEL).iterdir():
        if f.name != "model.safetensors":
            shutil.copy(f, bundle / "model" / f.name)
    torch.save(anchors, bundle / "anchors.pt")
    for d in data_files:
        target = bundle / "data" / Path(d).relative_to("../shared/data")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / d, target)
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    print(f"bundle: {len(rows)} of {E.shape[0]} embedding rows, {size / 2**20:.1f} MiB in {bundle}", file=sys.stderr)


# --- on the device --------------------------------------------------------------------------------------------------

def pack(state: dict, folder: Path, **index) -> None:
    """float32 tensors as one lzma stream of byte planes (the sign/exponent plane compresses well: 58 -> 49 MiB)."""
    import lzma

    import numpy as np

    if any(t.dtype != torch.float32 for t in state.values()):
        raise ValueError("pack takes float32 tensors only")
    names = list(state)
    flat = np.concatenate([state[k].detach().contiguous().numpy().ravel() for k in names])
    planes = flat.view(np.uint8).reshape(-1, 4).T.copy()  # (4, N): byte j of every float together
    (folder / "weights.xz").write_bytes(lzma.compress(planes.tobytes(), preset=6))
    (folder / "weights.json").write_text(json.dumps({"names": names, "shapes": [list(state[k].shape) for k in names], **index}))


def unpack(folder: Path) -> tuple[dict, dict]:
    import lzma

    import numpy as np

    index = json.loads((folder / "weights.json").read_text())
    planes = np.frombuffer(lzma.decompress((folder / "weights.xz").read_bytes()), dtype=np.uint8).reshape(4, -1)
    flat = torch.from_numpy(planes.T.copy().view(np.float32).ravel())
    state, at = {}, 0
    for name, shape in zip(index["names"], index["shapes"]):
        n = int(np.prod(shape)) if shape else 1
        state[name] = flat[at:at + n].view(shape).clone()
        at += n
    return state, index


def assemble(bundle: Path) -> None:
    """runs/models/minilm-sst2 from the packed parts; rows not shipped are NaN."""
    from safetensors.torch import save_file

    state, index = unpack(bundle / "model")
    vectors = state.pop("__vectors__")
    words = torch.full((index["vocab"], vectors.shape[1]), float("nan"), dtype=vectors.dtype)
    words[torch.tensor(index["rows"])] = vectors
    state[index["word_key"]] = words
    out = ROOT / MODEL
    out.mkdir(parents=True, exist_ok=True)
    for f in (bundle / "model").iterdir():
        if f.name not in ("weights.xz", "weights.json"):
            shutil.copy(f, out / f.name)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    data = ROOT.parent / "shared" / "data"
    for f in (bundle / "data").rglob("*"):
        if f.is_file():
            target = data / f.relative_to(bundle / "data")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)


def use_shipped_anchors(bundle: Path) -> None:
    """DIG takes its anchors from the bundle (searched on the CPU) instead of searching the NaN-padded matrix."""
    from faithlens.methods import dig

    table = torch.load(bundle / "anchors.pt", weights_only=True)
    by_id = {}
    for entry in table.values():
        lookup = dict(zip(entry["ids"].tolist(), entry["anchors"]))
        by_id[(entry["baseline_id"], entry["steps"])] = (entry["vector"], lookup)

    def shipped(E, graph, input_ids, *, baseline, baseline_id, steps, strategy):
        vector, lookup = by_id[(baseline_id, steps)]
        if strategy != "greedy" or not torch.equal(baseline.cpu(), vector):
            raise RuntimeError("DIG was asked for anchors the bundle does not hold")
        return torch.stack([lookup[i] for i in input_ids.tolist()]).to(input_ids.device)

    dig.cached_anchors = shipped
    dig.knn_graph = lambda model, k=dig.DEFAULT_NEIGHBOURS, **kw: torch.empty(0, k, dtype=torch.long)


def run_job(job: str, bundle: Path, work: Path) -> None:
    from faithlens.device import use_device
    from faithlens.evaluate import evaluate
    from faithlens.model import load_model

    use_device(os.environ.get("FAITHLENS_DEVICE", "cuda"))  # FAITHLENS_DEVICE=cpu: a dry run here
    use_shipped_anchors(bundle)
    spec = json.loads((bundle / "jobs" / f"{job}.json").read_text())
    saved, s = spec["settings"], spec["settings"]["settings"]
    model = load_model(s["model"])
    data = dataset_of(saved)
    size = {**JOBS, **{k: v[2] for k, v in EXTRA.items()}}[job]
    common = dict(methods=s["methods"], baseline=s["baseline"], steps=s["steps"], topk=s["topk"], protocol=s["protocol"],
                  score=s["score"], seed=s["seed"], max_chars=s["max_chars"], shuffle=s["shuffle"], truncate=s["truncate"],
                  progress=False, memory_budget=MEMORY, batch_size=size)
    if spec["done"]:  # the examples the CPU finished first, recomputed here for `merge` to compare
        head = replace(data, texts=data.texts[:CHECKED], labels=data.labels[:CHECKED])
        evaluate(model, head, out=work / f"check-{job}", **common)
    out = work / job
    out.mkdir(parents=True, exist_ok=True)
    (out / "settings.json").write_text(json.dumps(saved))
    stub = {"log_odds": 0.0, "comprehensiveness": 0.0, "sufficiency": 0.0, "delta": 0.0, "sig_delta": None, "seconds": 0.0,
            "tokens": [], "special": [], "token_scores": [], "stub": True}
    with (out / "records.jsonl").open("w") as handle:  # lines the CPU already has: skipped here
        for index, method in spec["done"]:
            handle.write(json.dumps({"index": index, "method": method, **stub}) + "\n")
    t0 = time.perf_counter()
    evaluate(model, data, out=out, **common)
    print(f"{job}: done in {time.perf_counter() - t0:.0f} s", flush=True)


def run(bundle: Path, work: Path, out: Path, deadline: float) -> None:
    assemble(bundle)
    end = time.time() + deadline

    def start(job):
        with (work / f"{job}.log").open("w") as log:  # the child keeps its own handle
            return subprocess.Popen([sys.executable, __file__, "job", job, "--bundle", str(bundle), "--work", str(work)],
                                    stdout=log, stderr=subprocess.STDOUT)

    work.mkdir(parents=True, exist_ok=True)
    running = {job: start(job) for job in JOBS}
    extra_started = False
    while running and time.time() < end:
        time.sleep(2)
        for job, p in list(running.items()):
            if p.poll() is not None:
                print(f"{job}: exit {p.returncode} after {deadline - (end - time.time()):.0f} s", flush=True)
                del running[job]
        if not extra_started and not any(j in JOBS for j in running):
            extra_started = True
            running.update({job: start(job) for job in EXTRA})
    for job, p in running.items():
        p.terminate()
        p.wait()
        print(f"{job}: stopped at the deadline", flush=True)
    collect(work, out)


def collect(work: Path, out: Path) -> None:
    """New lines of each run (stubs dropped) and every check line, as at most 8 files in $OUT."""
    from faithlens.evaluate import read_records

    checks = []
    for job in [*JOBS, *EXTRA]:
        new = [r for r in read_records(work / job / "records.jsonl") if not r.get("stub")]
        (out / f"{job}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in new))
        checks += [dict(r, job=job) for r in read_records(work / f"check-{job}" / "records.jsonl")]
        print(f"{job}: {len(new)} new lines", flush=True)
    (out / "check.jsonl").write_text("".join(json.dumps(r) + "\n" for r in checks))
    logs = "".join(f"== {f.name}\n{f.read_text()}" for f in sorted(work.glob("*.log")))
    (out / "jobs.log").write_text(logs)


# --- here: folding the lines in ---------------------------------------------------------------------------------------

def merge(folder: Path, *, dry: bool = False) -> None:
    from faithlens.evaluate import load_result, read_records, write_outputs

    worst = {}
    lines = ["| run | method | examples | max abs difference: LO | Comp | Suff | token scores (relative to the CPU's norm) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    checks = read_records(folder / "check.jsonl")
    for job in JOBS:
        cpu = {(r["index"], r["method"]): r for r in read_records(RESULTS / job / "records.jsonl")}
        by_method: dict = {}
        for r in (c for c in checks if c["job"] == job):
            ref = cpu[(r["index"], r["method"])]
            a, b = torch.tensor(r["token_scores"], dtype=torch.float64), torch.tensor(ref["token_scores"], dtype=torch.float64)
            diff = [0.0 if r[k] is None and ref[k] is None else abs(r[k] - ref[k])  # null: k = 0 on both
                    for k in ("log_odds", "comprehensiveness", "sufficiency")]
            diff.append(float((a - b).abs().max() / b.norm().clamp(min=1e-12)))
            acc = by_method.setdefault(r["method"], [0, [0.0] * 4])
            acc[0] += 1
            acc[1] = [max(x, y) for x, y in zip(acc[1], diff)]
        for method, (n, d) in by_method.items():
            lines.append(f"| {job} | {method} | {n} | " + " | ".join(f"{x:.1e}" for x in d) + " |")
            worst[(job, method)] = max(d)
    report = "\n".join(lines) + "\n"
    print(report)
    bad = {k: v for k, v in worst.items() if v > 1e-3}
    if bad or not worst:
        raise SystemExit(f"device results disagree with the CPU's (or no check ran): {bad}; nothing merged")
    if dry:
        return
    (RESULTS / "gpu" / "CHECK.md").write_text(report)
    for job in [*JOBS, *EXTRA]:
        new = read_records(folder / f"{job}.jsonl")
        target = RESULTS / job
        target.mkdir(exist_ok=True)
        if not (target / "settings.json").exists():
            (target / "settings.json").write_text(json.dumps(settings_of(job), indent=2) + "\n")
        have = {(r["index"], r["method"]) for r in read_records(target / "records.jsonl", repair=True)}
        fresh = [r for r in new if (r["index"], r["method"]) not in have]
        with (target / "records.jsonl").open("a") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in fresh)
        write_outputs(load_result(target), target)
        print(f"{job}: appended {len(fresh)} lines", file=sys.stderr)


def main() -> None:
    p = argparse.ArgumentParser(allow_abbrev=False, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["prepare", "run", "job", "merge"])
    p.add_argument("name", nargs="?")
    p.add_argument("--bundle", type=Path, default=ROOT / ".gpu")
    p.add_argument("--work", type=Path, default=Path("/tmp/faithlens-device"))
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--dry", action="store_true", help="merge: compare the checks only, append nothing")
    p.add_argument("--deadline", type=float, default=400, help="seconds before the runs are stopped and collected")
    a = p.parse_args()
    if a.action == "prepare":
        prepare(a.bundle)
    elif a.action == "run":
        run(a.bundle, a.work, a.out, a.deadline)
    elif a.action == "job":
        run_job(a.name, a.bundle, a.work)
    else:
        merge(Path(a.name), dry=a.dry)


if __name__ == "__main__":
    main()
