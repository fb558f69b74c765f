"""Causal models: SIG with the unmoved prefix shared through a key/value cache, vs without.

Run: OMP_NUM_THREADS=1 python bench/causal_prefix.py   (a random 6-layer, 384-wide GPT-2 classifier
on a 66-word text; no download needed). Prints CPU seconds with and without prefix sharing, switched
through the public threshold table `faithlens.batching.PREFIX_SHARING_MIN_TOKENS` (0: always share; a
huge value: never). `bench/prefix_threshold.py` measures where the threshold should sit on SmolLM2.
"""

import tempfile
import time
from pathlib import Path

import torch
import transformers as tf
from tokenizers import ByteLevelBPETokenizer

from faithlens import Explainer
from faithlens.batching import PREFIX_SHARING_MIN_TOKENS
from faithlens.model import from_pretrained_objects

TEXT = " ".join(["the film was goodish and fun but a boring plot"] * 6)


def tokenizer() -> tf.GPT2TokenizerFast:
    """A byte-level BPE tokenizer trained on the bench text (GPT-2's kind, built offline)."""
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([TEXT] * 20, vocab_size=300, min_frequency=1,
                            special_tokens=["<pad>", "<unk>", "<s>", "</s>"])
    folder = Path(tempfile.mkdtemp(prefix="faithlens-bench-bpe-"))
    bpe.save_model(str(folder))
    return tf.GPT2TokenizerFast(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"),
                                unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>")


def main() -> None:
    torch.set_num_threads(1)
    tok = tokenizer()
    torch.manual_seed(0)
    cfg = tf.GPT2Config(vocab_size=len(tok), n_embd=384, n_layer=6, n_head=6, n_positions=256,
                        pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                        eos_token_id=tok.eos_token_id, num_labels=2)
    ex = Explainer(from_pretrained_objects(tf.GPT2ForSequenceClassification(cfg), tok, name="gpt2-6x384"))
    print("tokens", len(tok(TEXT)["input_ids"]))
    saved = dict(PREFIX_SHARING_MIN_TOKENS)

    def run(share: bool, **kw):
        PREFIX_SHARING_MIN_TOKENS["gpt2"] = 0 if share else 10**9
        t0 = time.process_time()
        e = ex.explain(TEXT, "sig", unit="token", **kw)
        return time.process_time() - t0, e

    try:
        for kw in ({"steps": 8}, {"mode": "closed"}):
            a, ea = run(True, **kw)
            b, eb = run(False, **kw)
            d = max(abs(x - y) for x, y in zip(ea.token_scores, eb.token_scores))
            print(kw, "shared %.2f s  full %.2f s  ratio %.2f  max diff %.1e" % (a, b, b / a, d))
    finally:
        PREFIX_SHARING_MIN_TOKENS.clear()
        PREFIX_SHARING_MIN_TOKENS.update(saved)


if __name__ == "__main__":
    main()
