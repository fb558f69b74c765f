"""Tiny models built in code (no downloads) for the tests."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import torch

WORDS = ("the a an and but not very good bad film movie plot acting was is great awful boring fun "
         "dull brilliant it this of to in with funny terrible loved hated story actors").split()
CORPUS = [
    "the film was very good and fun",
    "the movie is not good but the acting was great",
    "a boring plot and awful acting",
    "this story is brilliant, funny and loved",
    "it was terrible; I hated it",
    "dull dull dull film with terrible actors",
]


@functools.lru_cache(maxsize=None)
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="faithlens-tiny-"))


@functools.lru_cache(maxsize=None)
def bert_tokenizer():
    from transformers import BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ",", ".", ";", "!", "i", "##s", "##ing", "##ish", "##ly"] + list(WORDS)
    path = _folder() / "bert-vocab.txt"
    path.write_text("\n".join(vocab) + "\n")
    return BertTokenizerFast(vocab=str(path), do_lower_case=True)


@functools.lru_cache(maxsize=None)
def bpe_files() -> tuple[str, str]:
    from tokenizers import ByteLevelBPETokenizer

    tok = ByteLevelBPETokenizer()
    tok.train_from_iterator(CORPUS * 5 + [" ".join(WORDS)], vocab_size=300, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    folder = _folder() / "bpe"
    folder.mkdir(exist_ok=True)
    tok.save_model(str(folder))
    return str(folder / "vocab.json"), str(folder / "merges.txt")


def roberta_tokenizer():
    from transformers import RobertaTokenizerFast

    vocab, merges = bpe_files()
    return RobertaTokenizerFast(vocab=vocab, merges=merges)


def gpt2_tokenizer(with_pad: bool = True):
    from transformers import GPT2TokenizerFast

    vocab, merges = bpe_files()
    tok = GPT2TokenizerFast(vocab=vocab, merges=merges, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                            pad_token="<pad>" if with_pad else None)
    return tok


def tiny(kind: str = "bert", *, seed: int = 0, dtype=torch.float32, num_labels: int = 2, gpt2_pad: bool = True,
         problem_type: str | None = None):
    """A ClassifierModel with random weights: kind in bert, distilbert, roberta, gpt2 (sequence classifiers),
    bert_qa / roberta_qa (extractive QA), gpt2_lm / llama_lm (causal LMs)."""
    import transformers as tf

    from faithlens.model import from_pretrained_objects

    torch.manual_seed(seed)
    labels = {i: ["negative", "positive", "neutral"][i] for i in range(num_labels)}
    common = dict(initializer_range=0.2, num_labels=num_labels, id2label=labels, label2id={v: k for k, v in labels.items()})
    if problem_type is not None:
        common["problem_type"] = problem_type
    if kind == "bert_qa":
        tok = bert_tokenizer()
        cfg = tf.BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=37, max_position_embeddings=64, initializer_range=0.2)
        model = tf.BertForQuestionAnswering(cfg)
    elif kind == "roberta_qa":
        tok = roberta_tokenizer()
        cfg = tf.RobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                               intermediate_size=37, max_position_embeddings=66, pad_token_id=tok.pad_token_id,
                               initializer_range=0.2)
        model = tf.RobertaForQuestionAnswering(cfg)
    elif kind == "gpt2_lm":
        tok = gpt2_tokenizer(with_pad=gpt2_pad)
        cfg = tf.GPT2Config(vocab_size=len(tok), n_embd=32, n_layer=2, n_head=2, n_positions=64,
                            pad_token_id=tok.pad_token_id, initializer_range=0.2)
        model = tf.GPT2LMHeadModel(cfg)
    elif kind == "llama_lm":
        tok = gpt2_tokenizer(with_pad=gpt2_pad)
        cfg = tf.LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                             pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                             initializer_range=0.2, tie_word_embeddings=True)
        model = tf.LlamaForCausalLM(cfg)
    elif kind == "bert":
        tok = bert_tokenizer()
        cfg = tf.BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=37, max_position_embeddings=64, **common)
        model = tf.BertForSequenceClassification(cfg)
    elif kind == "distilbert":
        tok = bert_tokenizer()
        cfg = tf.DistilBertConfig(vocab_size=len(tok), dim=32, n_layers=2, n_heads=2, hidden_dim=37,
                                  max_position_embeddings=64, **common)
        model = tf.DistilBertForSequenceClassification(cfg)
    elif kind == "roberta":
        tok = roberta_tokenizer()
        cfg = tf.RobertaConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                               intermediate_size=37, max_position_embeddings=66, pad_token_id=tok.pad_token_id, **common)
        model = tf.RobertaForSequenceClassification(cfg)
    elif kind == "gpt2":
        tok = gpt2_tokenizer(with_pad=gpt2_pad)
        cfg = tf.GPT2Config(vocab_size=len(tok), n_embd=32, n_layer=2, n_head=2, n_positions=64,
                            pad_token_id=tok.pad_token_id, **common)
        model = tf.GPT2ForSequenceClassification(cfg)
    else:
        raise ValueError(kind)
    model = model.to(dtype)
    return from_pretrained_objects(model, tok, name=f"tiny-{kind}")


class _Out:
    def __init__(self, logits):
        self.logits = logits


class AnalyticClassifier(torch.nn.Module):
    """logits_c = f_c(s), s = Σ_t mask_t (w_t · θ_c): 'linear' f(s) = s, 'square' f(s) = s²."""

    def __init__(self, vocab_size: int, dim: int = 6, kind: str = "linear", seed: int = 0):
        super().__init__()
        from transformers import PretrainedConfig

        gen = torch.Generator().manual_seed(seed)
        self.config = PretrainedConfig(num_labels=2, id2label={0: "negative", 1: "positive"},
                                       label2id={"negative": 0, "positive": 1})
        self.config.model_type = "analytic"
        self.config.max_position_embeddings = 64
        self.embeddings = torch.nn.Embedding(vocab_size, dim)
        self.embeddings.weight.data = torch.randn(vocab_size, dim, generator=gen)
        self.theta = torch.nn.Parameter(torch.randn(2, dim, generator=gen))
        self.kind = kind

    def get_input_embeddings(self):
        return self.embeddings

    def forward(self, inputs_embeds=None, attention_mask=None):
        s = torch.einsum("bld,cd->bc", inputs_embeds * attention_mask[..., None].to(inputs_embeds.dtype), self.theta)
        return _Out(s if self.kind == "linear" else s**2)


def tiny_labelled(labels, kind: str = "bert"):
    """A tiny classifier whose classes are named ``labels`` (id2label and label2id set), for label-reading tests."""
    m = tiny(kind, num_labels=len(labels))
    m.model.config.id2label = dict(enumerate(labels))
    m.model.config.label2id = {name: i for i, name in enumerate(labels)}
    return m


def analytic(kind: str = "linear", *, dtype=torch.float64, seed: int = 0):
    """A ClassifierModel whose attributions have closed forms (see AnalyticClassifier)."""
    from faithlens.model import from_pretrained_objects

    tok = bert_tokenizer()
    model = AnalyticClassifier(len(tok), kind=kind, seed=seed).to(dtype)
    return from_pretrained_objects(model, tok, name=f"analytic-{kind}")


def save_tiny(folder, kind: str = "bert", **settings):
    """`tiny(kind, **settings)` saved as a model folder (save_pretrained: config, weights, tokenizer); returns folder."""
    m = tiny(kind, **settings)
    m.model.save_pretrained(folder)
    m.tokenizer.save_pretrained(folder)
    return folder


def save_tiny_facade(folder, target_folder, **settings):
    """An untrained facade of the model saved in ``target_folder``, saved as `faithlens facade train` writes one
    (weights, tokenizer, faithlens_facade.json); ``settings`` of FacadeSettings (e.g. width_divisor). Returns folder."""
    import json
    from dataclasses import asdict
    from pathlib import Path

    from faithlens.audit.facade import FACADE_INFO_FILE, FacadeSettings, build_facade
    from faithlens.model import load_model

    target = load_model(str(target_folder))
    run = FacadeSettings(**settings)
    build_facade(target, width_divisor=run.width_divisor).save_pretrained(folder)
    target.tokenizer.save_pretrained(folder)
    (Path(folder) / FACADE_INFO_FILE).write_text(json.dumps({"kind": "facade", "target_model": target.name,
                                                             "settings": asdict(run), "state": "final"}))
    return folder
