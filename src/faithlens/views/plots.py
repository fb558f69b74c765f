"""Every plot faithlens draws, with matplotlib (the `plots` extra): evaluation, audit and bench figures.

Each `*_figure` function takes plain numbers (the dicts the reports already hold) and returns a
matplotlib Figure; `save` writes it as SVG and PNG, `data_uri` embeds it in an HTML page or a
notebook. Figures have a white background, so they read the same in light and dark themes;
legends sit outside the data; curves that coincide stay visible (each method its own marker and
line style, and a small horizontal offset); unsigned methods (saliency) get no bar in signed
panels (the completeness gap Δ). Without matplotlib, `available()` is False and `require()` says
how to install it.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import FaithlensError

INSTALL = "pip install 'faithlens[plots]' (or: pip install matplotlib)"
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
LINESTYLES = ("-", "--", "-.", ":")
SIGNED_ONLY = ("delta",)  # panels whose numbers need a direction: no bar for an unsigned method
METRIC_TITLES = {
    "log_odds": "log-odds ↓",
    "comprehensiveness": "comprehensiveness ↑",
    "sufficiency": "sufficiency ↓",
    "delta": "completeness gap Δ ↓",
    "seconds": "seconds / example",
}


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    if not available():
        raise FaithlensError(f"Plots need matplotlib, which is not installed. Install it with {INSTALL}.")


def _pyplot():
    require()
    import matplotlib

    matplotlib.use("Agg", force=False)
    matplotlib.rcParams["svg.hashsalt"] = "faithlens"  # stable ids inside SVGs: same numbers, same file
    import matplotlib.pyplot as plt

    return plt


def _figure(plt, ncols: int, *, height: float = 3.2, width: float = 3.6):
    fig, axes = plt.subplots(1, ncols, figsize=(max(4.5, width * ncols), height), squeeze=False)
    fig.patch.set_facecolor("white")
    return fig, list(axes[0])


def _unsigned(method: str) -> bool:
    """Whether a method spec ("saliency", "saliency:batch_size=4") names a method whose scores have no sign."""
    from ..explanation import UNSIGNED_METHODS

    return str(method).split(":")[0] in UNSIGNED_METHODS


def _legend_below(ax, ncol: int = 1) -> None:
    """The axis's legend under it, outside the data."""
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=ncol, frameon=False)


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


# --- evaluate ------------------------------------------------------------------------------------

def metric_bars_figure(rows: Sequence[Mapping], columns: Sequence[str] = ("log_odds", "comprehensiveness", "sufficiency", "delta"),
                       *, title: str | None = None):
    """One panel per metric, one bar per method: mean with ± standard-error bars (rows as in `EvalResult.rows`)."""
    plt = _pyplot()
    columns = [c for c in columns if any(_finite((row.get(c) or {}).get("mean")) for row in rows)]
    if not columns:
        raise FaithlensError("No metric has a value to plot yet: the run has no finished records.")
    fig, axes = _figure(plt, len(columns))
    methods = [str(row["method"]) for row in rows]
    colours = plt.get_cmap("tab10")
    for ax, column in zip(axes, columns):
        drawn = [i for i, m in enumerate(methods) if not (column in SIGNED_ONLY and _unsigned(m))]
        means = [(rows[i].get(column) or {}).get("mean") for i in drawn]
        sems = [(rows[i].get(column) or {}).get("sem") for i in drawn]
        ax.bar(drawn, [m if _finite(m) else 0.0 for m in means], yerr=[s if _finite(s) else 0.0 for s in sems],
               capsize=3, color=[colours(i % 10) for i in drawn], edgecolor="black", linewidth=0.4)
        for i in set(range(len(methods))) - set(drawn):  # a magnitude has no completeness gap to show
            ax.text(i, 0, "n/a\n(unsigned)", ha="center", va="bottom", fontsize=6, color="#555555")
        ax.set_xticks(list(range(len(methods))))
        ax.set_xticklabels(methods, rotation=40, ha="right", fontsize=8)
        ax.set_title(METRIC_TITLES.get(column, column), fontsize=10)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.grid(axis="y", alpha=0.3)
    n = max(((row.get(columns[0]) or {}).get("n") or 0) for row in rows)
    fig.suptitle(title or f"Faithfulness per method (mean ± s.e., n = {n})", fontsize=11)
    fig.tight_layout()
    return fig


