"""Issue 22, eleventh breaker F9, F11, F12: settings that do nothing, and QA messages.

F9: a seed is read by the sampling methods and random (`Method.reads`) and by the faithfulness check's random word
orderings; with neither it does nothing, so it is refused like --steps with occlusion (CLI, compare) or warned
about (the API). F11: with several QA pairs, an answer missing from a context names its pair, before any model pass.
F12: a long QA context is split into windows, so nothing is truncated: the explanation says so once (its window),
``truncated`` stays false, and truncate=True (CLI --truncate), which would do nothing for QA, is refused."""

import json
import warnings

import pytest
import torch

from faithlens import Explainer
from faithlens.cli import main
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.explanation import Explanation
from faithlens.methods import METHODS
from faithlens.options import check_settings
from tiny import save_tiny, tiny

TEXT = "the film was good and fun"
QUESTION = "what was it?"
CONTEXT = "the film was good in paris . the plot was fun"
LONG = " ".join(["the film was good"] * 30) + " and paris was fun"  # four windows of the tiny QA model
SAMPLERS = sorted(m for m in METHODS if "seed" in METHODS[m].reads)


@pytest.fixture(scope="module")
def ex():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.fixture(scope="module")
def qa():
    return Explainer(tiny("bert_qa", dtype=torch.float64))


@pytest.fixture(scope="module")
def qa_folder(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("qa"), "bert_qa")


# --- F9: a seed nothing reads --------------------------------------------------------------------------------------


def test_the_seed_readers_are_the_sampling_methods_and_random():
    assert SAMPLERS == ["gradient_shap", "kernel_shap", "lime", "random", "shapley", "smoothgrad"]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_a_seed_is_refused_exactly_where_nothing_reads_it(method):
    no_check = {"seed": 3, "faithfulness": False}
    if method in SAMPLERS:
        assert check_settings([method], no_check) == no_check
    else:
        with pytest.raises(FaithlensError, match=f"seed=3 \\(CLI --seed 3\\) does nothing for {method} without the "
                                                 "faithfulness check.*read by smoothgrad, gradient_shap, shapley, "
                                                 "kernel_shap, lime, random, and by the faithfulness check's random word "
                                                 "orderings. Drop it"):
            check_settings([method], no_check)
    check_settings([method], {"seed": 3, "faithfulness": True})  # the check's random orderings read it
    check_settings([method], {"seed": 0, "faithfulness": False})  # the default, not typed: not given
    check_settings([method, "lime" if method != "lime" else "ig"], no_check)  # one method that reads it suffices


