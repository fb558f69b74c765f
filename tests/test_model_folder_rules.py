"""Issue 22, seventh breaker: the folders a command writes a model into and the model folders it reads.

- Every command that writes a model folder (train, facade train, facade merge, facade regularise) refuses a
  folder that already holds files unless --overwrite (facade train and regularise continue their own
  interrupted run): merge and facade train replaced a user's config.json in silence.
- --init-from and --facade must be facades written by `faithlens facade train` (faithlens_facade.json), of the
  size --width-divisor gives: a plain model was trained on with exit 0, or loaded with transformers' report.
- --width-divisor leaves at least one head (it was clamped in silence).
- A classifier with another number of classes as --base gets a fresh head (it was refused as "damaged").
"""

from __future__ import annotations

import json

import pytest
import torch

from tiny import save_tiny, save_tiny_facade, tiny

from faithlens.cli import main
from faithlens.errors import FaithlensError

WORDS = ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"]


def _run(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.fixture()
def data(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(WORDS * 2)), encoding="utf-8")
    return str(path)


@pytest.fixture()
def precious(tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "config.json").write_text('{"mine": true}')
    (folder / "notes.txt").write_text("keep me")
    return folder


FACADE_RUN = ["--steps", "1", "--batch-size", "2", "--eval-every", "1", "--heldout", "2", "--max-length", "16"]


def _argv(command: str, tiny_dir, facade_dir, data, out) -> list:
    return {
        "merge": ["facade", "merge", "--model", tiny_dir, "--facade", facade_dir, "--out", out],
        "facade train": ["facade", "train", "--model", tiny_dir, "--data", data, *FACADE_RUN, "--out", out],
        "regularise": ["facade", "regularise", "--model", tiny_dir, "--data", data, "--steps", "1", "--out", out],
        "train": ["train", "--train", data, "--base", tiny_dir, "--max-length", "16", "--batch-size", "4", "--out", out],
    }[command]


@pytest.mark.parametrize("command", ["merge", "facade train", "regularise", "train"])
def test_a_model_folder_that_holds_files_is_refused_unless_overwrite(saved_tiny, tmp_path, data, precious, capsys,
                                                                     command):
    """B1: `facade merge --out precious` and `facade train --out precious` exited 0 and replaced its config.json."""
    facade = save_tiny_facade(tmp_path / "facade", saved_tiny)
    code, err = _run(capsys, *_argv(command, saved_tiny, facade, data, precious))
    assert code == 2, err
    assert f"--out must be new or empty. Got {str(precious)!r}, which holds files (config.json, notes.txt)" in err, err
    assert "Pass --overwrite to replace them" in err, err
    assert (precious / "config.json").read_text() == '{"mine": true}'
    code, err = _run(capsys, *_argv(command, saved_tiny, facade, data, precious), "--overwrite")
    assert code == 0, err
    assert "bert" in json.loads((precious / "config.json").read_text())["model_type"]
    # --overwrite replaces the folder whole, for every writer, as the refusal says (merge kept notes.txt beside
    # the new model); nothing is left beside it either
    assert not (precious / "notes.txt").exists()
    assert [p.name for p in precious.parent.iterdir() if p.name.startswith(".precious")] == []


def test_overwrite_puts_the_old_folder_back_when_the_run_fails(saved_tiny, precious, monkeypatch):
    """model_folder.replaced_folder: a run that raises (an error, Ctrl-C) leaves the old folder as it was."""
    import faithlens.audit.facade as facade
    from faithlens.model import load_model

    def interrupted(target, texts, labels, out, *rest):
        (out / "config.json").write_text("half written")
        raise KeyboardInterrupt

    monkeypatch.setattr(facade, "_regularise", interrupted)
    with pytest.raises(KeyboardInterrupt):
        facade.regularise_target(load_model(str(saved_tiny)), [f"a {w} film" for w in WORDS * 2], [0, 1] * 8,
                                 out_dir=precious, steps=1, progress=False, overwrite=True)
    assert (precious / "config.json").read_text() == '{"mine": true}' and (precious / "notes.txt").exists()
    assert sorted(p.name for p in precious.parent.iterdir() if p.name.startswith(".")) == []