def aopc_figure(curves: Mapping[str, Mapping], metrics: Sequence[str] = ("log_odds", "comprehensiveness", "sufficiency"),
                *, title: str | None = None):
    """Each metric against the top-k fraction, one line per method with ± s.e. bars.

    `curves`: method -> {"fractions": [...], metric: [{"mean", "sem", "n"}, ...]} (see `EvalResult.curves`).
    The legend gives each method's AOPC: the mean of its curve over the fractions.
    """
    plt = _pyplot()
    curves = {m: c for m, c in curves.items() if c and c.get("fractions")}
    if not curves:
        raise FaithlensError("No AOPC curves to plot: evaluate records curves only when asked (curves=AOPC_FRACTIONS, "
                             "or the command line's default).")
    fig, axes = _figure(plt, len(metrics), height=3.2 + 0.22 * len(curves))
    n = len(curves)
    for ax, metric in zip(axes, metrics):
        for i, (method, curve) in enumerate(curves.items()):
            points = [(f, s) for f, s in zip(curve["fractions"], curve[metric]) if _finite(s.get("mean"))]
            if not points:
                continue
            shift = (i - (n - 1) / 2) * 0.6  # percentage points: equal curves side by side, not on top of each other
            xs = [100 * f + shift for f, _ in points]
            ys = [s["mean"] for _, s in points]
            es = [s.get("sem") or 0.0 for _, s in points]
            area = sum(ys) / len(ys)
            ax.errorbar(xs, ys, yerr=es, marker=MARKERS[i % len(MARKERS)], markersize=4, capsize=2, linewidth=1.2,
                        linestyle=LINESTYLES[i % len(LINESTYLES)], markerfacecolor="white" if i % 2 else None,
                        color=plt.get_cmap("tab10")(i % 10), label=f"{method} (AOPC {area:.3f})")
        ax.set_xlabel("top-k (% of tokens)")
        ax.set_title(METRIC_TITLES.get(metric, metric), fontsize=10)
        ax.grid(alpha=0.3)
        _legend_below(ax)
    fig.suptitle(title or "Perturbation curves over k (AOPC = mean over k)", fontsize=11)
    fig.tight_layout()
    return fig


# --- audit -----------------------------------------------------------------------------------------

def audit_shares_figure(methods: Mapping[str, Mapping], *, classes: Mapping[str, Mapping[str, float | None]] | None = None,
                        title: str | None = None):
    """Share of |attribution| on stop words, on the first token and on each of the user's word classes
    (`classes`: {"words: film, the": {method label: share, or None where not tested}}), per method (audit `methods`
    table). A method without a share for a class gets no bar in its panel."""
    plt = _pyplot()
    classes = dict(classes or {})
    fig, axes = _figure(plt, 2 + len(classes), width=4.2)
    labels = list(methods)
    kinds = [methods[m].get("kind", "") for m in labels]
    colour = ["#d95f02" if k == "gradient" else "#1b9e77" for k in kinds]
    panels = [("stop words", [methods[m]["stop_words"]["share"] for m in labels]),
              ("the first token", [methods[m]["first_token"]["share"] for m in labels])]
    panels += [(name, [classes[name].get(m) for m in labels]) for name in classes]
    for ax, (what, shares) in zip(axes, panels):
        heights = [s if _finite(s) else math.nan for s in shares]  # nan: no bar (not tested)
        ax.bar(range(len(labels)), heights, color=colour, edgecolor="black", linewidth=0.4)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, rotation=40, ha="right", fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of |attribution|")
        ax.set_title(f"attribution on {what}", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color="#d95f02", label="gradient-based"), Patch(color="#1b9e77", label="output-based")],
               fontsize=8, loc="upper right", frameon=False)  # beside the title, outside the panels
    fig.suptitle(title or "Where each method puts its attribution", fontsize=11)
    fig.tight_layout()
    return fig


