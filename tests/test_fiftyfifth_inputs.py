"""Bad input found by the fifty-fifth breaker (issue 22): facade saliency's undetermined fits named in its own words
before any run, input reduction's beam bounded and free of repeats."""

from __future__ import annotations

import pytest

from faithlens.errors import FaithlensError


def test_a_beam_never_holds_one_reduced_text_twice():
    from faithlens.audit.ids import Row
    from faithlens.audit.reduction import next_beams

    row = Row([101, 5, 6, 7, 102], None, [True, False, False, False, True], [-1, 0, 0, 0, -1])
    a_then_b, b_then_a = row.remove(1).remove(1), row.remove(2).remove(1)  # two orders, one text [101, 7, 102]
    assert a_then_b.ids == b_then_a.ids == [101, 7, 102]
    other = row.remove(3).remove(2)
    beams = next_beams([(0, a_then_b), (0, b_then_a), (0, other), (1, b_then_a)], [True, True, True, True], 2)
    assert [r.ids for r in beams[0]] == [[101, 7, 102], [101, 5, 102]] and [r.ids for r in beams[1]] == [[101, 7, 102]]
    assert [r.ids for r in next_beams([(0, a_then_b), (0, other)], [False, True], 3)[0]] == [[101, 5, 102]]


def test_the_beam_is_bounded_before_any_work(tmp_path, capsys):
    from tiny import tiny

    from faithlens.audit.reduction import MAX_BEAM, input_reduction
    from faithlens.cli import main

    with pytest.raises(FaithlensError, match=rf"'beam_size' parameter must be an int from 1 to {MAX_BEAM}"):
        input_reduction(tiny("bert"), ["a good film"], beam_size=MAX_BEAM + 1)
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\ngreat fun film\t1\n")
    code = main(["facade", "reduce", "--model", str(tmp_path / "missing"), "--data", str(data), "--beams", "1,1000000"])
    err = capsys.readouterr().err
    assert code == 2 and f"--beams 1,1000000: a beam is at most {MAX_BEAM}" in err  # before the (missing) model
    result = input_reduction(tiny("bert"), ["great fun film with a good cast"], beam_size=MAX_BEAM)
    assert result.beam_size == MAX_BEAM and 1 <= len(result.reduced_tokens(0)) <= 7


def test_facade_saliency_names_undetermined_fits_as_method_specs_before_any_run(tmp_path, capsys, monkeypatch):
    from tiny import save_tiny, tiny

    from faithlens.audit import manipulation
    from faithlens.cli import main

    ran = []
    real = manipulation.Explainer.explain
    monkeypatch.setattr(manipulation.Explainer, "explain", lambda self, *a, **k: ran.append(a[1]) or real(self, *a, **k))
    with pytest.raises(FaithlensError, match=r"^Method lime:n_samples=5: Text 0 \('the movie was really good and fun'\): "
                                             r"lime with 5 samples .*n_samples=200 \(CLI --samples 200\)"):
        manipulation.saliency_manipulation(tiny("bert"), ["the movie was really good and fun"], progress=False,
                                           runs=["ig", "lime:n_samples=5"])
    assert ran == []  # refused before ig ran
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\nthe movie was really good and fun\t1\n")
    code = main(["facade", "saliency", "--model", str(save_tiny(tmp_path / "m")), "--data", str(data), "--methods", "ig",
                 "lime:n_samples=5", "kernel_shap:n_samples=3"])
    err = capsys.readouterr().err
    assert code == 2 and "e.g. lime:n_samples=200 in --methods" in err and "kernel_shap:n_samples=200 in --methods" in err
    assert "--samples" not in err


def test_small_messages_say_what_is_so(tmp_path):
    """A rationale path that is a folder says so; a tuple of three texts says a tuple is one pair; the web app's
    refusal of an origin names the hosts it does accept."""
    from faithlens.app.inputs import foreign
    from faithlens.data import Dataset
    from faithlens.encoding import split_items
    from faithlens.plausibility import read_rationales

    with pytest.raises(FaithlensError, match=r"The rationale file .* is a folder\. Pass a JSONL file"):
        read_rationales(tmp_path, dataset=Dataset(("a",), (None,), source="x"))
    with pytest.raises(FaithlensError, match=r"does not exist\. Pass a JSONL file"):
        read_rationales(tmp_path / "none.jsonl", dataset=Dataset(("a",), (None,), source="x"))
    with pytest.raises(FaithlensError, match=r"as every tuple is\. Got 3 parts; for several texts pass a list of str"):
        split_items(("great fun", "bad", "ok"))
    said = foreign({"Host": "127.0.0.1:8000", "Origin": "http://evil.example"}, {"127.0.0.1", "localhost"})
    assert "Only pages from 127.0.0.1, localhost (any port) may send it requests" in said
    assert foreign({"Host": "127.0.0.1:8000", "Origin": "http://localhost:1234"}, {"127.0.0.1", "localhost"}) is None