def test_overwrite_keeps_the_old_folder_whole_until_the_new_model_is_complete(saved_tiny, precious, monkeypatch):
    """One way to replace a model folder (model_folder.staged_folder, as train's save_atomically): the run writes
    beside the old folder, so a hard kill mid-run (no exception to restore from) leaves the old folder whole; the
    old mechanism set it aside first and wrote into its place."""
    import faithlens.audit.facade as facade
    from faithlens.model import load_model

    seen = {}

    def regularise(target, texts, labels, out, *rest):
        seen["out"], seen["old"] = out, sorted(p.name for p in precious.iterdir())
        (out / "config.json").write_text('{"model_type": "bert", "new": true}')
        return {}

    monkeypatch.setattr(facade, "_regularise", regularise)
    facade.regularise_target(load_model(str(saved_tiny)), [f"a {w} film" for w in WORDS * 2], [0, 1] * 8,
                             out_dir=precious, steps=1, progress=False, overwrite=True)
    assert seen["out"] != precious and seen["out"].parent == precious.parent
    assert seen["old"] == ["config.json", "notes.txt"]  # untouched while the new model was being written
    assert sorted(p.name for p in precious.iterdir()) == ["config.json"]
    assert json.loads((precious / "config.json").read_text())["new"] is True
    assert sorted(p.name for p in precious.parent.iterdir() if p.name.startswith(".")) == []


def test_the_api_refuses_alike_and_names_overwrite(saved_tiny, precious):
    from faithlens.audit.facade import FacadeSettings, regularise_target, train_facade
    from faithlens.model import load_model

    target = load_model(str(saved_tiny))
    texts = [f"a {w} film" for w in WORDS * 2]
    with pytest.raises(FaithlensError, match="The 'out_dir' of train_facade must be new or empty.*overwrite=True"):
        train_facade(target, texts, texts, out_dir=precious, settings=FacadeSettings(steps=1, batch_size=2, heldout=2),
                     progress=False)
    with pytest.raises(FaithlensError, match="The 'out_dir' of regularise_target must be new or empty"):
        regularise_target(target, texts, [0, 1] * 8, out_dir=precious, steps=1, progress=False)
    assert (precious / "config.json").read_text() == '{"mine": true}'


def test_an_unfinished_facade_run_is_continued_and_a_finished_one_refused(saved_tiny, tmp_path, data, capsys):
    """The rule keeps facade train resumable: its own unfinished run (same settings, state not final) is continued."""
    out = tmp_path / "run"
    assert _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out)[0] == 0
    info = json.loads((out / "faithlens_facade.json").read_text())
    assert info["state"] == "final"
    code, err = _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out)
    assert code == 2 and "--out must be new or empty" in err, err
    (out / "faithlens_facade.json").write_text(json.dumps({**info, "state": "best"}))  # as a run killed mid-way leaves it
    assert _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out)[0] == 0
    (out / "faithlens_facade.json").write_text(json.dumps({**info, "state": "best", "settings": {**info["settings"],
                                                                                                 "seed": 5}}))
    code, err = _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out)
    assert code == 2 and "interrupted `faithlens facade train` run with other settings ('seed' setting was 5, now 0)" \
        in err and "--overwrite to start over" in err, err  # another run's folder is not continued: said so


def test_init_from_must_be_a_facade_of_this_target(saved_tiny, tmp_path, data, capsys):
    """B2: a plain model folder as --init-from trained with exit 0 (its sizes, not --width-divisor's)."""
    out = tmp_path / "out"
    code, err = _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out,
                     "--init-from", saved_tiny)
    assert code == 2 and (f"--init-from {saved_tiny}: not a facade written by `faithlens facade train` (it has no "
                          "faithlens_facade.json)") in err, err
    wide = save_tiny_facade(tmp_path / "wide", saved_tiny, width_divisor=1)  # two heads; the default gives one
    code, err = _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out,
                     "--init-from", wide)
    assert code == 2, err
    assert "not a facade of" in err and "hidden_size 32 (expected 16), num_attention_heads 2 (expected 1)" in err, err
    assert "It was trained with --width-divisor 1" in err, err
    assert not out.exists()  # refused before anything was written; the folder it made is removed again
    code, err = _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out,
                     "--init-from", wide, "--width-divisor", "1")
    assert code == 0, err