@pytest.mark.parametrize("method", SAMPLERS)
def test_a_seed_changes_what_the_samplers_give(ex, method):
    """What "reads" means: another seed, other scores (so refusing it elsewhere is not refusing something real)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        samples = {} if method == "random" else {"n_samples": 20 if method in ("kernel_shap", "lime") else 4}
        three, four = (ex.explain(TEXT, method, seed=s, **samples) for s in (3, 4))
    assert three.token_scores != pytest.approx(four.token_scores, abs=1e-9)


@pytest.mark.parametrize("method", ["occlusion", "grad_x_input", "partition"])
def test_a_seed_a_method_does_not_read_warns_in_the_api_and_changes_nothing(ex, method):
    with pytest.warns(FaithlensWarning, match=f"Ignored: seed=3 .*does nothing for {method} without the faithfulness"):
        seeded = ex.explain(TEXT, method, seed=3)
    assert any(w.startswith("Ignored: seed=3") for w in seeded.warnings)
    assert seeded.token_scores == pytest.approx(ex.explain(TEXT, method).token_scores, abs=1e-12)


def test_with_the_faithfulness_check_the_seed_moves_its_random_orderings(ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        three, four = (ex.explain(TEXT, "occlusion", seed=s, faithfulness=True, n_random=3) for s in (3, 4))
    assert not [w for w in three.warnings if w.startswith("Ignored")]
    assert (three.faithfulness["random"]["seed"], four.faithfulness["random"]["seed"]) == (3, 4)
    assert three.faithfulness["random"]["comp"] != four.faithfulness["random"]["comp"]


def test_compare_refuses_a_seed_none_of_its_methods_reads_and_passes_it_to_those_that_do(ex):
    with pytest.raises(FaithlensError, match="seed=3 .*does nothing for occlusion, saliency without"):
        ex.compare(TEXT, methods=["occlusion", "saliency"], seed=3, faithfulness=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        both = ex.compare(TEXT, methods=["occlusion", "smoothgrad"], seed=3, faithfulness=False)
    assert both["smoothgrad"].settings["seed"] == 3 and "seed" not in both["occlusion"].settings
    assert not [w for e in both.values() for w in e.warnings if w.startswith("Ignored")]


def test_the_cli_refuses_a_seed_that_does_nothing(saved_tiny, capsys):
    base = ["explain", TEXT, "--model", str(saved_tiny), "--json"]
    for seed in ("3", "0"):  # --seed 0, typed, is given too (as --unit word with ig)
        assert main(base + ["--method", "occlusion", "--no-faithfulness", "--seed", seed]) == 2
        err = capsys.readouterr().err
        assert f"seed={seed} (CLI --seed {seed}) does nothing for occlusion without the faithfulness check" in err
    assert main(base + ["--method", "occlusion", "--seed", "3", "--random", "2"]) == 0  # the check reads it
    assert json.loads(capsys.readouterr().out)["faithfulness"]["random"]["seed"] == 3
    assert main(base + ["--method", "occlusion", "smoothgrad", "--no-faithfulness", "--seed", "3", "--samples", "3"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["method"] for r in records] == ["occlusion", "smoothgrad"] and records[1]["settings"]["seed"] == 3
    assert "Ignored" not in err and not [w for r in records for w in r["warnings"] if w.startswith("Ignored")]
    assert main(base + ["--method", "occlusion", "--no-faithfulness"]) == 0  # no --seed: nothing refused


def test_evaluate_and_the_sanity_check_pass_their_seed_to_the_samplers_only(saved_tiny, tmp_path, capsys):
    """evaluate's and audit's --seed seeds their samples too; their occlusion rows are not told it does nothing."""
    from faithlens.audit.sanity import sanity_check

    data = tmp_path / "data.tsv"
    data.write_text("sentence\tlabel\nthe film was good and fun\t1\na dull plot\t0\n")
    assert main(["evaluate", "--model", str(saved_tiny), "--data", str(data), "--methods", "occlusion", "--seed", "3",
                 "--quiet", "--no-curves", "--no-random", "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "Ignored" not in err and "does nothing" not in err
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        result = sanity_check(tiny("bert"), [TEXT], methods=["occlusion"], seed=3, steps=2)
    assert result["occlusion"]["levels"][0] == "original"


# --- F11: which pair's answer is missing ----------------------------------------------------------------------------


def test_an_answer_missing_from_one_of_several_pairs_names_that_pair_before_any_model_pass(qa, monkeypatch):
    def no_model_pass(*args, **kwargs):
        raise AssertionError("encoded before the answers were checked")

    monkeypatch.setattr("faithlens.explainer.encode_items", no_model_pass)
    pairs = [("q one?", "paris is big ."), ("q two?", "the film was good")]
    with pytest.raises(FaithlensError) as info:
        qa.explain(pairs, "occlusion", target="paris")
    assert str(info.value) == ("Pair 1 (counting from 0) of 2, question 'q two?': The answer 'paris' does not occur in "
                               "the context. Pass a substring of the context.")
    long_question = "what was it that the film was about, and why was it good?"
    with pytest.raises(FaithlensError, match=r"^Pair 0 \(counting from 0\) of 2, question 'what was it that the film "
                                             r"was about, an…': The answer 'fun' occurs 2 times"):
        qa.explain([(long_question, "fun and fun"), ("q?", "fun")], "occlusion", target="fun")
    with pytest.raises(FaithlensError, match="^The answer 'paris' does not occur in the context"):  # one pair: no number
        qa.explain([pairs[1]], "occlusion", target="paris")


def test_the_cli_names_the_pair(qa_folder, capsys):
    assert main(["explain", "--model", str(qa_folder), "--pair", "Q1?", "Paris is big.", "--pair", "Q2?",
                 "Berlin is here.", "--answer", "Paris", "--method", "occlusion", "--no-faithfulness"]) == 2
    err = capsys.readouterr().err
    assert "Pair 1 (counting from 0) of 2, question 'Q2?': The answer 'Paris' does not occur in the context." in err


def test_answers_in_every_pair_are_explained(qa):
    pairs = [("q one?", "paris is big ."), ("q two?", "the film was in paris")]
    got = qa.explain(pairs, "occlusion", target="paris")
    assert [e.target["label"] for e in got] == ["paris", "paris"]


# --- F12: windows are not truncation --------------------------------------------------------------------------------


def test_a_windowed_context_says_windows_only_and_reads_back(qa):
    e = qa.explain([(QUESTION, LONG)], "occlusion", target="paris")[0]
    assert e.truncated is False
    assert len(e.warnings) == 1 and "split into 4 overlapping windows" in e.warnings[0]
    assert not [w for w in e.warnings if "truncated" in w]
    assert Explanation.from_json(e.to_json()) == e  # the coverage check reads the window its warning names
    d = json.loads(e.to_json())
    words = [w for w in e.words if w.segment == 1]
    a, b = e.offsets[words[2].tokens[-1]][1], e.offsets[words[3].tokens[0]][0]  # the space between two window words
    assert b > a
    d["text_pair"] = LONG[:a] + "|" + LONG[a + 1:]
    with pytest.raises(FaithlensError, match="'text_pair' has characters no token covers: '\\|'"):
        Explanation.from_dict(d)
    old = json.loads(e.to_json())  # files written when a window counted as truncation still read back
    old["truncated"] = True
    assert Explanation.from_dict(old).truncated is True


def test_the_terminal_view_of_a_window_says_no_truncation(qa_folder, capsys):
    assert main(["explain", "--model", str(qa_folder), "--pair", QUESTION, LONG, "--answer", "paris", "--method",
                 "occlusion", "--no-faithfulness"]) == 0
    out = capsys.readouterr().out
    assert "truncated" not in out and "windows" in out


def test_truncate_is_refused_for_a_qa_model_on_every_surface(qa, qa_folder, tmp_path, capsys):
    said = "truncate=True (CLI --truncate) does nothing for"
    with pytest.raises(FaithlensError, match=r"truncate=True \(CLI --truncate\) does nothing for .*question-answering"):
        qa.explain([(QUESTION, LONG)], "occlusion", truncate=True)
    assert main(["explain", "--model", str(qa_folder), "--pair", QUESTION, LONG, "--answer", "paris", "--method",
                 "occlusion", "--no-faithfulness", "--truncate"]) == 2
    assert said in capsys.readouterr().err
    data = tmp_path / "qa.tsv"
    data.write_text(f"question\tcontext\n{QUESTION}\t{CONTEXT}\n")
    assert main(["evaluate", "--model", str(qa_folder), "--data", str(data), "--methods", "occlusion", "--truncate",
                 "--quiet", "--no-curves", "--no-random", "--out", str(tmp_path / "run")]) == 2
    assert said in capsys.readouterr().err and not (tmp_path / "run" / "records.jsonl").exists()
    assert qa.explain([(QUESTION, CONTEXT)], "occlusion")[0].truncated is False  # without it: explained


def test_the_web_app_says_untick(qa):
    pytest.importorskip("flask", reason="the web app needs the serve extra")
    from faithlens.app import Limits, create_app

    body = {"text": QUESTION, "pair": CONTEXT, "method": "occlusion", "truncate": True}
    r = create_app(qa, limits=Limits()).test_client().post(
        "/api/explain", data=json.dumps(body), content_type="application/json", headers={"Host": "127.0.0.1:8765"})
    assert r.status_code == 400 and "Untick 'truncate long texts'" in r.get_json()["error"]


def test_the_manipulation_audit_explains_a_long_qa_context(qa):
    from faithlens.audit.manipulation import Run, explain_runs

    out = explain_runs(qa.model, [(QUESTION, LONG)], [Run("occlusion")])
    assert out["occlusion"].scores.shape[0] == 1


# --- twelfth breaker N1, N5, N11: a seed with no random orderings, a rule for SIG's closed form, n_random ---------

def test_a_seed_with_no_random_orderings_is_refused_where_nothing_else_reads_it(ex):
    """N1: with the faithfulness check on but n_random=0 the check draws no random ordering: a seed that no method
    reads does nothing, refused (CLI, compare) or warned about (explain) as with faithfulness=False."""
    with pytest.raises(FaithlensError, match=r"seed=3 \(CLI --seed 3\) does nothing for occlusion with no random word "
                                             r"orderings .*n_random=0, CLI --random 0.*CLI --random R"):
        check_settings(["occlusion"], {"seed": 3, "faithfulness": True, "n_random": 0})
    check_settings(["smoothgrad"], {"seed": 3, "faithfulness": True, "n_random": 0})  # the method draws from it
    check_settings(["occlusion"], {"seed": 3, "faithfulness": True, "n_random": 2})  # the check's orderings do
    with pytest.warns(FaithlensWarning, match="Ignored: seed=5 .*n_random=0"):
        five = ex.explain(TEXT, "occlusion", faithfulness=True, n_random=0, seed=5)
    assert any(w.startswith("Ignored: seed=5") for w in five.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default seed, not given: nothing to warn about
        plain = ex.explain(TEXT, "occlusion", faithfulness=True, n_random=0)
    assert five.token_scores == plain.token_scores
    unseeded = [dict(e.faithfulness, random={k: v for k, v in e.faithfulness["random"].items() if k != "seed"})
                for e in (five, plain)]
    assert unseeded[0] == unseeded[1]  # the seed changes nothing but its own record
    with pytest.raises(FaithlensError, match="seed=3 .*does nothing for occlusion, saliency with no random word"):
        ex.compare(TEXT, methods=["occlusion", "saliency"], seed=3, n_random=0)


def test_the_cli_refuses_a_seed_with_random_zero(saved_tiny, capsys):
    base = ["explain", TEXT, "--model", str(saved_tiny), "--json", "--method", "occlusion"]
    assert main(base + ["--random", "0", "--seed", "3"]) == 2
    assert "seed=3 (CLI --seed 3) does nothing for occlusion with no random word orderings" in capsys.readouterr().err
    assert main(base + ["--random", "0"]) == 0
    capsys.readouterr()
    assert main(base[:-1] + ["smoothgrad", "--random", "0", "--seed", "3", "--samples", "3"]) == 0  # smoothgrad reads it
    assert json.loads(capsys.readouterr().out)["settings"]["seed"] == 3


def test_n_random_without_the_check_warns_in_the_api_and_is_refused_elsewhere(ex, saved_tiny, capsys):
    """N11: one rule for every setting that does nothing: explain() warns ("Ignored: ..."), the CLI and compare refuse."""
    with pytest.warns(FaithlensWarning, match=r"Ignored: n_random=5 \(CLI --random 5\) .*faithfulness=False"):
        e = ex.explain(TEXT, "occlusion", n_random=5)
    assert e.faithfulness is None and e.token_scores == ex.explain(TEXT, "occlusion").token_scores
    with pytest.raises(FaithlensError, match=r"n_random=5 .*Drop n_random \(CLI --random\), or turn the check on"):
        ex.compare(TEXT, methods=["occlusion"], n_random=5, faithfulness=False)
    base = ["explain", TEXT, "--model", str(saved_tiny), "--json", "--method", "occlusion", "--no-faithfulness"]
    for r in ("5", "20"):  # the default typed is given too
        assert main(base + ["--random", r]) == 2
        assert f"n_random={r} (CLI --random {r}) sets how many random word orderings" in capsys.readouterr().err


def test_a_rule_alone_leaves_sig_exact_and_does_nothing(ex):
    """N5: a rule says how to integrate a path; SIG's default closed form has none, so rule= alone keeps it exact and
    is refused (check_settings, the CLI) or warned about (explain)."""
    exact = ex.explain(TEXT, "sig")
    with pytest.warns(FaithlensWarning, match=r"Ignored: rule='leja' does nothing for sig \(SIG's default closed form"):
        leja = ex.explain(TEXT, "sig", rule="leja")
    assert leja.settings["mode"] == "closed" and leja.error["kind"] == "exact"
    assert leja.token_scores == exact.token_scores
    with pytest.raises(FaithlensError, match=r"rule='riemann_left' does nothing for sig .*it is read by ig, and by sig "
                                             r"when it integrates its path\. .*pass steps=N, tolerance=T"):
        check_settings(["sig"], {"rule": "riemann_left"})
    with pytest.raises(FaithlensError, match="rule='leja' does nothing for sig with mode='closed'"):
        check_settings(["sig"], {"rule": "leja", "mode": "closed"})
    for given in ({"steps": 5}, {"tolerance": 1e-3}, {"mode": "reverse"}, {"mode": "forward"}):
        check_settings(["sig"], dict(given, rule="leja"))  # the path is integrated with the rule
    check_settings(["sig", "ig"], {"rule": "leja"})  # ig reads it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = ex.explain(TEXT, "sig", rule="riemann_left", steps=4)
    assert path.settings["rule"] == "riemann_left" and path.error["kind"] == "quadrature"


def test_compare_gives_the_rule_to_ig_and_keeps_sig_closed(ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        both = ex.compare(TEXT, methods=["sig", "ig"], rule="riemann_left", faithfulness=False)
    assert both["sig"].error["kind"] == "exact" and both["ig"].settings["rule"] == "riemann_left"


def test_the_cli_refuses_a_rule_for_sigs_closed_form(saved_tiny, capsys):
    base = ["explain", TEXT, "--model", str(saved_tiny), "--json", "--no-faithfulness", "--method", "sig"]
    for rule in ("leja", "gausslegendre"):  # the default, typed, is given too
        assert main(base + ["--rule", rule]) == 2
        err = capsys.readouterr().err
        assert f"--rule {rule} does nothing for sig (SIG's default closed form" in err
        assert "pass --steps N, tolerance=T (CLI --tolerance T) or --mode reverse" in err
    assert main(base + ["--rule", "leja", "--steps", "4"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["settings"]["rule"] == "leja" and record["error"]["kind"] == "quadrature"


def test_evaluate_refuses_a_rule_alone_in_a_sig_spec():
    from faithlens.evaluate import check_shared_steps, parse_methods

    with pytest.raises(FaithlensError, match=r"'sig:rule=leja': rule='leja' does nothing for SIG's default closed form"
                                             r".*sig:rule=leja,steps=50"):
        check_shared_steps(parse_methods(["sig:rule=leja"]), None)
    check_shared_steps(parse_methods(["sig:rule=leja"]), 10)  # the shared steps integrate its path
    check_shared_steps(parse_methods(["sig:rule=leja,steps=5", "sig:rule=leja,mode=reverse", "ig:rule=leja"]), None)
