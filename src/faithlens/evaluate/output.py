"""What a finished (or checkpointed) run writes beside its records: results.json, results.csv, table.md,
agreement.md, significance.md, plausibility.md/.json and, on request, the HTML report."""

from __future__ import annotations

import csv
import io
import json
import math
import time
from pathlib import Path

from ..files import write_atomic
from ..version import __version__
from .summary import EvalResult
from .tables import TABLE_COLUMNS, agreement_markdown, significance_markdown


TIMING_FIELDS = {"records": ("seconds", "digest"), "results.json": ("written", "seconds", "seconds_by_device"),
                 "results.csv": ("seconds_mean", "seconds_sem", "seconds_n"), "table.md": ("s / example",)}
"""What may differ between two runs of the same job (a resumed one, one over several processes): timings (and each
record's digest, which covers its seconds)."""


def write_outputs(result: EvalResult, out: Path, *, report: bool = False) -> None:
    """results.json, results.csv, table.md (and agreement.md for several methods), each written atomically;
    with ``report``, also report.html and the plots (metrics.svg/.png, aopc.svg/.png) when matplotlib is installed."""
    payload = {"settings": result.settings.to_dict(), "n_examples": result.n_examples, "n_truncated": result.n_truncated,
               "complete": result.complete, "examples_asked": result.examples_asked,
               "rows": result.rows, "agreement": result.agreement, "curves": result.curves,
               "significance": result.significance, "version": __version__,
               **({"plausibility": result.plausibility} if result.plausibility else {}),
               "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_atomic(out / "results.json", json.dumps(payload, indent=2) + "\n", durable=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = TABLE_COLUMNS + tuple(result.settings.metrics)
    writer.writerow(["method"] + [f"{c}_{s}" for c in columns for s in ("mean", "sem", "n")] + ["k_zero"])
    for row in result.rows:
        writer.writerow([row["method"]] + [_num(row[c][s]) for c in columns for s in ("mean", "sem", "n")]
                        + [row.get("k_zero", 0)])
    write_atomic(out / "results.csv", buffer.getvalue(), durable=False)
    write_atomic(out / "table.md", result.markdown(), durable=False)
    if result.agreement:
        write_atomic(out / "agreement.md", agreement_markdown(result.agreement), durable=False)
    if result.plausibility:
        from ..plausibility import plausibility_markdown

        from .tables import partial_line, unknown_line

        first = unknown_line(result.complete) + partial_line(result.partial)  # a partial sample says so, as table.md
        write_atomic(out / "plausibility.md", first + plausibility_markdown(
            result.plausibility, source=str(result.settings.rationales)), durable=False)
        write_atomic(out / "plausibility.json", json.dumps({
            "rationales": result.settings.rationales, "rationales_digest": result.settings.rationales_digest,
            "complete": result.complete, "examples_asked": result.examples_asked, **result.plausibility},
            indent=2) + "\n", durable=False)
    if result.significance.get("metrics"):
        write_atomic(out / "significance.md", significance_markdown(result.significance, partial=result.partial), durable=False)
    if report:
        from ..views.reports import write_eval_report

        write_eval_report(result, out)


def _num(x):
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else x
