"""`--device`: choosing where to compute, and timings that never mix devices."""

from __future__ import annotations

import pytest
import torch
from tiny import tiny

from faithlens import cli
from faithlens.device import current_device, use_device
from faithlens.errors import FaithlensError
from faithlens.evaluate import EvalSettings, markdown_table, summarise_run


@pytest.fixture(autouse=True)
def _restore_default_device():
    yield
    torch.set_default_device("cpu")


def test_cpu_is_the_default_and_can_be_chosen():
    assert current_device().type == "cpu"
    assert use_device("cpu") == torch.device("cpu")
    assert torch.zeros(1).device.type == "cpu"


@pytest.mark.parametrize("name, message", [("banana", "Unknown device 'banana'"), ("xla", "Unsupported device 'xla'")])
def test_unknown_devices_say_which_exist(name, message):
    with pytest.raises(FaithlensError, match=message):
        use_device(name)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without a GPU")
def test_cuda_without_a_gpu_says_how_to_fix(capsys):
    with pytest.raises(FaithlensError, match="sees no CUDA GPU. Drop --device"):
        use_device("cuda")
    assert cli.main(["--device", "cuda", "explain", "great fun", "--method", "saliency"]) == 2
    assert "Drop --device" in capsys.readouterr().err
    assert current_device().type == "cpu"  # a refused device changes nothing


def test_device_is_refused_where_it_is_not_supported(capsys):
    assert cli.main(["--device", "cpu", "train-default"]) == 2
    assert "--device works with explain, evaluate, audit, serve; 'train-default' runs on the CPU" in capsys.readouterr().err


def _record(index, seconds, device=None):
    r = {"index": index, "method": "ig", "log_odds": -1.0, "comprehensiveness": 0.5, "sufficiency": 0.1,
         "delta": 0.0, "sig_delta": None, "seconds": seconds, "tokens": ["a", "b"], "special": [False, False],
         "token_scores": [1.0, 2.0]}
    if device is not None:
        r["device"] = device
    return r


def test_seconds_come_from_one_device_only():
    settings = EvalSettings(model="m", data="d", methods=("ig",))
    # Records written before the device field existed ran on the CPU.
    records = [_record(0, 2.0), _record(1, 4.0, "cpu"), _record(2, 6.0, "cpu"), _record(3, 0.01, "cuda"), _record(4, 0.03, "cuda")]
    row = summarise_run(records, settings).rows[0]
    assert row["seconds_device"] == "cpu"
    assert row["seconds"]["mean"] == pytest.approx(4.0) and row["seconds"]["n"] == 3
    assert row["seconds_by_device"]["cuda"]["mean"] == pytest.approx(0.02) and row["seconds_by_device"]["cuda"]["n"] == 2
    assert row["log_odds"]["n"] == 5  # the metrics use every example
    text = markdown_table([row], settings, 5)
    assert "| 4.000 ± 1.155 |" in text and "ig: 2 on cuda (0.02 s)" in text


def test_one_device_needs_no_note():
    settings = EvalSettings(model="m", data="d", methods=("ig",))
    rows = summarise_run([_record(0, 1.0, "cpu"), _record(1, 3.0, "cpu")], settings).rows
    assert "more than one device" not in markdown_table(rows, settings, 2)


def test_evaluate_records_the_device(tmp_path):
    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate, read_records

    data = Dataset(("great fun", "a dull mess"), (1, 0), source="two")
    evaluate(tiny("bert"), data, methods=["grad_x_input"], out=tmp_path, progress=False)
    assert [r["device"] for r in read_records(tmp_path / "records.jsonl")] == ["cpu", "cpu"]
