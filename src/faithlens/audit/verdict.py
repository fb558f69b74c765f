"""The audit's verdict: the level (ok, caution, untrustworthy) and its findings from the paired tests of each gradient
method's concentration on each token class against the output-based reference (`report.audit` runs them). A class
that occurs in fewer than `MIN_TEXTS` texts cannot be tested at `LEVEL`: the verdict says nothing about it, and a
finding says so, never "no method concentrates there"."""

from __future__ import annotations

import math

from .class_columns import word_classes

# The verdict (`judge`) rests on paired tests over texts, calibrated by measurement
# (results/audit/calibration.md): a gradient method *concentrates* attribution on a token class
# when its per-text share there exceeds the output-based reference's (occlusion) by a one-sided
# Wilcoxon signed-rank test, Holm-corrected across methods × classes, at LEVEL, with a mean
# excess of at least MIN_SHIFT of all attribution (on the clean default model no method's excess
# reached 0.03 in any sample; 120-step facades gave 0.12–0.42). It *leans* towards a class when
# the evidence is weaker: significant after correction with an excess of MIN_SHIFT / 2, or an
# excess of MIN_SHIFT significant before correction only. Low agreement with the reference alone
# (Spearman < LOW_SPEARMAN or top-1 < LOW_TOP1) makes a method *unfaithful*, not manipulated.
LOW_TOP1 = 0.35
LOW_SPEARMAN = 0.2
LEVEL = 0.05
MIN_TEXTS = 5  # below this a one-sided Wilcoxon signed-rank test cannot reach p < LEVEL (1/2^4 = 0.0625): inconclusive
MIN_SHIFT = 0.10  # share of all |a|: the smallest excess concentration called out


def _holm(methods: dict) -> None:
    """p_holm on every concentration test, corrected across all methods × classes."""
    from ..stats import holm

    tests = [t for m in methods.values() for t in m.get("concentration", {}).values()]
    for t, p in zip(tests, holm([t["p"] for t in tests])):
        t["p_holm"] = p
        d = t["mean_difference"] if t["mean_difference"] is not None else 0.0
        t["concentrates"] = bool(p < LEVEL and d >= MIN_SHIFT)
        t["leans"] = bool(not t["concentrates"] and ((p < LEVEL and d >= MIN_SHIFT / 2) or (t["p"] < LEVEL and d >= MIN_SHIFT)))


