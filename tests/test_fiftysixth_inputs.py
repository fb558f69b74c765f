"""Bad input found by the fifty-sixth breaker (issue 22), in the Python API beyond explain: yes/no settings given as
a str, an output folder that is the input model, NumPy scalars, a str where a list is read, unchecked gain
calibration, split names, an Explainer's dtype. Each a clear refusal before any work, or the well-formed call's result."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from faithlens.errors import FaithlensError

TRAIN = (["good", "bad", "fine", "awful"], [1, 0, 1, 0])


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("base") / "bert")


def _tune(base, out, **kw):
    from faithlens.training import fine_tune

    args = dict(base_model=str(base), train=TRAIN, validation=([], []), test=([], []), out_dir=str(out),
                label_names=["negative", "positive"], progress=False, max_length=32)
    return fine_tune(**{**args, **kw})


@pytest.mark.parametrize("setting, value", [("overwrite", "no"), ("progress", "False"), ("seed", -1),
                                            ("checkpoint_every", 0)])
def test_fine_tune_refuses_settings_read_the_wrong_way_before_any_work(base, tmp_path, setting, value):
    out = tmp_path / "kept"
    out.mkdir()
    (out / "weights.bin").write_text("a trained model")
    with pytest.raises(FaithlensError, match=rf"'{setting}' parameter"):
        _tune(base, out, **{setting: value})
    assert (out / "weights.bin").read_text() == "a trained model"


def test_an_output_folder_that_is_the_input_model_is_refused_overwrite_or_not(base, tmp_path):
    from faithlens.audit.facade import FacadeSettings, train_facade
    from faithlens.model import load_model

    files = sorted(p.name for p in base.iterdir())
    with pytest.raises(FaithlensError, match=r"^out_dir '.*' is the base_model '.*': writing the model there replaces"):
        _tune(base, base, overwrite=True)
    target = load_model(str(base))
    with pytest.raises(FaithlensError, match=r"^out_dir '.*' is the target '.*'"):
        train_facade(target, ["good fun", "a bad plot"], ["fine"], out_dir=str(base), overwrite=True,
                     settings=FacadeSettings(steps=1, eval_every=1, heldout=1, batch_size=2), progress=False)
    assert sorted(p.name for p in base.iterdir()) == files


def test_numpy_scalars_are_the_numbers_they_hold(base, tmp_path):
    from tiny import tiny

    from faithlens.audit.facade import FacadeSettings
    from faithlens.audit.facade_spec import check_facade_settings
    from faithlens.audit.reduction import input_reduction

    record = _tune(base, tmp_path / "m", epochs=np.int64(1), seed=np.int64(1), lr=np.float32(1e-4),
                   batch_size=np.int64(2), max_length=np.int64(32))
    assert record["training"]["seed"] == 1 and type(record["training"]["epochs"]) is int
    settings = FacadeSettings(steps=np.int64(3), lr=np.float32(1e-3), seed=np.int64(2))
    check_facade_settings(settings)
    assert (type(settings.steps), type(settings.seed), type(settings.lr)) == (int, int, float)
    model = tiny("bert")
    assert input_reduction(model, ["great fun film"], beam_size=np.int64(2), chunk=np.int64(8)).beam_size == 2


def test_calibrate_gain_and_merge_models_check_their_inputs(tmp_path, base):
    from tiny import save_tiny_facade

    from faithlens.audit.merge import calibrate_gain, merge_models
    from faithlens.model import load_model

    target = load_model(str(base))
    facade = load_model(str(save_tiny_facade(tmp_path / "g", base)))
    for kw, said in (({"quantile": -0.1}, "'quantile' parameter of calibrate_gain"),
                     ({"safety": 0}, "'safety' parameter of calibrate_gain"),
                     ({"batch_size": 0}, "'batch_size' parameter")):
        with pytest.raises(FaithlensError, match=said):
            calibrate_gain(target, facade, ["good fun"], **kw)
    with pytest.raises(FaithlensError):
        calibrate_gain(target, facade, [])
    with pytest.raises(FaithlensError, match="facade"):
        calibrate_gain(facade, target, ["good fun"])  # swapped, as merge_models refuses it
    assert calibrate_gain(target, facade, ["good fun", "a bad plot"])["n"] == 2
    with pytest.raises(FaithlensError, match=r"merge_models takes the facade as a loaded model"):
        merge_models(target, str(tmp_path / "g"))
    assert merge_models(target, facade, gain=np.float32(2)).info["merged"]["gain"] == 2.0


def test_a_str_where_several_are_read_is_one(tmp_path):
    from tiny import tiny

    from faithlens.audit.manipulation import runs_of
    from faithlens.audit.sanity import sanity_check

    assert [r.label for r in runs_of("ig")] == ["ig"]
    assert [r.label for r in runs_of(["ig", "occlusion"])] == ["ig", "occlusion"]
    assert list(sanity_check(tiny("bert"), ["good fun film"], methods="ig")) == ["ig"]


def test_splits_sets_paths_and_dtypes(tmp_path):
    from tiny import tiny

    from faithlens import Explainer
    from faithlens.data import load_dataset, read_file
    from faithlens.qa import check_examples

    (tmp_path / "dev.tsv").write_text("sentence\tlabel\ngood\t1\n")
    for split in (0, "", False, 1, ["dev"]):
        with pytest.raises(FaithlensError, match=r"split must be a split's name as a str"):
            load_dataset(str(tmp_path), split=split)
    assert load_dataset(str(tmp_path), split="dev").texts == ("good",)
    with pytest.raises(FaithlensError, match=r"'labels' parameter of read_file must be True or False"):
        read_file(tmp_path / "dev.tsv", labels="no")
    with pytest.raises(FaithlensError, match=r"read_file takes a file path as a str or a pathlib.Path\. Got NoneType"):
        read_file(None)
    with pytest.raises(FaithlensError, match=r"a set, which has no order"):
        check_examples(set(), "train")
    model = tiny("bert")
    first = Explainer(model)
    second = Explainer(model, dtype=torch.float64)
    assert (model.dtype, first.model.dtype, second.model.dtype) == (torch.float32, torch.float32, torch.float64)
