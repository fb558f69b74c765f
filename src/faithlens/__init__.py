"""faithlens: explain transformer text classifiers word by word and check whether to trust the explanation."""

from __future__ import annotations

__version__ = "0.1.0"

from .comparison import Comparison  # noqa: E402
from .device import use_device  # noqa: E402
from .errors import FaithlensError  # noqa: E402
from .explainer import Explainer, available_methods, explain  # noqa: E402
from .explanation import Explanation, Word  # noqa: E402
from .model import ClassifierModel, load_model  # noqa: E402

__all__ = [
    "ClassifierModel",
    "Comparison",
    "Explainer",
    "Explanation",
    "FaithlensError",
    "Word",
    "__version__",
    "available_methods",
    "explain",
    "load_model",
    "use_device",
]
