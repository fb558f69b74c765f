"""Audit metrics on hand-made scores; input reduction and HotFlip on a model whose answer is known."""

import math

import pytest
import torch
from tiny import CORPUS, bert_tokenizer, tiny
from transformers import PretrainedConfig
from transformers.modeling_outputs import SequenceClassifierOutput

from faithlens.audit.hotflip import hotflip
from faithlens.audit.manipulation import Explained, Run, normalise_abs, target_metrics
from faithlens.audit.reduction import input_reduction
from faithlens.audit.report import agreement_with, audit, judge
from faithlens.stats import spearman  # the one Spearman, which the audit uses
from faithlens.audit.targets import alphanumeric_ids, stop_word_ids, stop_words, target_mask
from faithlens.model import from_pretrained_objects


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# --- hand-made scores ------------------------------------------------------------------------------

def test_stop_word_list_is_the_classic_nltk_one():
    words = stop_words()
    assert len(words) == 179 and {"the", "a", "and", "not", "i"} <= words and "film" not in words


def test_p_at_1_and_mean_attribution_by_hand():
    #          [CLS]  t1    t2    t3   [SEP] pad
    scores = torch.tensor([[0.0, -3.0, 1.0, 0.0, 0.0, 0.0],   # top = t1 (|-3|), a target
                           [0.0, 1.0, 2.0, 1.0, 0.0, 0.0],    # top = t2, not a target
                           [0.0, 1.0, 1.0, 0.0, 0.0, 0.0],    # tie t1/t2 -> earlier (t1), no target at all
                           [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])   # no attribution: a miss
    attributed = torch.tensor([[False, True, True, True, False, False]] * 4)
    targets = torch.tensor([[False, True, False, True, False, False],
                            [False, True, False, False, False, False],
                            [False, False, False, False, False, False],
                            [False, True, False, False, False, False]])
    m = target_metrics(scores=scores, attributed=attributed, targets=targets)
    assert m["n"] == 4
    assert m["p_at_1"] == pytest.approx(1 / 4)
    assert m["mean_attribution"] == pytest.approx((0.75 + 0.25 + 0 + 0) / 4)
    # MRR: row 0 rank 0 -> 1; row 1 t1 ties t3 behind t2 -> rank 1 -> 1/2; rows 2, 3 -> 0
    assert m["mrr"] == pytest.approx((1 + 0.5) / 4)
    p = normalise_abs(scores, attributed)
    assert torch.allclose(p[:3].sum(1), torch.ones(3, dtype=p.dtype)) and p[3].sum() == 0


def test_target_masks_on_ids():
    model = tiny("bert")
    ids = torch.tensor([[2, model.tokenizer.convert_tokens_to_ids("the"), model.tokenizer.convert_tokens_to_ids("film"), 3, 0]])
    attributed = torch.tensor([[False, True, True, False, False]])
    assert target_mask(model, ids, attributed, "stop_words").tolist() == [[False, True, False, False, False]]
    assert target_mask(model, ids, attributed, "first_token").tolist() == [[False, True, False, False, False]]
    stop = stop_word_ids(model)
    assert not stop[model.tokenizer.cls_token_id] and not stop[model.tokenizer.convert_tokens_to_ids("##s")]
    alnum = alphanumeric_ids(model)
    assert alnum[model.tokenizer.convert_tokens_to_ids("good")] and not alnum[model.tokenizer.convert_tokens_to_ids(",")]
    assert not alnum[model.tokenizer.convert_tokens_to_ids("##ly")] and not alnum[model.tokenizer.mask_token_id]


def test_spearman_and_agreement():
    assert spearman(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([10.0, 20.0, 30.0])) == pytest.approx(1.0)
    assert spearman(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([3.0, 2.0, 1.0])) == pytest.approx(-1.0)
    assert spearman(torch.tensor([1.0, 1.0]), torch.tensor([1.0, 2.0])) is None  # constant: undefined
    attributed = torch.tensor([[False, True, True, True]])
    ex = lambda s: Explained(Run("x"), (), torch.tensor([s], dtype=torch.float64), torch.zeros(1, 4, dtype=torch.long), attributed, 0.0)  # noqa: E731
    a = agreement_with(ex([0, 1.0, 2.0, 3.0]), ex([0, -1.0, 2.0, 3.5]))
    assert a["spearman"] == pytest.approx(1.0) and a["top1_agreement"] == 1.0


def _row(kind, rho, top1, **excess):
    """A table row; ``excess``: class -> (mean excess over occlusion, p) of a gradient method (raw p = Holm p / 3)."""
    row = {"kind": kind, "stop_words": {"share": 0.3, "top": 0.0}, "first_token": {"share": 0.1, "top": 0.0}}
    if rho is not None:
        row["vs_occlusion"] = {"spearman": rho, "top1_agreement": top1}
    if kind == "gradient":
        row["concentration"] = {c: {"share": 0.3 + d, "reference_share": 0.3, "mean_difference": d, "ci": [d - 0.1, d + 0.1],
                                    "rank_biserial": 0.9, "p": p / 3, "p_holm": p, "n": 20,
                                    "concentrates": p < 0.05 and d >= 0.10,
                                    "leans": not (p < 0.05 and d >= 0.10) and ((p < 0.05 and d >= 0.05) or (p / 3 < 0.05 and d >= 0.10))}
                                for c, (d, p) in excess.items()}
    return row


def test_verdicts_rest_on_the_tests_and_keep_unfaithful_apart_from_manipulated():
    quiet = dict(stop_words=(0.02, 0.6), first_token=(0.0, 1.0))
    ok = {"occlusion": _row("output", None, None), "saliency": _row("gradient", 0.6, 0.7, **quiet),
          "grad_x_input": _row("gradient", 0.05, 0.1, first_token=(0.03, 0.03))}  # unfaithful, tiny excess
    level, verdict, findings = judge(ok)
    assert level == "ok" and findings == [findings[0]] and "grad_x_input is unfaithful here" in findings[0]
    weak = dict(ok, saliency=_row("gradient", 0.6, 0.7, stop_words=(0.06, 0.001)))
    assert judge(weak)[0] == "caution"
    uncorrected = dict(ok, saliency=_row("gradient", 0.6, 0.7, stop_words=(0.20, 0.09)))  # p 0.03, Holm 0.09
    assert judge(uncorrected)[0] == "caution"
    one = dict(ok, saliency=_row("gradient", 0.6, 0.7, stop_words=(0.15, 0.003)))
    level, verdict, findings = judge(one)
    assert level == "untrustworthy" and "saliency on stop words" in verdict
    assert any("excess +0.15" in f and "p = 0.001, Holm 0.003, n = 20" in f for f in findings)
    not_significant = dict(ok, saliency=_row("gradient", 0.6, 0.7, stop_words=(0.40, 0.2)))
    assert judge(not_significant)[0] == "ok"


def test_concentration_is_a_paired_test_over_texts():
    from faithlens.audit.report import concentration

    model = tiny("bert")
    tok = model.tokenizer
    enc = tok(["the film was good", "the plot and the acting", "a dull film , the end"] * 3, padding=True, return_tensors="pt")
    ids = enc["input_ids"]
    attributed = enc["attention_mask"].bool() & (ids != tok.cls_token_id) & (ids != tok.sep_token_id)
    stop = stop_word_ids(model)[ids] & attributed
    ref_scores = torch.where(attributed, 1.0, 0.0).double()  # uniform: the share on stop words is their count / length
    pulled = torch.where(stop, 5.0, 1.0).double() * attributed
    ex = lambda s: Explained(Run("x"), (), s, ids, attributed, 0.0)  # noqa: E731
    t = concentration(model, ex(pulled), ex(ref_scores), "stop_words")
    share = (pulled * stop).sum(1) / pulled.sum(1)
    ref = stop.sum(1) / attributed.sum(1)
    assert t["share"] == pytest.approx(float(share.mean())) and t["reference_share"] == pytest.approx(float(ref.mean()))
    assert t["mean_difference"] == pytest.approx(float((share - ref).mean())) and t["n"] == 9
    assert t["p"] < 0.01 and t["rank_biserial"] == 1.0
    same = concentration(model, ex(ref_scores), ex(ref_scores), "stop_words")
    assert same["p"] == 1.0 and same["mean_difference"] == 0.0
    punct = concentration(model, ex(pulled), ex(ref_scores), "punctuation")
    assert punct["n"] == 3  # only the texts holding a comma
    words = concentration(model, ex(pulled), ex(ref_scores), frozenset({"film"}))
    assert words["n"] == 6 and words["mean_difference"] < 0


# --- a bag-of-words model with a known answer -------------------------------------------------------

STRENGTH = {"good": 3.0, "bad": -1.0, "awful": -2.5, "the": 0.1, "film": 0.2, "was": 0.3, "very": 0.05}


class BagOfWords(torch.nn.Module):
    """z_positive = Σ_t w_t[0] over real tokens, z_negative = 0; w_v = [strength_v, 0]."""

    def __init__(self, tokenizer):
        super().__init__()
        E = torch.zeros(len(tokenizer), 2, dtype=torch.float64)
        for word, s in STRENGTH.items():
            E[tokenizer.convert_tokens_to_ids(word), 0] = s
        self.embeddings = torch.nn.Embedding.from_pretrained(E, freeze=True)
        self.config = PretrainedConfig(num_labels=2, id2label={0: "negative", 1: "positive"}, max_position_embeddings=64)
        self.config.model_type = "bag"

    def get_input_embeddings(self):
        return self.embeddings

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, inputs_embeds=None):
        W = self.embeddings(input_ids) if inputs_embeds is None else inputs_embeds
        pos = (W[..., 0] * attention_mask).sum(1)
        return SequenceClassifierOutput(logits=torch.stack([torch.zeros_like(pos), pos], -1))


