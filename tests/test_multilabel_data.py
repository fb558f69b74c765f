"""Gold labels of a data file on a multi-label model are read by its label names (twentieth breaker F5), and train
refuses a multi-label classifier as its base before any data is read (F6)."""

import json

import pytest
from tiny import save_tiny

from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.training import fine_tune

ML = dict(num_labels=3, problem_type="multi_label_classification")  # id2label: negative, positive, neutral


@pytest.fixture(scope="module")
def ml_model(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("ml-model"), "bert", **ML)


def _jsonl(path, labels):
    texts = ["great fun movie", "awful boring mess", "ok film"]
    path.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in zip(texts, labels)))
    return path


def _evaluate(model, data, out):
    return main(["evaluate", "--model", str(model), "--data", str(data), "--methods", "occlusion", "--no-curves",
                 "--no-random", "--no-shuffle", "--quiet", "--out", str(out)])


def test_word_labels_on_a_multi_label_model_are_its_classes_by_name(ml_model, tmp_path):
    data = _jsonl(tmp_path / "ok.jsonl", ["positive", "negative", "neutral"])
    assert _evaluate(ml_model, data, tmp_path / "run") == 0
    recorded = {r["text"]: r["label"] for r in map(json.loads, (tmp_path / "run" / "records.jsonl").open())}
    assert recorded == {"great fun movie": 1, "awful boring mess": 0, "ok film": 2}  # not sorted order (2, 0, 1)


@pytest.mark.parametrize("labels, said", [
    (["zebra", "apple", "negative"], "'apple', 'zebra', which the model does not have"),
    (["bogus", "negative", "positive"], "'bogus', which the model does not have"),
    (["negative,bogus", "negative", "positive"], "'negative,bogus' of"),
    (["positive,neutral", "negative", "positive"], "one class per example"),
])
def test_labels_the_multi_label_model_lacks_are_refused(ml_model, tmp_path, capsys, labels, said):
    data = _jsonl(tmp_path / "bad.jsonl", labels)
    assert _evaluate(ml_model, data, tmp_path / "run") == 2
    err = capsys.readouterr().err
    assert said in err and "negative, positive, neutral" in err
    assert not (tmp_path / "run" / "records.jsonl").exists()


def test_a_list_names_each_unknown_part(ml_model, tmp_path, capsys):
    _evaluate(ml_model, _jsonl(tmp_path / "x.jsonl", ["negative,bogus", "negative", "positive"]), tmp_path / "run")
    assert "lists 'bogus', which the model does not have" in capsys.readouterr().err


def test_an_index_past_the_multi_label_classes_is_refused(ml_model, tmp_path, capsys):
    assert _evaluate(ml_model, _jsonl(tmp_path / "n.jsonl", [5, 0, 1]), tmp_path / "run") == 2
    assert "include 5, outside the 3 classes" in capsys.readouterr().err


def test_train_refuses_a_multi_label_base_before_reading_data(ml_model, tmp_path, capsys):
    missing = tmp_path / "never-read.jsonl"  # a data file that would be refused if read: the base is checked first
    missing.write_text('{"text": "a", "label": "x"}\n')
    code = main(["train", "--base", str(ml_model), "--train", str(missing), "--out", str(tmp_path / "out"),
                 "--max-length", "16", "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "is a multi-label classifier" in err and "single_label_classification" in err
    assert not (tmp_path / "out").exists()


def test_fine_tune_refuses_a_multi_label_base(ml_model, tmp_path):
    train = (["terrible", "lovely", "awful", "a joy"], [0, 1, 0, 1])
    with pytest.raises(FaithlensError, match=r"base_model='.*' is a multi-label classifier"):
        fine_tune(base_model=ml_model, train=train, validation=train, test=train, out_dir=tmp_path / "out",
                  label_names=["negative", "positive"], epochs=1, progress=False)
    assert not (tmp_path / "out").exists()


def test_a_single_label_base_still_trains(tmp_path):
    base = save_tiny(tmp_path / "base", "bert", num_labels=2)
    train = (["terrible", "lovely", "awful", "a joy"], [0, 1, 0, 1])
    info = fine_tune(base_model=base, train=train, validation=train, test=train, out_dir=tmp_path / "out",
                     label_names=["negative", "positive"], epochs=1, max_length=16, progress=False)
    assert (tmp_path / "out" / "config.json").is_file() and list(info["labels"]) == ["negative", "positive"]