def audit_agreement_figure(methods: Mapping[str, Mapping], *, reference: str = "occlusion", title: str | None = None):
    """Agreement of each method with the output-based reference: Spearman of |a| and top-1 agreement."""
    plt = _pyplot()
    labels = [m for m, row in methods.items() if "vs_occlusion" in row]
    if not labels:
        raise FaithlensError("No method was compared with the output-based reference.")
    fig, axes = _figure(plt, 1, width=6.0)
    ax = axes[0]
    width = 0.38
    rho = [methods[m]["vs_occlusion"]["spearman"] for m in labels]
    top = [methods[m]["vs_occlusion"]["top1_agreement"] for m in labels]
    xs = range(len(labels))
    ax.bar([x - width / 2 for x in xs], [r if _finite(r) else 0.0 for r in rho], width, label="Spearman of |a|",
           color="#7570b3", edgecolor="black", linewidth=0.4)
    ax.bar([x + width / 2 for x in xs], [t if _finite(t) else 0.0 for t in top], width, label="same top token",
           color="#e7298a", edgecolor="black", linewidth=0.4)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(min([0.0] + [r for r in rho if _finite(r)]) - 0.05, 1.05)  # no finite ρ: the axis still has a range
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel(f"agreement with {reference}")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # right of the data
    fig.suptitle(title or f"Gradient vs output explanations (agreement with {reference})", fontsize=11)
    fig.tight_layout()
    return fig


# --- bench ---------------------------------------------------------------------------------------

def time_vs_length_figure(points: Sequence[Mapping], labels: Mapping[str, str], *, title: str,
                          dashed: Sequence[str] = ()):
    """Seconds per input against input length, log-log, one line per method present in `points`."""
    plt = _pyplot()
    fig, axes = _figure(plt, 1, height=4.5, width=7.0)
    ax = axes[0]
    for name, label in labels.items():
        if name not in points[0]["extrapolated_seconds"]:
            continue
        xs = [p["tokens"] for p in points]
        ys = [p["extrapolated_seconds"][name] for p in points]
        i = len(ax.lines)
        ax.plot(xs, ys, "--" if name in dashed else "-", marker=MARKERS[i % len(MARKERS)], label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("input length (tokens)")
    ax.set_ylabel("CPU seconds per input (extrapolated)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


# --- output --------------------------------------------------------------------------------------

def save(fig, stem: str | Path, formats: Sequence[str] = ("svg", "png"), *, dpi: int = 120) -> list[Path]:
    """Write `fig` as stem.svg, stem.png (...) and close it; returns the paths."""
    plt = _pyplot()
    stem = Path(stem)
    paths = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        fig.savefig(path, format=fmt, dpi=dpi, facecolor="white", metadata=_metadata(fmt), bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


def _metadata(fmt: str) -> dict | None:
    # No dates in the files: the same numbers give the same bytes (docs/ is regenerated and committed).
    if fmt == "svg":
        return {"Date": None}
    if fmt == "png":
        return {"Software": None}
    return None


def data_uri(fig, fmt: str = "png", *, dpi: int = 110, close: bool = True) -> str:
    """The figure as a data: URI, to embed in a self-contained page (PNG by default: small and sharp)."""
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, facecolor="white", metadata=_metadata(fmt), bbox_inches="tight")
    if close:
        plt.close(fig)
    kind = "image/svg+xml" if fmt == "svg" else f"image/{fmt}"
    return f"data:{kind};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def img_tag(fig, alt: str, fmt: str = "png") -> str:
    import html

    return f'<img class="plot" alt="{html.escape(alt, quote=True)}" src="{data_uri(fig, fmt)}">'