@pytest.fixture(scope="module")
def bag():
    return from_pretrained_objects(BagOfWords(bert_tokenizer()), bert_tokenizer(), name="bag")


@pytest.mark.parametrize("beam", [1, 3])
def test_input_reduction_keeps_the_decisive_word(bag, beam):
    result = input_reduction(bag, ["the film was very good", "the film was good but bad"], beam_size=beam)
    assert [result.reduced_tokens(i) for i in range(2)] == [["good"], ["good"]]
    s = result.summary()
    assert s["mean_reduced_length"] == 1.0 and s["reduced_to_stop_words_only"] == 0.0
    assert s["mean_original_length"] == pytest.approx((5 + 6) / 2)


def test_input_reduction_stops_when_every_removal_changes_the_label(bag):
    # "bad good": removing either flips or... removing "bad" keeps positive -> ["good"]
    result = input_reduction(bag, ["good , bad"], beam_size=1)
    assert result.reduced_tokens(0) == ["good"]


def test_hotflip_known_flips(bag):
    # G is the same for every token, so the first flippable token goes first, and the most
    # negative whole word ("awful", -2.5) replaces it. "the film was good" = 3.6 -> 1.0 -> -1.7: 2 flips.
    result = hotflip(bag, ["the film was good", "the , was good very"])
    assert result.flips[0] == 2
    assert result.summary(examples=1)["examples"][0]["flipped"] == ["awful", "awful", "was", "good"]
    s = hotflip(bag, ["good good good good"]).summary()  # 12 - 5.5k: three flips
    assert s["success_rate"] == 1.0 and s["flip@1"] == 0.0 and s["flip@2"] == 0.0 and s["flip@3"] == 1.0
    # the comma is never flipped
    assert "," in result.summary()["examples"][1]["flipped"]


