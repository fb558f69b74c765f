"""The names the command line offers, kept free of torch so that `--help` and `--version` start fast.

Each tuple mirrors a registry that lives next to its code (and imports torch): the methods in
`methods.METHODS`, the quadrature rules in `quadrature.RULES`, ... `tests/test_cli_startup.py`
checks that every tuple here equals its registry, so a method added there and not here fails a
test instead of silently missing from the help.
"""

from __future__ import annotations

METHODS = ("sig", "ig", "grad_x_input", "saliency", "smoothgrad", "deeplift", "gradient_shap", "occlusion",
           "shapley", "kernel_shap", "lime", "partition", "random", "dig", "dig_maxcount")  # methods.METHODS
RULES = ("gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "leja", "patterson",
         "clenshaw_curtis")  # quadrature.RULES
NESTED_RULES = ("leja", "patterson", "clenshaw_curtis")  # quadrature.NESTED_RULES (error-controlled steps)
ADAPTIVE_METHODS = ("sig", "ig")  # explainer.ADAPTIVE_METHODS: take tolerance= / --steps auto
BASELINES = ("mask", "pad", "eos", "zero", "unk")  # baselines.BASELINES
SCORES = ("logit", "max_logit", "prob", "log_prob")  # scores.SCORES
SIG_MODES = ("reverse", "forward", "closed", "auto")  # methods.sig.MODES
UNITS = ("token", "word")
# One set of defaults for the Python API, the CLI, the web app and evaluate:
DEFAULT_UNIT = "word"  # SIG and occlusion move whole words: a word's score is F(w) − F(w with the word at the baseline)
DEFAULT_MODE = "auto"  # SIG: the exact closed form, unless per-feature attributions, steps or a tolerance ask for a path
DEFAULT_METHODS = ("sig", "ig", "grad_x_input")  # the CLI's --method, the web form and compare(): exact, path, single point
DEFAULT_WARN_ABOVE = 0.01  # an explanation whose measured relative error exceeds this carries a warning
PROTOCOLS = ("standard", "reference")  # metrics.PROTOCOLS
DEFAULT_TOPK = 0.2  # metrics.DEFAULT_TOPK
AOPC_FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5)  # metrics.AOPC_FRACTIONS
DEFAULT_TOLERANCE = 7e-4  # methods.adaptive.DEFAULT_TOLERANCE
EVALUATE_DEFAULT_METHODS = ("grad_x_input", "deeplift", "gradient_shap", "ig", "dig", "sig")  # evaluate.DEFAULT_METHODS
DEVICE_MAPS = ("auto", "balanced", "balanced_low_0", "sequential")  # accelerate's placements: distributed, model