def test_facade_of_merge_must_be_a_facade_named_before_loading(saved_tiny, tmp_path, capsys):
    """B3: merge loaded a plain folder (transformers' MISSING report) and then blamed num_hidden_layers."""
    code, err = _run(capsys, "facade", "merge", "--model", saved_tiny, "--facade", saved_tiny, "--out", tmp_path / "m")
    assert code == 2, err
    assert (f"--facade {saved_tiny}: not a facade written by `faithlens facade train` (it has no faithlens_facade.json)"
            in err), err
    assert "MISSING" not in err and "Cannot merge" not in err and "LOAD REPORT" not in err, err
    merged = tmp_path / "merged"
    facade = save_tiny_facade(tmp_path / "facade", saved_tiny)
    assert _run(capsys, "facade", "merge", "--model", saved_tiny, "--facade", facade, "--out", merged)[0] == 0
    code, err = _run(capsys, "facade", "merge", "--model", saved_tiny, "--facade", merged, "--out", tmp_path / "m2")
    assert code == 2 and "it holds a merged model (`faithlens facade merge`)" in err, err


def test_width_divisor_must_leave_a_head(saved_tiny, tmp_path, data, capsys):
    """B4: --width-divisor 1000 gave a one-head facade in silence."""
    from faithlens.audit.facade import facade_config

    target = tiny("bert")  # 2 heads of size 16
    assert (facade_config(target, width_divisor=2).hidden_size, facade_config(target, width_divisor=2).num_attention_heads) == (16, 1)
    assert facade_config(target, width_divisor=1).hidden_size == 32
    assert facade_config(target).hidden_size == 16  # default: 4, or the target's heads when it has fewer
    with pytest.raises(FaithlensError, match="has 2 heads of size 16 .*the largest divisor is 2 .*Got 3. Pass "
                                             "width_divisor=2 or less"):
        facade_config(target, width_divisor=3)
    out = tmp_path / "out"
    code, err = _run(capsys, "facade", "train", "--model", saved_tiny, "--data", data, *FACADE_RUN, "--out", out,
                     "--width-divisor", "1000")
    assert code == 2 and "the largest divisor is 2" in err and "Pass --width-divisor 2 or less" in err, err
    assert not out.exists()  # a refused command leaves no folder of its own