def test_audit_runs_on_a_tiny_model():
    report = audit(tiny("bert"), CORPUS[:3], steps=4, n_examples=2, progress=False)
    assert report.level == "inconclusive"  # 3 texts: no paired test can reach p < 0.05
    assert set(report.methods) == {"saliency", "grad_x_input", "ig", "sig:reverse", "occlusion", "sig:closed"}
    # closed-form SIG is exactly occlusion
    assert report.methods["sig:closed"]["vs_occlusion"]["top1_agreement"] == 1.0
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "faithlens audit" in report.to_markdown()


def test_html_escapes_tokens():
    from faithlens.audit.report import AuditReport

    row = {"kind": "output", "stop_words": {"share": 0.1, "top": 0.0}, "first_token": {"share": 0.1, "top": 0.0}, "seconds": 0.1}
    report = AuditReport(model="<m>", n=1, score="logit", methods={"occlusion": row}, verdict="v", level="ok", findings=[],
                         examples=[{"text": "<b>x</b>", "tokens": ["<b>", "x"], "special": [False, False], "prediction": "p",
                                    "scores": {"occlusion": [0.5, -0.5]},
                                    "words": {"occlusion": [[0, 3, 0.5], [3, 4, -0.5]]}}])
    page = report.to_html()
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert page.count('class="w"') == 2  # one coloured span per word, on the views' shared colour scale