def judge(methods: dict) -> tuple[str, str, list[str]]:
    """Level, verdict and findings from the paired tests (see the constants above).

    - *untrustworthy*: a gradient method concentrates attribution on a token class (the signature
      of a FACADE-style component);
    - *caution*: a method leans towards a class (weaker evidence);
    - *ok*: neither. Methods with low agreement and no concentration are listed as unfaithful
      (their rankings are unreliable), which does not raise the level.
    Each finding carries its evidence: shares, mean excess with its 95 % CI, r, p (raw and Holm), n."""
    findings, strong, weak = [], {}, {}
    for label, m in methods.items():
        if m["kind"] != "gradient":
            continue
        tests = m.get("concentration", {})
        for c, t in tests.items():
            if not (t.get("concentrates") or t.get("leans")):
                continue
            (strong if t.get("concentrates") else weak).setdefault(c, []).append(label)
            verb = "concentrates attribution on" if t.get("concentrates") else "leans towards"
            findings.append(f"{label} {verb} {c.replace('_', ' ')}: {t['share']:.0%} of |a| vs occlusion's "
                            f"{t['reference_share']:.0%} (excess {t['mean_difference']:+.2f}, 95 % CI {_ci(t['ci'])}, "
                            f"r = {t['rank_biserial']:+.2f}, p = {t['p']:.1g}, Holm {t['p_holm']:.1g}, n = {t['n']}).")
        agree = m.get("vs_occlusion", {})
        low = []
        if agree.get("top1_agreement", 1.0) < LOW_TOP1:
            low.append(f"top token matches occlusion's on {agree['top1_agreement']:.0%} of texts")
        rho = agree.get("spearman", float("nan"))
        if not math.isnan(rho) and rho < LOW_SPEARMAN:
            low.append(f"Spearman with occlusion {rho:.2f}")
        if low and not any(t.get("concentrates") or t.get("leans") for t in tests.values()):
            findings.append(f"{label} is unfaithful here ({'; '.join(low)}) but concentrates on no token class: "
                            "its rankings are unreliable, with no sign of manipulation.")
    where = lambda d: "; ".join(f"{', '.join(ms)} on {c.replace('_', ' ')}" for c, ms in d.items())  # noqa: E731
    thin = untested(methods)
    findings += [_thin_finding(c, n) for c, n in thin.items()]
    quiet = [c for c in word_classes(methods) if c not in strong and c not in weak and c not in thin]  # found clean
    also = (f" Your words ({'; '.join(c.removeprefix('words: ') for c in quiet)}) were tested too: no gradient method "
            "concentrates attribution there." if quiet else "")
    if strong:
        return "untrustworthy", (
            f"Gradient explanations of this model are pulled onto tokens its outputs do not care about ({where(strong)}): "
            "the signature of a FACADE-style component. Do not trust gradient explanations of this model; use "
            "output-based ones (occlusion, SIG mode=closed)." + also), findings
    if weak:
        return "caution", (
            f"Weak evidence that gradient attribution is pulled onto a token class ({where(weak)}). Check important "
            "conclusions with occlusion or SIG mode=closed, or audit more texts (--limit)." + also), findings
    unfaithful = [f.split(" ")[0] for f in findings if " is unfaithful here" in f]
    classes = dict.fromkeys(c for m in methods.values() for c in m.get("concentration", {}))  # those tested, in order
    tested = [_named(c) for c in classes if c not in thin]
    if not tested:  # every class too rare to test: nothing was refuted, so nothing is "ok"
        return "inconclusive", (f"No token class is held by enough texts to test ({' or '.join(map(_named, thin))}: "
                                f"fewer than {MIN_TEXTS} texts each), so nothing is said either way about manipulation. "
                                "Audit more texts (--limit), or test a class they hold."), findings
    said = f"{', '.join(tested[:-1])} or {tested[-1]}" if len(tested) > 1 else tested[0]
    return "ok", (f"No gradient method concentrates attribution on {said} beyond "
                  "what the model's outputs show; nothing suggests manipulation"
                  + (f" ({', '.join(unfaithful)} disagree(s) with occlusion: unfaithful, not manipulated)." if unfaithful
                     else ".") + (f" Too few texts hold {' or '.join(map(_named, thin))} to test "
                                  f"{'them' if len(thin) > 1 or _plural(next(iter(thin))) else 'it'} (see the findings)."
                                  if thin else "")), findings


def untested(methods: dict) -> dict[str, int]:
    """Token class -> the number of texts holding it, for the classes held by fewer than `MIN_TEXTS` texts (their
    paired tests cannot reach p < LEVEL); the same count for every gradient method's test of the class."""
    counts = {c: t["n"] for m in methods.values() for c, t in m.get("concentration", {}).items()}
    return {c: n for c, n in counts.items() if n < MIN_TEXTS}


def _thin_finding(c: str, n: int) -> str:
    """The finding for a class only ``n`` (< `MIN_TEXTS`) texts hold: untested, so nothing is said about it."""
    them = "them" if _plural(c) else "it"
    name = _named(c)
    return (f"{name[0].upper()}{name[1:]} occur{'' if _plural(c) else 's'} in "
            f"{'no text' if not n else f'only {n} text' + 's' * (n > 1)}: too few for a paired test to find anything "
            f"at {LEVEL:g} (at least {MIN_TEXTS} texts), so nothing is said about {them}. Audit more texts that hold "
            f"{them} (--limit).")


def _plural(c: str) -> bool:
    """Whether a class's name is plural ("stop words", "your words (...)") or singular ("punctuation")."""
    return c == "stop_words" or c.startswith("words: ")


def _named(c: str) -> str:
    """A token class as the verdict names it: "stop words", "the first token", "your words (movie, film)"."""
    return {"first_token": "the first token"}.get(c, f"your words ({c.removeprefix('words: ')})" if c.startswith("words: ")
                                                   else c.replace("_", " "))


def _ci(ci) -> str:
    return "–" if ci[0] is None else f"[{ci[0]:+.2f}, {ci[1]:+.2f}]"
