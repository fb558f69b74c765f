"""Issue 22, fourteenth breaker N3: every number of `faithlens facade train`, regularise and merge has a range that
makes sense, checked before any work in the API and the CLI alike (``--lr 1e39`` and ``--size-margin 1e300`` were a
float32 overflow traceback in facade_loss; ``--lambda-g 1e300`` kept step 0 in silence)."""

import pytest

from faithlens.audit.facade import FacadeSettings, check_facade_settings, regularise_target, train_facade
from faithlens.audit.merge import merge_models
from faithlens.cli import main
from faithlens.errors import FaithlensError

from tiny import tiny

TEXTS = ["the film was good", "a bad movie", "it is fine", "not great at all"] * 4


@pytest.mark.parametrize("name, value, words", [
    ("lr", 1e39, "The 'lr' setting of the facade must be a number in (0, 1), e.g. 1e-4: Adam's steps"),
    ("lr", 1.0, "must be a number in (0, 1)"),
    ("size_margin", 1e300, "The 'size_margin' setting of the facade must be a number in [0, 50]: it is a log factor"),
    ("size_margin", 51.0, "so a larger margin caps nothing"),
    ("lambda_g", 1e300, "The 'lambda_g' setting of the facade must be a number in [0, 1e+06]: a larger weight swamps"),
    ("lambda_m", 2e6, "'lambda_m' setting of the facade must be a number in [0, 1e+06]"),
    ("lambda_g", -1.0, "must be a number in [0, 1e+06]. Got -1.0 instead."),
])
def test_out_of_range_facade_settings_are_refused_with_the_reason(name, value, words):
    with pytest.raises(FaithlensError) as info:
        check_facade_settings(FacadeSettings(**{name: value}))
    assert words in str(info.value), str(info.value)


def test_the_edges_of_each_range_are_taken():
    check_facade_settings(FacadeSettings(lr=0.5, size_margin=50.0, lambda_g=1e6, lambda_m=0.0))


def test_train_facade_refuses_an_overflowing_lr_before_any_work(tmp_path):
    with pytest.raises(FaithlensError, match=r"'lr' setting of the facade must be a number in \(0, 1\)"):
        train_facade(tiny("bert"), TEXTS, TEXTS, out_dir=tmp_path / "g", settings=FacadeSettings(lr=1e300, batch_size=4),
                     progress=False)
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("kwargs, words", [
    ({"lr": 1e39}, "The 'lr' parameter of regularise_target must be a number in (0, 1)"),
    ({"lambda_rp": 1e300}, "The 'lambda_rp' parameter of regularise_target must be a number in [0, 1e+06]"),
    ({"steps": 0}, "The 'steps' parameter of regularise_target must be a positive int. Got 0"),
])
def test_regularise_target_refuses_out_of_range_numbers(tmp_path, kwargs, words):
    with pytest.raises(FaithlensError) as info:
        regularise_target(tiny("bert"), TEXTS, [0, 1] * 8, out_dir=tmp_path / "r", batch_size=4, progress=False, **kwargs)
    assert words in str(info.value), str(info.value)
    assert not (tmp_path / "r").exists()


def test_merge_models_refuses_a_gain_that_overflows():
    f = tiny("bert")
    with pytest.raises(FaithlensError, match=r"'gain' parameter of merge_models must be a number in \(0, 1e\+06\]"):
        merge_models(f, f, gain=1e300)


@pytest.mark.parametrize("argv, words", [
    (["train", "--lr", "1e39"], "'lr' setting (--lr) of the facade must be a number in (0, 1)"),
    (["train", "--lr", "1e300"], "'lr' setting (--lr) of the facade must be a number in (0, 1)"),
    (["train", "--size-margin", "1e300"], "'size_margin' setting (--size-margin) of the facade must be a number in [0, 50]"),
    (["train", "--lambda-g", "1e300"], "'lambda_g' setting (--lambda-g) of the facade must be a number in [0, 1e+06]"),
    (["regularise", "--lambda-rp", "1e300"], "'lambda_rp' setting (--lambda-rp) must be a number in [0, 1e+06]"),
])
def test_the_cli_refuses_them_before_loading_anything(tmp_path, capsys, argv, words):
    code = main(["facade", argv[0], "--model", str(tmp_path / "no-model"), "--out", str(tmp_path / "o"), *argv[1:]])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()