def test_a_token_class_with_spaces_or_that_never_occurs_is_refused_before_explaining(monkeypatch, tmp_path, capsys):
    """Seventh breaker A4: --token-class "movie film" became one word that never matches a token, and a word
    absent from the texts gave null statistics with no note; both ran with exit 0."""
    import faithlens.audit.report as report
    from faithlens.cli import main
    from faithlens.errors import FaithlensError

    monkeypatch.setattr(report, "explain_runs", lambda *a, **k: pytest.fail("explaining started"))
    with pytest.raises(FaithlensError) as info:
        audit(tiny("bert"), CORPUS[:3], classes=[frozenset({"movie film"})], progress=False)
    assert "'movie film' holds a space" in str(info.value) and "--token-class movie,film" in str(info.value)
    with pytest.raises(FaithlensError) as info:
        audit(tiny("bert"), CORPUS[:1], classes=["stop_words", frozenset({"movie", "acting"})], progress=False)
    assert "The token class (words: acting, movie) matches no token of the 1 texts" in str(info.value)
    assert "not a whole token" not in str(info.value)  # both are words of the vocabulary, absent from the text
    with pytest.raises(FaithlensError) as info:
        audit(tiny("bert"), CORPUS[:3], classes=[frozenset({"zzzqqq"})], progress=False)
    assert "'zzzqqq' is not a whole token of the model's vocabulary" in str(info.value)
    assert main(["audit", "--model", str(tmp_path / "no-model"), "--token-class", "movie film"]) == 2  # before loading
    assert "holds a space" in capsys.readouterr().err


def test_a_token_class_path_that_is_missing_or_a_folder_is_refused(tmp_path, capsys):
    """`--token-class words/nofile.txt` was read as the literal word 'words/nofile.txt'."""
    from faithlens.cli import main

    gone = tmp_path / "no-model"
    for value, words in [("words/nofile.txt", "--token-class words/nofile.txt: no such file"),
                         ("stop.txt", "--token-class stop.txt: no such file"),
                         (str(tmp_path), "is a folder")]:
        assert main(["audit", "--model", str(gone), "--token-class", value]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, err
    path = tmp_path / "class.txt"
    path.write_bytes(b"\xff\xfe movie")
    assert main(["audit", "--model", str(gone), "--token-class", str(path)]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


def test_too_few_texts_give_an_inconclusive_verdict_and_unread_steps_are_refused(saved_tiny, tmp_path, capsys):
    """Below 5 texts no one-sided Wilcoxon test reaches p < 0.05 (1/2^4 = 0.0625): the verdict is 'inconclusive', never
    'ok'; from 5 texts the tests can decide. facade saliency --steps with no IG/SIG run is refused before any work."""
    from faithlens.audit.manipulation import saliency_manipulation
    from faithlens.audit.report import MIN_TEXTS
    from faithlens.cli import main
    from faithlens.errors import FaithlensError
    from faithlens.stats import wilcoxon

    # the threshold: the smallest one-sided p of n pairs is 1/2^n
    assert wilcoxon([1, 2, 3, 4], [0] * 4, alternative="greater")["p"] == 0.0625 > 0.05
    assert wilcoxon([1, 2, 3, 4, 5], [0] * 5, alternative="greater")["p"] == 0.03125 and MIN_TEXTS == 5
    model = tiny("bert")
    one = audit(model, CORPUS[:1], steps=2, n_examples=1, progress=False)
    assert one.level == "inconclusive" and "Too few texts (1)" in one.verdict and "Verdict (inconclusive)" in one.to_markdown()
    five = audit(model, CORPUS[:5], steps=2, n_examples=1, progress=False)
    assert five.level in {"ok", "caution", "untrustworthy"}
    with pytest.raises(FaithlensError, match=r"steps=5 does nothing for occlusion: it sets the steps of IG and SIG"):
        saliency_manipulation(model, CORPUS[:2], runs=[("occlusion", "reverse")], steps=5, progress=False)
    with pytest.raises(FaithlensError, match=r"steps=5 does nothing for sig:closed, saliency:"):
        saliency_manipulation(model, CORPUS[:2], runs=[("sig", "closed"), ("saliency", "reverse")], steps=5, progress=False)
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"{t}\t{i % 2}\n" for i, t in enumerate(CORPUS)))
    code = main(["facade", "saliency", "--model", str(saved_tiny), "--data", str(data), "--limit", "2",
                 "--methods", "occlusion", "--steps", "5"])
    assert code != 0 and "--steps 5 does nothing for occlusion" in capsys.readouterr().err
    assert main(["facade", "saliency", "--model", str(saved_tiny), "--data", str(data), "--limit", "2",
                 "--methods", "occlusion,ig", "--steps", "2"]) == 0
