"""Causal models: SIG with the unmoved prefix shared through a key/value cache, vs without.

Run: OMP_NUM_THREADS=1 python bench/causal_prefix.py   (a random 6-layer, 384-wide GPT-2 classifier
on a 137-token text; no download needed). Prints CPU seconds with and without prefix sharing.
"""
import sys, time, statistics, torch
sys.path.insert(0, "tests")
torch.set_num_threads(1)
import transformers as tf
from tiny import gpt2_tokenizer
from faithlens import Explainer
from faithlens.model import from_pretrained_objects
from faithlens.batching import Batch
tok = gpt2_tokenizer()
torch.manual_seed(0)
cfg = tf.GPT2Config(vocab_size=len(tok), n_embd=384, n_layer=6, n_head=6, n_positions=256, pad_token_id=tok.pad_token_id, num_labels=2)
m = from_pretrained_objects(tf.GPT2ForSequenceClassification(cfg), tok, name="gpt2-6x384")
ex = Explainer(m)
text = " ".join(["the film was goodish and fun but a boring plot"] * 6)
print("tokens", len(tok(text)["input_ids"]))
orig = Batch._shared_prefix
def run(share, **kw):
    Batch._shared_prefix = orig if share else (lambda self, b, c, cols: 0)
    ts = []
    for _ in range(1):
        t0 = time.process_time(); e = ex.explain(text, "sig", **kw); ts.append(time.process_time() - t0)
    return statistics.median(ts), e
for kw in ({"steps": 8}, {"mode": "closed"}):
    a, ea = run(True, **kw); b, eb = run(False, **kw)
    d = max(abs(x - y) for x, y in zip(ea.token_scores, eb.token_scores))
    print(kw, "shared %.2f s  full %.2f s  ratio %.2f  max diff %.1e" % (a, b, b / a, d))
