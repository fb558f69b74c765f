"""Issue 22 (twenty-third breaker notes): an audit (or facade saliency/reduce/hotflip) without --holdout on the
model's own --train file says its sample includes training examples (by the file's SHA-256 that train now records as
dataset.train_sha256, or by resolved path on an older card), in a warning and a report line; and certified IG's node
budget (`steps` with `tolerance`) caps every node, the first mesh included, warning when the tolerance is missed."""
import importlib
import json
import shutil
from types import SimpleNamespace

import pytest
from tiny import save_tiny, tiny

from faithlens import Explainer
from faithlens.audit.report import AuditReport
from faithlens.checkpoint import file_digest
from faithlens.commands.train_model import _train_digest
from faithlens.errors import FaithlensWarning
from faithlens.splits import check_not_train

kronrod = importlib.import_module("faithlens.methods.kronrod")

ROWS = "text\tlabel\ngreat fun\t1\nawful mess\t0\na fine film\t1\ndull and slow\t0\n"


@pytest.fixture
def train(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def _card(train, digest=True, held=None) -> dict:
    return {"dataset": {"train": str(train), "train_sha256": file_digest(train) if digest else None, "held_out": held}}


def test_a_copy_of_the_train_file_is_found_by_its_digest(train, tmp_path):
    copy = tmp_path / "elsewhere.tsv"
    shutil.copy(train, copy)
    with pytest.warns(FaithlensWarning) as caught:
        line = check_not_train(_card(train), str(copy))
    message = str(caught[0].message)
    assert "the same bytes as the model's --train file" in message and "trained on" in message, message
    assert "--test file" in message, message  # no held-out record: the fix is another file
    assert line.startswith("the data is the model's --train file") and "same bytes" in line, line


def test_an_edited_file_or_another_file_is_not_the_train_file(train, tmp_path, recwarn):
    other = tmp_path / "other.tsv"
    other.write_text(ROWS + "one more\t1\n", encoding="utf-8")
    assert check_not_train(_card(train), str(other)) is None
    card = _card(train)
    train.write_text(ROWS.replace("great", "good"), encoding="utf-8")  # edited since training: not what it saw
    assert check_not_train(card, str(train)) is None
    assert check_not_train({"dataset": {"train": "rotten_tomatoes"}}, "rotten_tomatoes") is None  # no file
    assert check_not_train({}, str(train)) is None  # no card (a hub model)
    assert not [w for w in recwarn if issubclass(w.category, FaithlensWarning)]


def test_an_older_card_without_a_digest_is_matched_by_resolved_path(train, monkeypatch):
    monkeypatch.chdir(train.parent)
    held = {"fraction": 0.25, "seed": 0, "sha256": "0" * 64}
    with pytest.warns(FaithlensWarning, match=r"the path of .* Pass --holdout 0.25 --split-seed 0"):
        line = check_not_train({"dataset": {"train": "train.tsv", "held_out": held}}, str(train))
    assert "same path" in line


def test_train_records_the_digest_of_a_file_only(train, tmp_path):
    assert _train_digest(str(train)) == file_digest(train)
    assert _train_digest("rotten_tomatoes") is None and _train_digest(str(tmp_path)) is None


def test_the_report_says_it_in_markdown_html_and_json():
    row = {"kind": "output", "stop_words": {"share": 0.1, "top": 0.0}, "first_token": {"share": 0.1, "top": 0.0},
           "seconds": 0.1}
    report = AuditReport(model="m", n=1, score="logit", methods={"occlusion": row}, verdict="v", level="ok",
                         findings=[], examples=[], settings={"training_data": "the data is the model's --train file"})
    assert "Training data: the data is the model's --train file." in report.to_markdown()
    assert "<p>Training data: the data is the model&#x27;s --train file.</p>" in report.to_html() \
        or "<p>Training data: the data is the model's --train file.</p>" in report.to_html()
    assert json.loads(report.to_json())["settings"]["training_data"] == "the data is the model's --train file"


def _folder_with_card(folder, train, digest=True):
    save_tiny(folder)
    (folder / "faithlens_model.json").write_text(json.dumps(_card(train, digest)), encoding="utf-8")
    return folder


def test_audit_without_holdout_on_the_train_file_warns_and_reports(train, tmp_path, capsys):
    from faithlens.cli import main

    model = _folder_with_card(tmp_path / "m", train)
    out = tmp_path / "a.json"
    with pytest.warns(FaithlensWarning, match="includes examples the model was trained on"):
        main(["audit", "--model", str(model), "--data", str(train), "--limit", "2", "--steps", "2", "--json", str(out)])
    assert "the model's --train file" in json.loads(out.read_text())["settings"]["training_data"]


def test_facade_saliency_on_the_train_file_warns(train, tmp_path, monkeypatch):
    from faithlens.commands import facade

    model = tiny("bert")
    model.info = _card(train)
    args = SimpleNamespace(facade_command="saliency", data=str(train), holdout=None, split_seed=0)
    with pytest.warns(FaithlensWarning, match="includes examples the model was trained on"):
        facade._data(args, str(train), None, part=1, model=model)
    args.facade_command = "train"  # training a facade on the train file is what it is for: no warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        facade._data(args, str(train), None, part=0, model=model)


@pytest.mark.parametrize("steps, first_level, pieces", [(1, 0, 1), (2, 0, 2), (3, 1, 1), (8, 1, 2), (9, 1, 3),
                                                        (512, 1, 3)])
def test_the_first_mesh_fits_the_node_budget(steps, first_level, pieces):
    scheme = kronrod.within_budget(kronrod.SCHEMES["encoder"], steps)
    assert (scheme.first_level, scheme.pieces) == (first_level, pieces)
    assert scheme.pieces * kronrod.LADDER[scheme.first_level] <= steps


@pytest.mark.parametrize("steps", [1, 3, 8])
def test_ig_steps_caps_every_node_with_a_tolerance(steps):
    e = Explainer(tiny("bert", dtype=__import__("torch").float64)).explain("a boring plot but good acting", "ig",
                                                                           steps=steps, tolerance=1e-9)
    assert e.nodes[0] <= steps, e.nodes
    assert any(f"node budget ({steps} nodes; {e.nodes[0]} evaluated" in w for w in e.warnings), e.warnings
    assert e.error is not None and e.error["relative"] > 0  # the gap reached is reported


def test_the_breakers_case_steps_3_tolerance_1_percent_uses_at_most_3_nodes():
    """`ig:steps=3,tolerance=0.01` evaluated 9 nodes (the encoder's first mesh) under a budget of 3, silently."""
    e = Explainer(tiny("bert")).explain("a boring plot but good acting", "ig", steps=3, tolerance=0.01)
    assert e.nodes == (3,), e.nodes
    assert e.settings["max_nodes"] == 3
    if e.error["relative"] > 0.01:  # missed within the budget: said, with the gap reached
        assert any("node budget (3 nodes; 3 evaluated" in w and "miss completeness by" in w for w in e.warnings)
