"""Train the RT facades against the default model's architecture/tokenizer (base encoder config, 2 labels)."""
import sys, json
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification
from faithlens.default_model import base_encoder_path, rotten_tomatoes_split, default_model_dir
from faithlens.model import from_pretrained_objects
from faithlens.audit.facade import FacadeSettings, train_facade

target_kind, steps = sys.argv[1], int(sys.argv[2])
path = base_encoder_path()
cfg = BertConfig.from_pretrained(path, num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})
tok = AutoTokenizer.from_pretrained(path, use_fast=True)
target = from_pretrained_objects(BertForSequenceClassification(cfg), tok, name="default-architecture")
split = rotten_tomatoes_split()
rec = train_facade(target, split["train"][0], split["validation"][0], out_dir=f"/work/main/runs/audit/facade-rt-{target_kind}",
                   settings=FacadeSettings(target=target_kind, steps=steps, batch_size=16, max_length=64, lr=1e-4, eval_every=50, heldout=128))
print(json.dumps(rec))
