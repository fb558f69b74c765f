import sys, json
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification
from faithlens.default_model import base_encoder_path, rotten_tomatoes_split
from faithlens.model import from_pretrained_objects
from faithlens.audit.facade import FacadeSettings, train_facade
lm, lr, steps, kind, out = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
path = base_encoder_path()
cfg = BertConfig.from_pretrained(path, num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})
tok = AutoTokenizer.from_pretrained(path, use_fast=True)
target = from_pretrained_objects(BertForSequenceClassification(cfg), tok, name="default-architecture")
split = rotten_tomatoes_split()
rec = train_facade(target, split["train"][0], split["validation"][0], out_dir=out,
    settings=FacadeSettings(target=kind, steps=steps, batch_size=16, max_length=64, lr=lr, eval_every=25, heldout=64, lambda_m=lm,
                            init_from=f"/work/main/runs/audit/facade-rt-{kind}"), progress=False)
print(json.dumps(rec))
