"""Python API inputs of issue 22, nineteenth breaker F3 and F8.

F3: steps='auto' with a method that has no error-controlled quadrature names steps='auto' and its fix, never a
tolerance= the user did not pass; the CLI keeps naming --steps auto. F8: a `Comparison` that is empty, holds a
non-Explanation, or mixes texts, models or targets is refused with a FaithlensError (no IndexError, AttributeError or
a Spearman rho across two texts); compare() refuses an unknown keyword naming compare() and what it accepts.
"""

import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
import torch

from faithlens import Comparison, Explainer, FaithlensError
from faithlens.cli import main
from tiny import tiny


@pytest.fixture(scope="module")
def explainer():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.fixture(scope="module")
def pair(explainer):
    return explainer.compare("great fun", ["occlusion", "ig"], steps=4, faithfulness=False)


# --- F3: steps='auto' ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, fix", [("dig", "or pass an int (steps=N; dig reads it)."),
                                         ("occlusion", "or choose sig or ig."),
                                         ("saliency", "or choose sig or ig."),
                                         ("lime", "or choose sig or ig.")])
def test_steps_auto_names_steps_not_tolerance(explainer, method, fix):
    with pytest.raises(FaithlensError) as err:
        explainer.explain("great fun", method, steps="auto")
    msg = str(err.value)
    assert msg.startswith("steps='auto' (CLI --steps auto) asks for as many quadrature nodes")
    assert f"{method!r} has none. Drop steps='auto', {fix}" in msg
    assert "tolerance=" not in msg  # the user passed none


def test_steps_auto_with_a_tolerance_names_both(explainer):
    with pytest.raises(FaithlensError, match=r"\(here tolerance=0\.05\).*Drop steps='auto' and tolerance=, or choose"):
        explainer.explain("great fun", "occlusion", steps="auto", tolerance=0.05)


def test_steps_auto_with_sig_closed_names_the_mode(explainer):
    with pytest.raises(FaithlensError, match=r"'sig' in closed mode has none\. Drop steps='auto', or drop mode='closed'"):
        explainer.explain("great fun", "sig", steps="auto", mode="closed")


def test_tolerance_alone_still_names_tolerance(explainer):
    with pytest.raises(FaithlensError, match=r"'occlusion' has none\. Drop tolerance=\.$"):
        explainer.explain("great fun", "occlusion", tolerance=0.05)


def test_steps_auto_still_runs_where_it_is_read(explainer):
    e = explainer.explain("great fun", "ig", steps="auto")
    assert e.settings["tolerance"] > 0 and e.nodes  # an error-controlled run records its nodes


def test_cli_still_names_steps_auto():
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["explain", "--model", "/nonexistent-model-not-loaded", "--method", "occlusion", "--steps", "auto",
                     "great fun"])
    assert code == 2 and "--steps auto does nothing for occlusion" in err.getvalue()
    assert "tolerance" not in err.getvalue()


@pytest.mark.parametrize("method", ["dig", "dig_maxcount"])
def test_cli_steps_auto_is_refused_for_dig_which_reads_only_an_int(method):
    """dig reads an int --steps; --steps auto was dropped for it and dig ran at its default steps, silently."""
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        code = main(["explain", "--model", "/nonexistent-model-not-loaded", "--method", method, "--steps", "auto",
                     "great fun"])
    assert code == 2 and f"--steps auto does nothing for {method}; it is read by ig, sig." in err.getvalue(), err.getvalue()


# --- F8: Comparison ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("show", ["to_html", "to_terminal"])
def test_an_empty_comparison_has_nothing_to_compare(show):
    with pytest.raises(FaithlensError, match="holds no explanations: nothing to compare. Fill it with Explainer.compare"):
        getattr(Comparison(), show)()
    assert str(Comparison()) == "Comparison()" and Comparison()._repr_html_() == "<p>(no methods)</p>"


def test_a_non_explanation_is_refused_when_stored_and_when_shown(pair):
    c = Comparison(pair)
    with pytest.raises(FaithlensError, match=r"the entry 'ig' is int 3\. Store an Explanation there"):
        c["ig"] = 3
    assert c["ig"] is pair["ig"]  # nothing stored
    c.update(ig=3)  # dict.update stores without __setitem__: the view checks again
    for show in (c.to_terminal, c.to_html, c._repr_html_, c.__str__):
        with pytest.raises(FaithlensError, match=r"the entry 'ig' is int 3"):
            show()


def test_entries_of_different_texts_are_refused_naming_both(explainer, pair):
    other = explainer.explain("awful mess", "ig", steps=4)
    c = Comparison(pair)
    with pytest.raises(FaithlensError, match=r"differ in text: 'occlusion' has 'great fun', 'ig' has 'awful mess'"):
        c["ig"] = other
    c.update(ig=other)
    with pytest.raises(FaithlensError, match="differ in text") as err:
        c.to_terminal()
    assert "Spearman" not in str(err.value)


def test_a_long_text_is_shortened_in_the_message(explainer, pair):
    long = "word " * 60
    c = Comparison(pair)
    c.update(ig=explainer.explain(long, "occlusion"))
    with pytest.raises(FaithlensError, match=r"\(300 characters\)"):
        c.to_html()


def test_entries_of_different_targets_are_refused(explainer, pair):
    labels = explainer.model.labels
    other = [name for name in labels if name != pair["occlusion"].target["label"]][0]
    c = Comparison(pair)
    with pytest.raises(FaithlensError, match=f"differ in target: 'occlusion' has '{pair['occlusion'].target['label']}', "
                                             f"'ig' has '{other}'"):
        c["ig"] = explainer.explain("great fun", "ig", steps=4, target=other)


def test_replacing_an_entry_with_the_same_text_is_kept(explainer, pair):
    c = Comparison(pair)
    c["ig"] = explainer.explain("great fun", "ig", steps=8)
    assert c["ig"].settings["steps"] == 8 and "occlusion" in c.to_terminal(colour=False)


def test_compare_refuses_an_unknown_keyword_naming_compare(explainer):
    with pytest.raises(FaithlensError, match=r"^compare\(\) got the unknown keyword 'foo'\. It accepts text, methods and "
                                             r"explain\(\)'s settings: steps, baseline"):
        explainer.compare("great fun", ["occlusion"], foo=1)
    with pytest.raises(FaithlensError, match=r"Did you mean 'steps' for 'step'\?"):
        explainer.compare("great fun", ["occlusion"], step=4)
