"""evaluate()'s arguments are read by explain()'s rules before any work (twentieth breaker F4), and a mean over one
example has no standard error (F2)."""

import numpy as np
import pytest
import torch

import faithlens
from faithlens.data import load_dataset, select
from faithlens.evaluate import evaluate
from faithlens.evaluate.tables import cell
from faithlens.metrics import summarise

from tiny import tiny

DEV = "".join(f"{t}\t{y}\n" for t, y in [("the film was very good and fun", 1), ("a boring plot and awful acting", 0),
                                          ("this story is brilliant", 1), ("dull dull dull film", 0)])


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    path = tmp_path_factory.mktemp("evaluate-types") / "dev.tsv"
    path.write_text("sentence\tlabel\n" + DEV)
    model = tiny("bert")
    return model, select(load_dataset(str(path), model=model), limit=2)


@pytest.mark.parametrize("kw, words", [
    (dict(steps="auto"), "steps=50"),
    (dict(steps="5"), "positive int"),
    (dict(rationales="d/none.jsonl"), "read_rationales"),
    (dict(out=b"o/evb"), "str or a pathlib.Path"),
    (dict(seed=-1), "'seed'"),
    (dict(seed=1.5), "'seed'"),
    (dict(seed=2 ** 70), "'seed'"),
    (dict(shuffle="False"), "always true"),
    (dict(truncate="no"), "always true"),
    (dict(max_chars=0), "positive int"),
    (dict(max_chars=5), "select(dataset, max_chars=5)"),
    (dict(curves=[0.1, 0.1]), "more than once"),
    (dict(batch_size=0), "positive int"),
])
def test_refused_up_front(setup, kw, words):
    model, ds = setup
    with pytest.raises(faithlens.FaithlensError, match=None) as err:
        evaluate(model, ds, methods=["ig"], progress=False, **kw)
    assert words in str(err.value)


@pytest.mark.parametrize("kw", [dict(topk=np.float32(0.2)), dict(batch_size=np.int32(2)), dict(seed=None),
                                dict(steps=torch.tensor(3)), dict(max_chars=np.int64(10_000))])
def test_scalars_read_as_numbers(setup, kw):
    model, ds = setup
    result = evaluate(model, ds, methods=["ig", "smoothgrad"], progress=False, **kw)
    assert {row["method"] for row in result.rows} == {"ig", "smoothgrad"}


def test_seed_none_is_seed_zero(setup):
    model, ds = setup
    a = evaluate(model, ds, methods=["smoothgrad"], progress=False, seed=None)
    b = evaluate(model, ds, methods=["smoothgrad"], progress=False, seed=0)
    assert a.settings.seed == 0
    assert a.rows[0]["comprehensiveness"] == b.rows[0]["comprehensiveness"]


def test_one_value_has_no_standard_error():
    assert summarise([0.5]) == {"mean": 0.5, "sem": None, "n": 1}
    assert cell(summarise([0.5])) == "0.5000 ± –"
    assert cell(summarise([1e-6])) == "1.00e-06 ± –"
    assert cell(summarise([0.5, 0.7])) == "0.6000 ± 0.1000"


def test_one_example_table(setup, tmp_path):
    model, ds = setup
    one = select(ds, limit=1)
    result = evaluate(model, one, methods=["occlusion"], progress=False, out=tmp_path / "run")
    assert result.rows[0]["log_odds"]["sem"] is None and result.rows[0]["log_odds"]["n"] == 1
    table = (tmp_path / "run" / "table.md").read_text()
    assert "± –" in table and "± 0.0000" not in table
    import json
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert "null" in json.dumps(saved)
