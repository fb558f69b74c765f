"""Imported once by the fork server of test_distributed.py: a model is saved and loaded here, so every
lazily imported part of transformers is in memory and each forked process starts at once."""

import tempfile

import torch.distributed  # noqa: F401
from tiny import tiny

import faithlens.data  # noqa: F401
import faithlens.evaluate  # noqa: F401
from faithlens.model import load_model

with tempfile.TemporaryDirectory() as folder:
    _model = tiny("bert")
    _model.model.save_pretrained(folder)
    _model.tokenizer.save_pretrained(folder)
    load_model(folder)
del _model
