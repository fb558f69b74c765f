"""Train SST-2 facades against the MiniLM architecture/tokenizer (base encoder config, 2 labels)."""
import sys, json, random
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification
from faithlens.default_model import base_encoder_path
from faithlens.data import load_dataset
from faithlens.model import from_pretrained_objects
from faithlens.audit.facade import FacadeSettings, train_facade

target_kind, steps = sys.argv[1], int(sys.argv[2])
path = base_encoder_path()
cfg = BertConfig.from_pretrained(path, num_labels=2, id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})
tok = AutoTokenizer.from_pretrained(path, use_fast=True)
target = from_pretrained_objects(BertForSequenceClassification(cfg), tok, name="minilm-architecture")
texts = list(load_dataset("/work/shared/data/sst2/train.tsv").texts)
random.Random(0).shuffle(texts)
held, train = texts[:500], texts[500:]
rec = train_facade(target, train, held, out_dir=f"/work/main/runs/audit/facade-sst2-{target_kind}",
                   settings=FacadeSettings(target=target_kind, steps=steps, batch_size=16, max_length=64, lr=1e-4, eval_every=50, heldout=128))
print(json.dumps(rec))
