"""How a value names one of a classifier's classes: a class index, a label name, or an ``index:``/``label:`` prefixed str.

`resolve_target` reads the Python API's ``target=``/``contrast=``, the CLI's ``--target``/``--contrast`` and the
web app's by `faithlens.label_reading.read_class`, the one rule that data files' gold labels follow too. A str that can
be read two ways on the model at hand (a label named ``"1"`` that is class 0; a label literally named ``"index:1"``) is
refused with both readings named, never read one way here and another way there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import FaithlensError, quoted
from .label_reading import Asker, read_class

if TYPE_CHECKING:
    from .model import ClassifierModel
    from .task_inputs import Target


def resolve_target(model: ClassifierModel, target: Target, *, role: str = "target") -> int:
    """The class index a classifier's target names, by `read_class` (the rule every surface shares).

    ``role`` names what the value is in messages: ``"target"`` (``target=``, CLI ``--target``) or ``"contrast"``
    (``contrast=``, CLI ``--contrast``). Raises FaithlensError.
    """
    return resolve_class(model.labels, target, role=role, model=model.name)


def resolve_class(labels, target: Target, *, role: str = "target", model: str | None = None) -> int:
    """`resolve_target` by a classifier's label names alone (``model``: its name, for messages): the web app's
    estimate checks a target this way against a model's config before the model is loaded. Raises FaithlensError."""
    if isinstance(target, bool) or not isinstance(target, (int, str)):
        raise FaithlensError(f"The {role} of a classifier must be a class index or label name ({', '.join(labels)}). "
                             f"Got {type(target).__name__} {quoted(target)}.")
    return read_class(list(labels), target, asker=Asker(role=role, model=model))