def test_regularise_with_fewer_texts_than_a_batch_is_refused(saved_tiny, tmp_path, capsys):
    """Found on the way: `facade regularise` on 8 texts (batch 16) ended in random.sample's traceback."""
    small = tmp_path / "s.tsv"
    small.write_text("sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(WORDS)))
    code, err = _run(capsys, "facade", "regularise", "--model", saved_tiny, "--data", small, "--steps", "1", "--out",
                     tmp_path / "o")
    assert code == 2 and "draws batches of 16 texts; the data has 8. Pass at least 16 texts." in err and "Traceback" not in err, err


def test_a_classifier_with_other_classes_as_base_gets_a_fresh_head(tmp_path, data, capsys):
    """B5: a 3-class classifier as --base of 2-class data was refused as if its files were damaged."""
    base = save_tiny(tmp_path / "nli", "bert", num_labels=3)
    code, err = _run(capsys, "train", "--train", data, "--base", base, "--max-length", "16", "--batch-size", "4",
                     "--out", tmp_path / "o")
    assert code == 0, err
    assert "has a task head of other sizes than this task needs (classifier.bias (3,) → (2,)" in err, err
    from faithlens.model import load_model

    trained, nli = load_model(str(tmp_path / "o")), load_model(str(base))
    assert trained.model.classifier.weight.shape == (2, 32)
    encoder = "bert.encoder.layer.0.attention.self.query.weight"  # the encoder comes from the base
    assert not torch.equal(trained.model.state_dict()[encoder], torch.zeros_like(trained.model.state_dict()[encoder]))
    assert trained.model.state_dict()[encoder].shape == nli.model.state_dict()[encoder].shape


def test_a_base_whose_weights_do_not_fit_its_config_is_named_so(saved_tiny, tmp_path, data, capsys):
    """An encoder weight of another shape than config.json says is an error about shapes, not re-initialised."""
    import shutil

    edited = tmp_path / "edited"
    shutil.copytree(saved_tiny, edited)
    config = json.loads((edited / "config.json").read_text())
    (edited / "config.json").write_text(json.dumps({**config, "intermediate_size": 40}))
    code, err = _run(capsys, "train", "--train", data, "--base", edited, "--max-length", "16", "--out", tmp_path / "o")
    assert code == 2, err
    assert "its weights do not have the shapes its config.json declares" in err and "(37,) in the weights file, (40,) from config.json" in err, err
    assert "complete" not in err


def test_qa_training_on_a_three_class_classifier_base_has_two_outputs(tmp_path, capsys):
    """The QA head was sized by the base's num_labels (3 for NLI): a traceback in the first step."""
    base = save_tiny(tmp_path / "nli", "bert", num_labels=3)
    squad = tmp_path / "squad.json"
    context = "Ann wrote the book in Paris in 1901."
    squad.write_text(json.dumps({"data": [{"title": "Books", "paragraphs": [{"context": context, "qas": [
        {"id": f"q{i}", "question": "Who wrote the book?", "answers": [{"text": "Ann", "answer_start": 0}]}
        for i in range(3)]}]}]}))
    code, err = _run(capsys, "train", "--task", "qa", "--train", squad, "--base", base, "--max-length", "32",
                     "--stride", "8", "--batch-size", "2", "--out", tmp_path / "o")
    assert code == 0, err
    from transformers import AutoModelForQuestionAnswering

    assert AutoModelForQuestionAnswering.from_pretrained(tmp_path / "o").qa_outputs.weight.shape == (2, 32)


@pytest.mark.parametrize("command", ["facade train", "regularise", "train"])
def test_an_out_folder_holding_an_input_is_refused_even_with_overwrite(saved_tiny, tmp_path, capsys, command):
    """`train --train inner/tr.tsv --out inner --overwrite` replaced the folder, training file included (exit 0)."""
    inner = tmp_path / "inner"
    inner.mkdir()
    data = inner / "t.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(WORDS * 2)),
                    encoding="utf-8")
    for out in (inner, tmp_path):
        code, err = _run(capsys, *_argv(command, saved_tiny, saved_tiny, str(data), out), "--overwrite")
        assert code == 2 and f"--out {str(out)!r} holds the --" in err and "outside your inputs" in err, err
        assert data.is_file()
    code, err = _run(capsys, *_argv("merge", saved_tiny, saved_tiny, str(data), saved_tiny), "--overwrite")
    assert code == 2 and f"--out {str(saved_tiny)!r} is the --" in err, err


@pytest.mark.parametrize("more, words", [
    (["--gain", "1e308"], "--gain must be a positive number up to 1e+06"),
    (["--gain", "2", "--calibrate", "x.tsv"], "--calibrate sets the texts of --gain auto; with --gain 2 it does nothing"),
    (["--limit", "3"], "--limit selects the texts of --check"),
    (["--split", "dev", "--limit", "3"], "--split and --limit select the texts of --check"),
])
def test_merge_options_that_do_nothing_or_overflow_are_refused(saved_tiny, tmp_path, capsys, more, words):
    """facade merge took --calibrate without --gain auto and --limit/--split without --check in silence, and saved a
    merge with --gain 1e308 whose explanations were NaN."""
    code, err = _run(capsys, "facade", "merge", "--model", saved_tiny, "--facade", saved_tiny, "--out",
                     tmp_path / "m", *more)
    assert code == 2 and words in err, err
    assert not (tmp_path / "m").exists()
