"""Twenty-fifth breaker F3-F5: the argument types of faithlens.data's readers and splitters — label_names in class
order, subset's positions, holdout's NumPy/torch fraction and seed."""

import numpy as np
import pytest
import torch

import faithlens.data as D
from faithlens.errors import FaithlensError
from faithlens.training import check_label_names as check_new_model_names


@pytest.fixture()
def pn(tmp_path):
    path = tmp_path / "pn.jsonl"
    path.write_text('{"text":"great","label":"positive"}\n{"text":"awful","label":"negative"}\n')
    return path


@pytest.fixture()
def ten(tmp_path):
    path = tmp_path / "ten.tsv"
    path.write_text("sentence\tlabel\n" + "".join(f"text number {i}\t{i % 2}\n" for i in range(10)))
    return D.load_dataset(path)


# F3: label_names


def test_label_names_in_class_order_are_read(pn):
    assert D.load_dataset(pn, label_names=["negative", "positive"]).labels == (1, 0)
    assert D.read_file(pn, label_names=("positive", "negative")).labels == (0, 1)


@pytest.mark.parametrize("names, said", [
    ({"negative", "positive"}, "a set has no order"),
    (frozenset({"negative", "positive"}), "a set has no order"),
    ({"negative": 0, "positive": 1}, "Got dict"),
    ("negpos", "read letter by letter"),
    (["negative", "positive", 5], "Got 5 (int)"),
    (["negative", ""], "non-empty str"),
    ([], "Got no names"),
    (["positive", "positive"], "names one class twice"),
    (["negative", "Positive", "positive "], "names one class twice"),
])
def test_label_names_not_a_list_of_distinct_names_are_refused(pn, names, said):
    for read in (D.load_dataset, D.read_file):
        with pytest.raises(FaithlensError, match="class") as err:
            read(pn, label_names=names)
        assert said in str(err.value)
        assert "e.g. ['negative', 'positive']" in str(err.value)


def test_label_names_refused_before_the_file_is_read(tmp_path):
    with pytest.raises(FaithlensError, match="a set has no order"):
        D.load_dataset(tmp_path / "missing.tsv", label_names={"a", "b"})
    with pytest.raises(FaithlensError, match="a set has no order"):
        D.load_dataset("rotten_tomatoes", label_names={"a", "b"})


def test_new_model_label_names_go_through_the_same_rule():
    for names in ({"neg", "pos"}, "negpos", ["neg", "NEG"]):
        with pytest.raises(FaithlensError, match="--labels option"):
            check_new_model_names(names, option="--labels option")
    with pytest.raises(FaithlensError, match="at least two"):
        check_new_model_names(["only"], option="--labels option")
    check_new_model_names(("neg", "pos"))


# F4: subset


def test_subset_takes_ints_and_integer_scalars_in_range(ten):
    assert D.subset(ten, [3, 0]).texts == ("text number 3", "text number 0")
    assert D.subset(ten, np.array([9, 1])).labels == (1, 1)
    assert D.subset(ten, torch.tensor([2])).texts == ("text number 2",)
    assert len(D.subset(ten, range(4))) == 4
    assert D.subset(ten, (np.int64(5),)).texts == ("text number 5",)


@pytest.mark.parametrize("index, shown", [
    ([100], "holds 100 at place 0"), ([-1], "holds -1 at place 0"), ([0, True], "holds True at place 1"),
    ([1.5], "holds 1.5"), ([np.float64(2.0)], "holds np.float64(2.0)"), (["1"], "holds '1'"),
])
def test_subset_refuses_a_bad_position_naming_it_and_the_range(ten, index, shown):
    with pytest.raises(FaithlensError, match=r"ints in \[0, 9\] \(the dataset has 10 examples\)") as err:
        D.subset(ten, index)
    assert shown in str(err.value)


@pytest.mark.parametrize("index, shown", [(None, "NoneType"), (3, "int 3"), ({1, 2}, "a set has no order"),
                                          ("12", "str '12'")])
def test_subset_refuses_an_index_that_is_no_sequence(ten, index, shown):
    with pytest.raises(FaithlensError, match="must be a list of example positions") as err:
        D.subset(ten, index)
    assert shown in str(err.value)


# F5: holdout


@pytest.mark.parametrize("seed", [np.int64(3), np.int32(3), torch.tensor(3)])
def test_holdout_reads_an_integer_scalar_seed_as_its_int(ten, seed):
    kept, held = D.holdout(ten, 0.3, seed=seed)
    assert held.texts == D.holdout(ten, 0.3, seed=3)[1].texts
    assert type(held.info["holdout"]["seed"]) is int and held.info["holdout"]["record"]["seed"] == 3


@pytest.mark.parametrize("fraction", [np.float32(0.5), np.float64(0.5), torch.tensor(0.5)])
def test_holdout_reads_a_real_scalar_fraction_as_its_float(ten, fraction):
    kept, held = D.holdout(ten, fraction)
    assert (len(kept), len(held)) == (5, 5)
    assert type(held.info["holdout"]["fraction"]) is float


@pytest.mark.parametrize("fraction", [np.float32(1.5), torch.tensor([0.5]), np.bool_(True), "0.5", True])
def test_holdout_still_refuses_what_is_no_fraction(ten, fraction):
    with pytest.raises(FaithlensError, match=r"must be a number in \(0, 1\)"):
        D.holdout(ten, fraction)


@pytest.mark.parametrize("seed", [np.float64(3.0), -1, True, np.int64(2**40)])
def test_holdout_still_refuses_what_is_no_seed(ten, seed):
    with pytest.raises(FaithlensError, match=r"'seed' parameter must be an int"):
        D.holdout(ten, 0.5, seed=seed)
