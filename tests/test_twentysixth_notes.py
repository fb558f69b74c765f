"""Issue 22, twenty-sixth breaker F2 and F4: a model folder whose config.json numbers its classes other than
0..C−1 (or whose label2id contradicts id2label) is refused at load instead of showing a class as LABEL_1; a
SQuAD file given as --validation/--test of a classifier run names that option and advice that works."""

import json
import shutil

import pytest
from cli_run import run

from faithlens.errors import FaithlensError
from faithlens.model import load_model


def edited(saved_tiny, tmp_path, **changes):
    folder = tmp_path / "model"
    shutil.copytree(saved_tiny, folder)
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))
    return str(folder)


def test_id2label_key_gap_is_refused_naming_the_keys(saved_tiny, tmp_path):
    folder = edited(saved_tiny, tmp_path, id2label={"0": "negative", "5": "positive"},
                    label2id={"negative": 0, "positive": 5})
    with pytest.raises(FaithlensError) as err:
        load_model(folder)
    said = str(err.value)
    assert "id2label has the keys '0', '5'" in said and "Number the keys 0..1" in said, said
    assert "LABEL_1" not in said


def test_label2id_contradicting_id2label_is_refused(saved_tiny, tmp_path):
    folder = edited(saved_tiny, tmp_path, id2label={"0": "negative", "1": "positive"},
                    label2id={"negative": 1, "positive": 0})
    with pytest.raises(FaithlensError, match=r"id2label puts it at 0, label2id at 1.*label2id\['negative'\] = 0"):
        load_model(folder)


def test_consistent_or_stale_default_label2id_still_loads(saved_tiny, tmp_path):
    good = load_model(edited(saved_tiny, tmp_path, id2label={"0": "negative", "1": "positive"},
                             label2id={"negative": 0, "positive": 1}))
    assert good.labels == ["negative", "positive"]
    shutil.rmtree(tmp_path / "model")
    stale = load_model(edited(saved_tiny, tmp_path, id2label={"0": "negative", "1": "positive"},
                              label2id={"LABEL_0": 0, "LABEL_1": 1}))
    assert stale.labels == ["negative", "positive"]


@pytest.fixture
def files(tmp_path, shared_data):
    tsv = tmp_path / "cls.tsv"
    tsv.write_text("text\tlabel\n" + "".join(f"text {i}\t{i % 2}\n" for i in range(8)))
    squad = tmp_path / "sq.json"
    shutil.copy(shared_data / "squad_v1.1_dev_sample" / "dev-v1.1.half_24articles.json", squad)
    return tsv, squad


@pytest.mark.parametrize("option", ["--validation", "--test"])
def test_squad_file_beside_a_classifier_train_names_its_option(tmp_path, capsys, files, option):
    tsv, squad = files
    code, err = run(capsys, "train", "--base", "no-such-base", "--train", str(tsv), option, str(squad),
                    "--out", str(tmp_path / "o"))
    assert code != 0 and f"{option} '{squad}' is laid out as a SQuAD-format file" in err, err
    assert f"{option} must be labelled texts like --train" in err and "takes no --validation" in err
    assert "faithlens train --task qa --train" not in err and not (tmp_path / "o").exists()


def test_squad_train_still_advises_task_qa(tmp_path, capsys, files):
    _, squad = files
    code, err = run(capsys, "train", "--base", "no-such-base", "--train", str(squad), "--out", str(tmp_path / "o"))
    assert code != 0 and f"pass --task qa (faithlens train --task qa --train {squad}" in err, err


def test_a_problem_type_hugging_face_does_not_define_is_refused(tmp_path, saved_tiny):
    """Twenty-sixth breaker note: problem_type 'bogus' loaded silently as single-label."""
    folder = tmp_path / "bogus"
    shutil.copytree(saved_tiny, folder)
    config = json.loads((folder / "config.json").read_text())
    config["problem_type"] = "bogus"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(FaithlensError, match="sets problem_type 'bogus', which Hugging Face does not define"):
        load_model(str(folder))
