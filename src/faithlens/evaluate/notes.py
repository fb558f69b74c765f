"""What an evaluate run says about itself beyond its table: a resume with another batch size (`batch_size_of_run`),
a refusal of one batch in evaluate's words (`in_evaluate_words`), and the methods whose scores' measured error is
large or unknown on some examples (`warn_inexact`), as explain says it of one explanation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import FaithlensError, quoted
from ..text_origins import located
from .specs import MethodSpec, in_spec_words


def batch_size_of_run(out: Path, saved: dict | None, done, batch_size: int) -> int:
    """The batch size the run's records were made with (settings.json's, once records exist): a resume with another
    one is said, since its examples then fall into other batches than a one-pass run's, so their records equal that
    run's only to float rounding (the records of one run are byte-identical across process counts, README)."""
    began = (saved or {}).get("batch_size")
    if not done or not isinstance(began, int):  # no records yet, or a run from before the batch size was recorded
        return batch_size
    if began == batch_size:
        return began
    import warnings

    from ..errors import FaithlensWarning

    warnings.warn(f"The run in {str(out)!r} began with a batch size of {began}; resumed with {batch_size}, the "
                  "examples explained from here fall into other batches, so their records equal a one-pass run's only "
                  f"to float rounding (about 1e-7), not byte for byte. Resume with the batch size it began with "
                  f"({began}) for records identical to it.", FaithlensWarning, stacklevel=3)
    return began


def in_evaluate_words(message: str, spec: MethodSpec, examples: list[int], texts: Sequence) -> str:
    """A refusal of one batch's explain call as evaluate says it: its leading "Text i" (the batch's i-th text) named by
    its example index and quoted (``texts``, the batch's texts: under a shuffle an index alone does not say which line;
    `text_origins.located`); a sample count as a method spec's (evaluate has no --samples option)."""
    message = in_spec_words(message, spec.method)
    named = [f"example {i} ({quoted(text, 40)})" for i, text in zip(examples, texts)]
    message = str(located(FaithlensError(message), named))  # explain's own renaming
    return f"Method {spec.label}: {message}"


def warn_inexact(done: dict, methods: Sequence[str]) -> None:
    """One warning per method whose scores' measured error (each record's ``error``, `accuracy.measure`) exceeds
    explain's warn_above on some examples, or could not be measured: the table's numbers then rest on scores that
    explain would have warned about. Records written before ``error`` was recorded are not counted."""
    import warnings

    from ..errors import FaithlensWarning
    from ..names import DEFAULT_WARN_ABOVE

    for label in methods:
        errors = [r["error"] for r in done.values() if r.get("method") == label and isinstance(r.get("error"), dict)]
        large = [e["relative"] for e in errors if e.get("kind") != "exact" and e.get("relative") is not None
                 and e["relative"] > DEFAULT_WARN_ABOVE]
        unknown = sum(1 for e in errors if e.get("kind") == "sampling" and e.get("relative") is None)
        if large or unknown:
            kind = next(e["kind"] for e in errors if e.get("kind") != "exact")
            kind = {"completeness": "completeness gap"}.get(kind, f"{kind} error")
            said = (f"exceeds {DEFAULT_WARN_ABOVE:.0%} on {len(large)} of {len(errors)} examples (largest "
                    f"{max(large):.1%})" if large else f"could not be measured on {unknown} of {len(errors)} examples "
                    "(one random draw)")
            warnings.warn(f"{label}: its scores' {kind} {said}, so its row of the table rests on inexact scores. "
                          f"Explain one of them (faithlens explain TEXT --method {label}) for the error and "
                          "its fix: more steps or samples, a --tolerance, or SIG's exact default.", FaithlensWarning,
                          stacklevel=2)
