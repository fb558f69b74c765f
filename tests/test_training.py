"""fine_tune on a tiny BERT built in code: a keyword sets the label, so a working loop learns."""

from __future__ import annotations

import json
import re
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSequenceClassification, BertConfig, BertModel, BertTokenizer

from faithlens.errors import FaithlensError
from faithlens.training import MODEL_INFO_FILE, fine_tune, read_model_info

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
KEYWORDS = ["good", "bad"]
FILLER = ["the", "a", "movie", "film", "plot", "was", "is", "very", "quite", "story", "acting"]
LABELS = ["negative", "positive"]


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny models gain nothing from threads, and a busy shared CPU makes them much slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT and its word-level tokenizer saved as a local folder."""
    folder = tmp_path_factory.mktemp("tiny-bert")
    (folder / "vocab.txt").write_text("\n".join(SPECIALS + KEYWORDS + FILLER) + "\n")
    tokenizer = BertTokenizer.from_pretrained(str(folder))
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def keyword_split(n: int, *, seed: int) -> tuple[list[str], list[int]]:
    """Sentences of filler words with 'good' (label 1) or 'bad' (label 0) at a random place."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        words = rng.choices(FILLER, k=rng.randint(3, 8))
        words.insert(rng.randint(0, len(words)), KEYWORDS[1 - label])
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def run(base: Path, out_dir: Path, **overrides: object) -> dict:
    settings = dict(
        base_model=base,
        train=keyword_split(40, seed=1),
        validation=keyword_split(20, seed=2),
        test=keyword_split(20, seed=3),
        out_dir=out_dir,
        label_names=LABELS,
        epochs=3,
        lr=3e-3,
        batch_size=2,
        max_length=32,
        seed=0,
        progress=False,
        extra_info={"dataset": {"name": "keywords", "split_seed": 1}},
    )
    settings.update(overrides)
    return fine_tune(**settings)


@pytest.fixture(scope="module")
def trained(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out_dir = tmp_path_factory.mktemp("runs") / "tiny-classifier"
    return out_dir, run(tiny_base, out_dir)


def test_learns_a_separable_task(trained: tuple[Path, dict]) -> None:
    _, record = trained
    assert record["metrics"]["validation_accuracy"] >= 0.9
    assert record["metrics"]["test_accuracy"] >= 0.9


def test_record_has_provenance(trained: tuple[Path, dict]) -> None:
    out_dir, record = trained
    on_disk = json.loads((out_dir / MODEL_INFO_FILE).read_text())
    assert on_disk == record == read_model_info(out_dir)
    assert record["labels"] == LABELS
    assert record["test_accuracy"] == record["metrics"]["test_accuracy"]
    assert record["split_sizes"] == {"train": 40, "validation": 20, "test": 20}
    assert record["inputs"] == "texts"  # single texts: explain notes a pair given to this model
    assert record["dataset"] == {"name": "keywords", "split_seed": 1}
    training = record["training"]
    assert (training["epochs"], training["lr"], training["seed"]) == (3, 3e-3, 0)
    assert training["steps"] == 60  # 3 epochs x ceil(40 / 2) batches
    assert set(record["versions"]) >= {"faithlens", "torch", "transformers"}
    assert record["versions"]["torch"] == torch.__version__
    assert record["seconds"] >= 0


def test_saved_folder_reloads_as_a_classifier(trained: tuple[Path, dict]) -> None:
    out_dir, record = trained
    leftovers = [p.name for p in out_dir.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    model = AutoModelForSequenceClassification.from_pretrained(out_dir)
    assert model.config.id2label == {0: "negative", 1: "positive"}
    tokenizer = BertTokenizer.from_pretrained(str(out_dir))
    batch = tokenizer(["the movie was good", "the movie was bad"], return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits  # (2, 2)
    assert logits.argmax(dim=-1).tolist() == [1, 0]


def test_same_seed_same_model(tiny_base: Path, tmp_path: Path) -> None:
    first = run(tiny_base, tmp_path / "a", epochs=1)
    second = run(tiny_base, tmp_path / "b", epochs=1)
    assert first["metrics"] == second["metrics"]
    weights = [
        AutoModelForSequenceClassification.from_pretrained(tmp_path / name).classifier.weight
        for name in ("a", "b")
    ]
    torch.testing.assert_close(weights[0], weights[1], rtol=0, atol=0)


def test_refuses_to_overwrite_without_permission(
    trained: tuple[Path, dict], tiny_base: Path
) -> None:
    out_dir, _ = trained
    with pytest.raises(FaithlensError, match="overwrite=True"):
        run(tiny_base, out_dir)


def test_empty_test_split_gives_no_accuracy(tiny_base: Path, tmp_path: Path) -> None:
    record = run(tiny_base, tmp_path / "m", epochs=1, test=([], []))
    assert record["metrics"]["test_accuracy"] is None
    assert record["split_sizes"]["test"] == 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"train": (["a good movie"], [2])}, "labels in 0..1"),
        ({"train": (["a good movie"], [1, 0])}, "one label per text"),
        ({"train": ([], [])}, "at least one example"),
        ({"epochs": 0}, "'epochs' parameter of fine_tune must be a positive int"),
        ({"label_names": ["only"]}, "at least two distinct names"),
        ({"extra_info": {"metrics": 1}}, "must not use the keys"),
    ],
)
def test_bad_input_is_explained(
    tiny_base: Path, tmp_path: Path, override: dict, message: str
) -> None:
    with pytest.raises(FaithlensError, match=message):
        run(tiny_base, tmp_path / "m", **override)
    assert not (tmp_path / "m").exists()


