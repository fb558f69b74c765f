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
