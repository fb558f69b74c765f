"""faithlens: explain transformer text classifiers word by word and check whether to trust the explanation.

The public names are imported on first use (PEP 562), so ``import faithlens`` and the command
line's ``--version``/``--help`` do not pay for importing torch and transformers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__

# public name -> the submodule that defines it
_LAZY = {
    "Comparison": "comparison",
    "use_device": "device",
    "FaithlensError": "errors",
    "Explainer": "explainer",
    "available_methods": "explainer",
    "explain": "explainer",
    "Explanation": "explanation",
    "Word": "explanation",
    "ClassifierModel": "model",
    "load_model": "model",
}

_ATTRIBUTE = {"load_model": "public_load_model"}  # public name -> its name in the submodule, where they differ

__all__ = sorted([*_LAZY, "__version__"])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .comparison import Comparison
    from .device import use_device
    from .errors import FaithlensError
    from .explainer import Explainer, available_methods, explain
    from .explanation import Explanation, Word
    from .model import ClassifierModel
    from .model import public_load_model as load_model


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'faithlens' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), _ATTRIBUTE.get(name, name))
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
