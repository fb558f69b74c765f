"""Numbers held by NumPy or torch scalars read as the Python numbers they hold: one rule for every numeric parameter
(explain's settings, a holdout's fraction and seed, a subset's positions), each then checked by its own rule."""

from __future__ import annotations


def as_int(value):
    """An integer scalar (numpy, torch) as a Python int; bools, floats and anything else unchanged."""
    if isinstance(value, (bool, int, str, tuple, list)) or value is None or not hasattr(value, "__index__"):
        return value
    if "bool" in str(getattr(value, "dtype", "")):  # numpy.bool_, a torch bool tensor: a yes/no, never the int 0/1
        return value
    import operator

    try:
        return operator.index(value)
    except TypeError:
        return value


def as_number(value):
    """A real scalar of NumPy or torch (``np.float32(0.1)``, a 0-d float tensor) as the Python float it holds, an
    integer one as its int (`as_int`); bools (also ``numpy.bool_``), strs, NaN and anything else stay as they are, so
    the parameter's own check refuses them. One rule for every numeric parameter (tolerance, warn_above, noise)."""
    import numbers

    value = as_int(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return float(value)
    if type(value).__module__.startswith("torch"):  # torch is imported only where a tensor was passed
        import torch

        if isinstance(value, torch.Tensor) and value.dim() == 0 and value.dtype.is_floating_point:
            return float(value)
    return value


MAX_ROWS_PER_CHUNK = 65_536  # the most rows a caller may ask one forward pass to take (rows_per_chunk=)


def check_int(name: str, value: object, *, low: int, high: int, why: str = "") -> int:
    """An int parameter in [low, high] (an integer scalar of NumPy or torch: the int it holds); a bool, a float or a str
    is refused. Raises FaithlensError naming the parameter, the range and, with ``why``, the reason for the bound."""
    from .errors import FaithlensError

    if not isinstance(value, (bool, int)) and hasattr(value, "__index__") and getattr(value, "ndim", 0) == 0:
        import operator

        value = operator.index(value)  # np.int64(3), a 0-d integer tensor: the int it holds
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaithlensError(f"The '{name}' parameter must be an int. Got {type(value).__name__} {value!r} instead.")
    if not low <= value <= high:
        raise FaithlensError(f"The '{name}' parameter must be an int in [{low}, {high:,}]. Got {value:,} instead."
                             + (f" {why}" if why else ""))
    return value


def check_bool(name: str, value, *, optional: bool = False):
    """A yes/no parameter as a bool: True or False (or a ``numpy.bool_``; None too where ``optional``).

    Anything else is refused: a str in particular, since ``'false'`` and ``'no'`` are true in Python and would turn
    the option on. Raises FaithlensError naming the parameter, what was received and what to pass."""
    import numpy as np

    from .errors import FaithlensError

    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None and optional:
        return None
    hint = (f" A str is always true in Python (even {value!r}); pass the bool True or False." if isinstance(value, str)
            else "")
    raise FaithlensError(f"{name} must be True or False{' (or None)' * optional}. Got {type(value).__name__} "
                         f"{value!r:.60}.{hint}")
