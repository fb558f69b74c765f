"""Issue 22, twenty-second breaker F6: `facade regularise` on data the model's head cannot read.

`faithlens facade regularise --model <2-class sentiment classifier> --data <SNLI pairs>` died in torch's
cross-entropy (``IndexError: Target 2 is out of bounds``): the gold labels were indexed in sorted order, never read
against the model's label names nor checked against its classes. Now regularise reads them as `evaluate` does
(`dataset.by_model_labels`: a name is the model's class of that name, a name the model lacks is refused) and checks
every index with evaluate's rule (`dataset.check_gold_classes`), before any training, in the CLI and in
`regularise_target` alike.

Pairs given to a single-text classifier follow the rule every facade command shares (`task_inputs.check_data_task`
with ``training``): refused when the model is known to read single texts (its faithlens_model.json says so), and —
as `facade saliency` and evaluate do — not refused when that is unknown (a hub model, a folder without a card: a pair
classifier looks the same). Then faithlens_facade.json records how the data was fed (``inputs``: the kind, what the
target was trained on, how a pair is encoded), for `facade train` and `facade regularise` both.
"""

from __future__ import annotations

import json

import pytest

from tiny import save_tiny, tiny, tiny_labelled

from faithlens.audit.facade import FacadeSettings, regularise_target, train_facade
from faithlens.cli import main
from faithlens.dataset import check_gold_classes
from faithlens.errors import FaithlensError

WORDS = ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"]
SNLI = ["entailment", "neutral", "contradiction"]
TEXTS = [f"a {w} film" for w in WORDS] * 2
PAIRS = [(f"a {w} film", f"it was {w}") for w in WORDS] * 2


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A two-class classifier folder (no card: its training inputs unknown) and data files."""
    root = tmp_path_factory.mktemp("labels-fit")
    save_tiny(root / "cls")
    rows = [{"premise": f"a {w} film", "hypothesis": f"it was {w}", "label": SNLI[i % 3]} for i, w in enumerate(WORDS * 2)]
    (root / "snli.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "snli_n.jsonl").write_text("".join(json.dumps(dict(r, label=SNLI.index(r["label"]))) + "\n" for r in rows))
    return root


def _regularise(files, data, out, capsys) -> tuple[int, str]:
    code = main(["facade", "regularise", "--model", str(files / "cls"), "--data", str(files / data), "--out",
                 str(out), "--steps", "1"])
    return code, capsys.readouterr().err


def _empty(folder) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def test_snli_label_names_on_a_sentiment_classifier_are_refused_before_training(files, tmp_path, capsys):
    code, err = _regularise(files, "snli.jsonl", tmp_path / "r", capsys)
    assert code == 2 and "Traceback" not in err and "out of bounds" not in err, err
    assert "'contradiction', 'entailment', 'neutral', which the model does not have" in err, err
    assert "(its labels: negative, positive)" in err and "Rename the labels in the data to the model's" in err, err
    assert _empty(tmp_path / "r")


def test_class_indices_beyond_the_head_are_refused_by_evaluates_rule(files, tmp_path, capsys):
    code, err = _regularise(files, "snli_n.jsonl", tmp_path / "r", capsys)
    assert code == 2 and "Traceback" not in err, err
    assert "include 2, outside the 2 classes of" in err and "(0..1: negative, positive)" in err, err
    assert "Pass data labelled for this model" in err
    assert _empty(tmp_path / "r")


def test_label_names_are_read_by_the_models_names_not_sorted_order(tmp_path, monkeypatch):
    """A model whose classes are (pos, neg): "neg" is class 1, though sorted order would make it 0."""
    import faithlens.audit.facade as facade
    import faithlens.model as model_module

    seen = {}
    monkeypatch.setattr(model_module, "load_model", lambda *a, **k: tiny_labelled(["pos", "neg"]))
    monkeypatch.setattr(facade, "regularise_target", lambda f, texts, labels, **k: seen.update(labels=labels) or {})
    (tmp_path / "d.tsv").write_text("sentence\tlabel\n" + "".join(f"a {w} film\t{['neg', 'pos'][i % 2]}\n"
                                                                  for i, w in enumerate(WORDS * 2)))
    assert main(["facade", "regularise", "--model", "x", "--data", str(tmp_path / "d.tsv"), "--out",
                 str(tmp_path / "r")]) == 0
    assert seen["labels"] == [1, 0] * 8


@pytest.mark.parametrize("labels, words", [
    ([0, 1, 2, 0] * 4, "The gold labels of the 'labels' parameter of regularise_target include 2, outside the 2 classes"),
    ([0, -1] * 8, "include -1, outside the 2 classes"),
    (["neutral", "positive"] * 8, "include 'neutral', which is not a class index"),
    ([0, 1] * 7, "regularise_target got 16 texts and 14 labels"),
])
def test_regularise_target_refuses_labels_the_head_cannot_read(tmp_path, labels, words):
    with pytest.raises(FaithlensError) as info:
        regularise_target(tiny("bert"), TEXTS, labels, out_dir=tmp_path / "r", batch_size=4, progress=False)
    assert words in str(info.value), str(info.value)
    assert not (tmp_path / "r").exists()


def test_pairs_to_a_classifier_known_to_read_single_texts_are_refused_by_regularise_and_train(tmp_path):
    from dataclasses import replace

    single = replace(tiny("bert"), info={"inputs": "texts"})
    with pytest.raises(FaithlensError, match="fine-tuned on single texts, but 16 of the 16 examples"):
        regularise_target(single, PAIRS, [0, 1] * 8, out_dir=tmp_path / "r", batch_size=4, progress=False)
    with pytest.raises(FaithlensError, match="fine-tuned on single texts"):
        train_facade(single, PAIRS[:12], PAIRS[12:], out_dir=tmp_path / "g", progress=False,
                     settings=FacadeSettings(steps=1, batch_size=2, eval_every=1, heldout=2, max_length=32))
    assert not (tmp_path / "r").exists() and _empty(tmp_path / "g")


def test_pairs_to_a_classifier_of_unknown_inputs_are_trained_and_recorded(files, tmp_path):
    """Not refused (a pair classifier from the hub looks the same), but faithlens_facade.json says how they were fed."""
    f = tiny("bert")
    record = train_facade(f, PAIRS[:12], PAIRS[12:], out_dir=tmp_path / "g", progress=False,
                          settings=FacadeSettings(steps=1, batch_size=2, eval_every=1, heldout=2, max_length=32))
    saved = json.loads((tmp_path / "g" / "faithlens_facade.json").read_text())
    assert record["inputs"] == saved["inputs"]
    assert saved["inputs"]["kind"] == "pairs" and saved["inputs"]["target_trained_on"] is None
    assert "separator" in saved["inputs"]["pairs_encoded_as"]
    reg = regularise_target(f, TEXTS, [0, 1] * 8, out_dir=tmp_path / "r", steps=1, batch_size=4, progress=False)
    assert reg["inputs"] == {"kind": "texts", "target_trained_on": None}
    assert json.loads((tmp_path / "r" / "faithlens_facade.json").read_text())["inputs"] == reg["inputs"]


def test_the_shared_rule_checks_ints_only():
    check_gold_classes([0, 1, None], ["a", "b"], model_name="m", source="s")  # None: a missing label, the caller's
    with pytest.raises(FaithlensError, match=r"The gold labels of s include 3, outside the 2 classes of 'm' \(0..1: a, b\)"):
        check_gold_classes([0, 3], ["a", "b"], model_name="m", source="s")
