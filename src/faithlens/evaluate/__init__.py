"""Which explanation method is most faithful for this model on this data? A resumable benchmark.

``evaluate(...)`` explains every example with every method, scores each explanation with
log-odds, comprehensiveness, sufficiency (top-k) and the completeness gap Delta, and writes one
JSON line per (example, method) as it goes. Re-running with the same settings skips finished
lines, so an interrupted run resumes; the final table is computed from the lines alone, so a
resumed run and an uninterrupted one give the same table.

Method specs: a registry name, optionally with settings, e.g. ``ig:steps=250``, ``ig:steps=10N``
(10 × the number of attributed tokens, per example), ``sig:mode=closed``, ``sig:steps=10``.

**The run folder** (``out``): ``settings.json`` (settings, dataset selection, the model's content
fingerprint), ``records.jsonl`` (one line per example and method), ``results.json``,
``results.csv``, ``table.md``, ``agreement.md``, ``significance.md`` (paired tests between the
methods and against the seeded ``random`` row), and while a run is going ``.faithlens.lock`` (one
run per folder) and, under a launcher, ``records.rank{r}.jsonl`` per process r ≥ 1. A resumed run
checks its inputs by content: each finished record's example (text, pair, label) against the data,
the model's files against their SHA-256, and the settings.

**Several processes** (``torchrun`` / ``accelerate launch``, :mod:`faithlens.distributed`): the
examples fall into the same fixed batches a single process uses (``batch_size`` consecutive
examples), and the unfinished batches are dealt to the processes by estimated cost, largest first
onto the least loaded process. Each process appends to its own records file; when all are done rank
0 merges them into ``records.jsonl`` (sorted by example, then method) and writes the same tables one
process writes. Because an example is always explained in the same batch, the records, and so
every number in the tables, are those of a single process; only timings differ (and, for a batch a kill cut
part-way, the rows explained again alone differ by float rounding, about 1e-7 relative). A resume reads every
records file, so it works after a kill of any process and with any number of processes.

The package, by job (each module imports only those before it): `specs` (method specs), `folder` (settings and
records on disk, resume checks), `checks` (arguments checked before any work), `tables` (Markdown), `paired` (paired tests), `summary` (records to an
`EvalResult`), `output` (the files a run writes), `run` (the run loop). Every name is also importable from
``faithlens.evaluate``.
"""

from ..stats import spearman
from .folder import (RECORDS_FILE, REJECTED_FILE, SETTINGS_FILE, EvalSettings, RecordsTail, check_examples,
                     check_resume, digest, load_settings, read_records, read_run, record_files, records_path, saved_run)
from .output import TIMING_FIELDS, write_outputs
from .paired import RANDOM, SIGNIFICANCE_LEVEL, significance
from .checks import check_lengths, check_rationales, token_lengths
from .run import evaluate, example_context, extra_metrics, run_method
from .specs import DEFAULT_METHODS, PER_UNIT, SPEC_KEYS, MethodSpec, check_shared_steps, parse_method, parse_methods
from .summary import EvalResult, load_result, merge_runs, rank_agreement, summarise_curves, summarise_run
from .tables import (EXTRA_NAMES, TABLE_COLUMNS, TOPK_COLUMNS, agreement_markdown, best_line, cell, markdown_table,
                     significance_markdown)

__all__ = [
    "DEFAULT_METHODS", "EXTRA_NAMES", "PER_UNIT", "RANDOM", "RECORDS_FILE", "REJECTED_FILE", "SETTINGS_FILE",
    "SIGNIFICANCE_LEVEL", "SPEC_KEYS", "TABLE_COLUMNS", "TIMING_FIELDS", "TOPK_COLUMNS", "EvalResult", "EvalSettings",
    "MethodSpec", "RecordsTail", "agreement_markdown", "best_line", "cell", "check_examples", "check_lengths",
    "check_rationales", "check_resume", "check_shared_steps", "digest", "evaluate", "example_context", "extra_metrics", "load_result",
    "load_settings", "markdown_table", "merge_runs", "parse_method", "parse_methods", "rank_agreement", "read_records",
    "read_run", "record_files", "records_path", "run_method", "saved_run", "significance", "significance_markdown",
    "spearman", "summarise_curves", "summarise_run", "token_lengths", "write_outputs",
]