def test_cli_train_on_labelled_files(tiny_base: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """`faithlens train`: TSV in, seeded subset, a folder that `load_model` explains, the metrics printed."""
    from faithlens import Explainer
    from faithlens.cli import main
    from faithlens.model import load_model

    def tsv(name: str, n: int, seed: int) -> str:
        texts, labels = keyword_split(n, seed=seed)
        path = tmp_path / name
        path.write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in zip(texts, labels)))
        return str(path)

    out = tmp_path / "model"
    argv = ["train", "--base", str(tiny_base), "--train", tsv("train.tsv", 60, 1), "--subset", "40",
            "--validation", tsv("dev.tsv", 20, 2), "--test", tsv("test.tsv", 20, 3), "--out", str(out),
            "--epochs", "6", "--lr", "3e-3", "--batch-size", "2", "--max-length", "32"]
    assert main(argv) == 0
    said = capsys.readouterr()
    printed = json.loads(said.out)
    # the expected duration is said before the run goes on: measured seconds per batch × the 120 batches
    assert "faithlens: 120 batch(es) to train" in said.err
    per_batch = re.search(r"faithlens: ([0-9.]+) s per batch × 116 batch\(es\) left: about .+ more \(expected total", said.err)
    assert per_batch and float(per_batch.group(1)) > 0
    assert printed["metrics"]["test_accuracy"] >= 0.9
    info = read_model_info(out)
    assert info["dataset"]["subset"] == "seeded subset (seed 0) of 40 of 60 examples"
    assert info["metrics"] == printed["metrics"]
    e = Explainer(load_model(out)).explain(f"{KEYWORDS[0]} {FILLER[0]}", "sig", mode="closed")
    assert e.prediction["label"] in LABELS and len(e.words) == 2
    assert main(argv) == 2  # the folder exists now: refused without --overwrite


def interrupt_after(monkeypatch, steps: int) -> None:
    """Make the training loop raise KeyboardInterrupt when it starts step `steps` + 1."""
    import faithlens.training_loop as training

    original, calls = training._step, []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) > steps:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(training, "_step", dying)


def test_interrupted_training_resumes_to_the_same_model(tiny_base: Path, tmp_path: Path) -> None:
    """Killed after 7 of 40 steps (checkpoints every 3), the rerun continues and ends where a clean run ends."""
    clean = run(tiny_base, tmp_path / "clean", epochs=2, checkpoint_every=3)
    out, checkpoint = tmp_path / "resumed", tmp_path / ".resumed.checkpoint.pt"
    with pytest.MonkeyPatch.context() as mp:
        interrupt_after(mp, 7)
        with pytest.raises(KeyboardInterrupt):
            run(tiny_base, out, epochs=2, checkpoint_every=3)
    assert checkpoint.exists() and not out.exists()
    assert torch.load(checkpoint, weights_only=False)["step"] == 6
    resumed = run(tiny_base, out, epochs=2, checkpoint_every=3)
    assert not checkpoint.exists()  # removed once the model is saved
    assert resumed["metrics"] == clean["metrics"]
    a = AutoModelForSequenceClassification.from_pretrained(tmp_path / "clean").state_dict()
    b = AutoModelForSequenceClassification.from_pretrained(out).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_checkpoint_of_other_settings_or_data_is_refused(tiny_base: Path, tmp_path: Path) -> None:
    """An interrupted run rerun with another lr, or other data, is refused naming which (as evaluate's resume refuses
    other data); overwrite=True starts over."""
    with pytest.MonkeyPatch.context() as mp:
        interrupt_after(mp, 4)
        with pytest.raises(KeyboardInterrupt):
            run(tiny_base, tmp_path / "m", checkpoint_every=2)
    with pytest.raises(FaithlensError, match=r"interrupted run .*at step 4\) with other settings \('lr' setting was "
                                             r"0.003, now 0.001\).*Rerun with the same options.*overwrite=True"):
        run(tiny_base, tmp_path / "m", lr=1e-3, checkpoint_every=2)
    with pytest.raises(FaithlensError, match=r"with other data \(the texts"):
        run(tiny_base, tmp_path / "m", train=keyword_split(40, seed=9), checkpoint_every=2)
    record = run(tiny_base, tmp_path / "m", lr=1e-3, checkpoint_every=2, overwrite=True)  # start over
    assert not (tmp_path / ".m.checkpoint.pt").exists() and not (tmp_path / ".m.checkpoint.pt.other").exists()
    assert record["training"]["lr"] == 1e-3 and record["training"]["steps"] == 60
