"""The fiftieth breaker's remaining findings, then the fifty-first's and fifty-second's: views that showed
explanations of different texts or models under one header, a bad ``max_memory`` or a missing GPU blamed on the model's
files, hand-built baselines and metric inputs that broadcast or index out of range, `train_facade` arguments read
loosely, continuations that failed deep in torch, another model's explanations measured, k = 0 averaged in as 0, an
audit report written over its own plot, paths too long for the system, a text past csv's field limit, and the minor
notes (a file read with a split, 'Default', curves listed in another order, a word file with a comment line). Each is
a clear refusal before any work, or a result that is the same as the well-formed call's."""

from __future__ import annotations

import pytest
import torch

from faithlens.errors import FaithlensError
from tiny import save_tiny


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    import faithlens

    root = tmp_path_factory.mktemp("m")
    out = {kind: faithlens.load_model(str(save_tiny(root / kind, kind))) for kind in ("bert", "gpt2_lm")}
    out["bert3"] = faithlens.load_model(str(save_tiny(root / "bert3", "bert", num_labels=3, seed=1)))
    return out


@pytest.fixture(scope="module")
def two(models):
    import faithlens

    bert = models["bert"]
    return (faithlens.explain("the movie was good", "occlusion", model=bert),
            faithlens.explain("bad movie", "occlusion", model=bert),
            faithlens.explain("the movie was good", "ig", model=bert, steps=2))


def test_views_refuse_explanations_of_different_texts_or_models_and_show_one_text(models, two):
    import faithlens
    from faithlens.views import render_html, render_terminal

    a, other_text, b = two
    with pytest.raises(FaithlensError, match=r"entry 0 \('occlusion'\) and entry 1 \('occlusion'\) differ in text: "
                                             r"'the movie was good' and 'bad movie'"):
        render_terminal([a, other_text], colour=False)
    nli = faithlens.explain("the movie was good", "occlusion", model=models["bert3"])
    with pytest.raises(FaithlensError, match="render_html \\(group 0\\) .* differ in model"):
        render_html([[a, nli]])
    shown = render_terminal([a, b], colour=False)  # one text, two methods: both rows under one header
    assert shown.count("prediction:") == 1 and "occlusion:" in shown and "ig:" in shown
    page = render_html([[a, b], [other_text]])
    assert page.count('<h2 class="txt">') == 2


@pytest.mark.parametrize("call, message", [
    (lambda v, e: v.render_terminal([]), "got an empty list: nothing to show"),
    (lambda v, e: v.render_terminal(e), "got one Explanation. Pass \\[explanation\\]"),
    (lambda v, e: v.render_terminal([e, "x"]), "entry 1 is str 'x', not an Explanation"),
    (lambda v, e: v.render_html([[]]), "group 0\\) got an empty list"),
    (lambda v, e: v.render_html([]), "a non-empty list of groups"),
    (lambda v, e: v.render_html(e), "a non-empty list of groups, one list of explanations per text"),
])
def test_views_refuse_what_is_not_a_list_of_explanations(two, call, message):
    from faithlens import views

    with pytest.raises(FaithlensError, match=message):
        call(views, two[0])


def test_an_explanation_is_plainly_unhashable_and_to_json_takes_allow_nan(two):
    import json

    e = two[0]
    with pytest.raises(TypeError, match="unhashable type: 'Explanation'"):
        hash(e)
    assert json.loads(e.to_json(allow_nan=False)) == json.loads(e.to_json())
    assert json.loads(e.to_json(allow_nan=True, indent=1))["text"] == "the movie was good"


def test_max_memory_is_checked_as_a_size_and_needs_a_device_map(tmp_path):
    import faithlens

    folder = str(save_tiny(tmp_path / "b", "bert"))
    with pytest.raises(FaithlensError, match=r"max_memory: 'lots' \(for device 'cpu'\) is not a size; use bytes"):
        faithlens.load_model(folder, device_map="auto", max_memory={"cpu": "lots"})
    with pytest.raises(FaithlensError, match="without device_map it would be ignored"):
        faithlens.load_model(folder, max_memory={"cpu": "1GiB"})
    with pytest.raises(FaithlensError, match="non-empty dict of device → size"):
        faithlens.load_model(folder, device_map="auto", max_memory=["1GiB"])
    with pytest.raises(FaithlensError, match="'option' parameter is how errors name the model"):
        faithlens.load_model(folder, option=3)
    loaded = faithlens.load_model(folder, device_map="cpu", max_memory={"cpu": "1GiB"})
    assert loaded.device.type == "cpu"


def test_a_hand_built_baseline_is_checked_and_a_kind_gives_the_same_numbers(models):
    from faithlens import metrics
    from faithlens.baselines import Baseline, resolve_baseline

    for args, message in [(("junk", 4, None), "kind 'junk' is not one of"), (("mask", -1, None), "an int ≥ 0"),
                          (("mask", None, None), "needs the token id"), (("zero", 3, None), "has no token id")]:
        with pytest.raises(FaithlensError, match=message):
            Baseline(*args)
    bert = models["bert"]
    enc = metrics.encode(bert, ["the movie was good", "bad movie"])
    scores = torch.arange(enc.input_ids.numel(), dtype=torch.float32).reshape(enc.input_ids.shape)
    with pytest.raises(FaithlensError, match=r"token_id 99999 is not in the vocabulary .* resolve_baseline\(model, 'mask'\)"):
        metrics.faithfulness(bert, enc, scores, baseline=Baseline("mask", 99999, "[MASK]"))
    by_kind = metrics.faithfulness(bert, enc, scores, baseline="mask")
    by_object = metrics.faithfulness(bert, enc, scores, baseline=resolve_baseline(bert, "mask"))
    torch.testing.assert_close(by_kind.comprehensiveness, by_object.comprehensiveness, rtol=0, atol=0, equal_nan=True)
    assert by_kind.k.tolist() == [0, 0] and bool(torch.isnan(by_kind.comprehensiveness).all())  # k = 0: not measured


def test_metric_primitives_refuse_shapes_that_would_broadcast():
    from faithlens import metrics

    with pytest.raises(FaithlensError, match=r"p_original \(3, 1\), p_deleted \(3,\)"):
        metrics.comprehensiveness(p_original=torch.rand(3, 1), p_deleted=torch.rand(3))
    with pytest.raises(FaithlensError, match="p_kept must be a torch tensor"):
        metrics.sufficiency(p_original=torch.rand(3), p_kept=[0.1, 0.2, 0.3])
    p, q = torch.tensor([0.9, 0.5]), torch.tensor([0.4, 0.5])
    assert torch.allclose(metrics.comprehensiveness(p_original=p, p_deleted=q), torch.tensor([0.5, 0.0]))
    with pytest.raises(FaithlensError, match="integer tensor of token counts ≥ 0"):
        metrics.top_k_count(torch.tensor([-3]), fraction=0.5)
    with pytest.raises(FaithlensError, match="integer tensor of token counts"):
        metrics.top_k_count(torch.tensor([4.0]), fraction=0.5)
    assert metrics.top_k_count(torch.tensor([10, 4, 0]), fraction=0.2).tolist() == [2, 0, 0]


def test_encode_checks_truncate_and_continuations_before_tokenizing(models):
    from faithlens import metrics

    gpt, bert = models["gpt2_lm"], models["bert"]
    with pytest.raises(FaithlensError, match="truncate must be True or False. Got str 'yes'"):
        metrics.encode(bert, ["a b"], truncate="yes")
    with pytest.raises(FaithlensError, match=r"one list of token ids per text \(2 texts\)"):
        metrics.encode(gpt, ["a", "b"], continuations=[[5]])
    rows = gpt.embedding_matrix.shape[0]
    with pytest.raises(FaithlensError, match=rf"continuations\[0\] must be a non-empty list of token ids, ints in \[0, {rows}\)"):
        metrics.encode(gpt, ["a"], continuations=[[rows]])
    with pytest.raises(FaithlensError, match="not a causal LM"):
        metrics.encode(bert, ["a"], continuations=[[5]])
    enc = metrics.encode(gpt, ["a"], continuations=[[5, 6]])
    assert enc.input_ids[0, -1].item() == 5  # the last continuation token is predicted, not fed


def test_train_facade_arguments_are_checked_before_any_training(models, tmp_path):
    import faithlens
    from faithlens.audit import FacadeSettings, train_facade

    bert = models["bert"]
    texts = ["the movie was good.", "a bad movie, truly.", "I liked the movie a lot", "the movie is weak"]
    quick = FacadeSettings(steps=1, eval_every=1, heldout=2, batch_size=2)
    (tmp_path / "ok.csv").write_text("x")
    for kwargs, message in [
        (dict(overwrite="yes"), "overwrite must be True or False"),
        (dict(settings={"steps": 1}), "must be a FacadeSettings.*FacadeSettings\\(\\*\\*d\\)"),
        (dict(settings=FacadeSettings(seed=-1, steps=1, eval_every=1, heldout=2, batch_size=2)),
         "'seed' setting of the facade must be an int"),
        (dict(out_dir=tmp_path / "ok.csv"), "ok.csv' is a file; expected a folder"),
    ]:
        call = dict(out_dir=tmp_path / "f", settings=quick, progress=False) | kwargs
        with pytest.raises(FaithlensError, match=message):
            train_facade(bert, texts, texts[:2], **call)
    with pytest.raises(FaithlensError, match="takes the target as a loaded model"):
        train_facade(bert.name, texts, texts[:2], out_dir=tmp_path / "f", settings=quick, progress=False)
    assert not (tmp_path / "f").exists()
    assert faithlens  # the refusals wrote nothing


def test_load_dataset_refuses_a_split_of_a_file_and_an_empty_name(tmp_path):
    from faithlens.data import load_dataset

    path = tmp_path / "d.csv"
    path.write_text("text,label\ngood,1\nbad,0\n")
    with pytest.raises(FaithlensError, match="split='train' picks a split of 'rotten_tomatoes'.* is a file, read whole"):
        load_dataset(str(path), split="train")
    assert load_dataset(str(path)).texts == ("good", "bad")
    with pytest.raises(FaithlensError, match="load_dataset was given an empty name"):
        load_dataset("")


def test_mixed_label_kinds_name_both_lines(tmp_path):
    from faithlens.data import load_dataset

    path = tmp_path / "m.csv"
    path.write_text("text,label\na,0\nb,1\nc,pos\n")
    with pytest.raises(FaithlensError, match="line 2 has '0', line 4 has 'pos'"):
        load_dataset(str(path))


def test_default_in_any_case_is_the_bundled_model_unless_a_folder_has_that_name(tmp_path, monkeypatch):
    from faithlens.model import is_default_name

    monkeypatch.chdir(tmp_path)
    assert is_default_name("Default") and is_default_name(" DEFAULT ") and is_default_name(None)
    assert not is_default_name("defaults")
    (tmp_path / "Default").mkdir()
    assert not is_default_name("Default")  # a folder here is what the user means


def test_agreement_on_a_causal_lm_says_what_it_is_for(models):
    from faithlens.audit.merge import agreement

    with pytest.raises(FaithlensError, match="a causal LM has no class to agree on"):
        agreement(models["gpt2_lm"], models["gpt2_lm"], ["a b"])


def test_a_causal_lm_encoding_without_continuations_says_how_to_give_one(models):
    from faithlens import metrics

    gpt = models["gpt2_lm"]
    enc = metrics.encode(gpt, ["a b"])
    with pytest.raises(FaithlensError, match="none was given. Encode its token ids .*continuations="):
        metrics.faithfulness(gpt, enc, torch.ones(enc.input_ids.shape), baseline="eos")


def test_a_word_file_with_a_comment_line_names_the_line(tmp_path, monkeypatch, capsys):
    from faithlens.cli import main

    monkeypatch.chdir(tmp_path)
    bert = save_tiny(tmp_path / "b", "bert")
    (tmp_path / "words.txt").write_text("movie\n# my words\nfilm\n")
    (tmp_path / "t.txt").write_text("the movie was good\n")
    assert main(["audit", "--model", str(bert), "--data", "t.txt", "--token-class", "./words.txt"]) == 2
    assert "line 2 holds several words ('# my words')" in capsys.readouterr().err


def test_a_word_class_of_no_words_from_python_gives_the_python_form(models):
    from faithlens.audit import audit

    with pytest.raises(FaithlensError, match=r"classes=\[frozenset\(\{'movie', 'film'\}\)\] \(CLI"):
        audit(models["bert"], ["the movie was good"] * 5, classes=(set(),), steps=2, progress=False)


def test_curves_are_a_set_of_fractions_a_run_resumed_in_another_order_is_the_same_run(tmp_path):
    from tiny import CORPUS, tiny

    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate, read_records

    model, data = tiny("bert"), Dataset(tuple(CORPUS[:4]), (1, 1, 0, 1), source="corpus")
    evaluate(model, data, methods=["grad_x_input"], out=tmp_path, progress=False, stop_after=2, curves=[0.5, 0.1])
    resumed = evaluate(model, data, methods=["grad_x_input"], out=tmp_path, progress=False, curves=[0.1, 0.5])
    whole = evaluate(model, data, methods=["grad_x_input"], progress=False, curves=[0.1, 0.5])
    records = read_records(tmp_path / "records.jsonl")
    assert len(records) == 4 and {tuple(r["curve"]["fractions"]) for r in records} == {(0.1, 0.5)}
    assert resumed.curves == whole.curves and resumed.curves["grad_x_input"]["fractions"] == [0.1, 0.5]


def test_a_word_class_too_few_texts_hold_shows_untested_not_a_p_value():
    from tiny import CORPUS, tiny

    from faithlens.audit import audit

    report = audit(tiny("bert"), CORPUS, steps=2, n_examples=0, progress=False, classes=["stop_words", {"acting"}])
    assert report.methods["ig"]["concentration"]["words: acting"]["n"] == 2
    md = report.to_markdown()
    header = [c.strip() for c in next(line for line in md.splitlines() if line.startswith("| method |")).strip("|").split("|")]
    row = [c.strip() for c in next(line for line in md.splitlines() if line.startswith("| ig |")).strip("|").split("|")]
    assert row[header.index("Holm p, acting")] == "untested"
    assert "too few for a paired test" in " ".join(report.findings)


def test_merge_models_refuses_the_facade_and_target_swapped_and_a_model_that_is_no_facade(tmp_path):
    import faithlens
    from tiny import save_tiny_facade

    from faithlens.audit import merge_models

    target_folder = save_tiny(tmp_path / "t", "bert")
    target = faithlens.load_model(str(target_folder))
    facade = faithlens.load_model(str(save_tiny_facade(tmp_path / "g", target_folder)))
    with pytest.raises(FaithlensError, match="takes the target model first and its facade second.*is a facade"):
        merge_models(facade, target)
    other = faithlens.load_model(str(save_tiny(tmp_path / "o", "bert", seed=3)))
    with pytest.raises(FaithlensError, match="is not a facade: its folder holds no faithlens_facade.json"):
        merge_models(target, other)
    merged = merge_models(target, facade)
    assert merged.labels == target.labels


def test_faithfulness_of_another_models_explanations_of_the_same_tokens_is_refused(models):
    import faithlens
    from faithlens import metrics

    e = faithlens.explain("the movie was good and fun", "occlusion", model=models["bert"])
    with pytest.raises(FaithlensError, match=r"Explanation 0 \(occlusion\) was made by the model .*weights"):
        metrics.explanation_faithfulness(models["bert3"], [e], baseline="mask")
    own = metrics.explanation_faithfulness(models["bert"], [e], baseline="mask")
    assert own.k.tolist() == [1]


@pytest.mark.parametrize("target, message", [
    (torch.tensor([[0.5]]), "integer tensor of class indices in \\[0, 2\\)"),
    (torch.tensor([[5]]), "in \\[0, 2\\)"),
    (torch.tensor([[-1]]), "in \\[0, 2\\)"),
    (torch.tensor([0]), "must be a \\(1, 1\\) integer tensor"),
    (0, "Got int 0"),
])
def test_a_faithfulness_target_is_a_class_per_text(models, target, message):
    from faithlens import metrics

    bert = models["bert"]
    enc = metrics.encode(bert, ["the movie was good"])
    with pytest.raises(FaithlensError, match=message):
        metrics.faithfulness(bert, enc, torch.ones(enc.input_ids.shape), baseline="mask", target=target)
    one = metrics.faithfulness(bert, enc, torch.ones(enc.input_ids.shape), baseline="mask", target=torch.tensor([[1]]))
    assert one.predicted.tolist() == [[1]]


def test_a_curve_point_with_k_zero_is_null_and_left_out_of_its_mean(tmp_path):
    from tiny import tiny

    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate, read_records

    data = Dataset(("good film", "the movie is not good but the acting was great"), (1, 1), source="two")
    result = evaluate(tiny("bert"), data, methods=["occlusion"], out=tmp_path, progress=False, curves=[0.1, 0.5])
    records = {r["text"]: r for r in read_records(tmp_path / "records.jsonl")}
    short, long = records["good film"]["curve"], records[data.texts[1]]["curve"]
    assert short["sufficiency"][0] is None and long["sufficiency"][0] is not None  # 10 % of 2 words: k = 0
    assert result.curves["occlusion"]["sufficiency"][0]["n"] == 1
    assert result.curves["occlusion"]["sufficiency"][0]["mean"] == pytest.approx(long["sufficiency"][0])
    assert result.curves["occlusion"]["sufficiency"][1]["n"] == 2


@pytest.mark.skipif(torch.cuda.is_available(), reason="names a GPU that a CUDA machine has")
def test_a_device_map_naming_a_gpu_this_machine_lacks_says_so(tmp_path):
    import faithlens

    folder = str(save_tiny(tmp_path / "b", "bert"))
    for kwargs in (dict(device_map="cuda:0"), dict(device_map={"": "cuda:1"}), dict(device_map="auto", max_memory={0: "1GB"})):
        with pytest.raises(FaithlensError, match="and this machine has no CUDA GPU"):
            faithlens.load_model(folder, **kwargs)
    limits = {"cpu": "1GB"}
    faithlens.load_model(folder, device_map="auto", max_memory=limits)
    assert limits == {"cpu": "1GB"}  # the caller's dict as given (accelerate edits the one it gets)


def test_a_path_too_long_for_the_system_is_a_clear_error_on_the_command_line(tmp_path, monkeypatch, capsys):
    from faithlens.cli import main

    monkeypatch.chdir(tmp_path)
    bert = save_tiny(tmp_path / "b", "bert")
    long = "x" * 300
    assert main(["explain", "good film", "--model", str(bert), "--method", "occlusion", "--html", f"{long}.html"]) == 2
    assert "is too long for this system (a name in a path holds at most 255 bytes" in capsys.readouterr().err
    assert main(["evaluate", "--model", str(bert), "--data", f"{long}.tsv"]) == 2
    assert "too long for this system" in capsys.readouterr().err


def test_a_token_baseline_names_its_token():
    from faithlens.baselines import Baseline

    with pytest.raises(FaithlensError, match="A 'token' baseline names its vocabulary entry"):
        Baseline("token", 4, None)
    assert Baseline("token", 4, "[MASK]").token == "[MASK]"


def test_a_curve_point_an_older_run_wrote_as_zeros_is_read_as_not_measured():
    from faithlens.evaluate import summarise_curves

    def record(index, lo, comp, suff):
        return {"index": index, "method": "ig", "curve": {"fractions": [0.5, 0.1], "log_odds": lo,
                                                          "comprehensiveness": comp, "sufficiency": suff}}
    records = [record(0, [-1.0, 0.0], [0.4, 0.0], [0.1, 0.0]),  # k = 0 at 0.1, written as 0.0 before it was null
               record(1, [-2.0, -0.5], [0.6, 0.2], [0.0, 0.3])]  # a real 0.0 sufficiency stays a measurement
    curves = summarise_curves(records, ["ig"])["ig"]
    assert curves["fractions"] == [0.1, 0.5]
    assert curves["sufficiency"][0] == {"mean": 0.3, "sem": None, "n": 1}
    assert curves["sufficiency"][1]["n"] == 2 and curves["sufficiency"][1]["mean"] == pytest.approx(0.05)


def test_an_audit_report_named_as_one_of_its_plots_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    from faithlens.cli import main

    monkeypatch.chdir(tmp_path)
    bert = save_tiny(tmp_path / "b", "bert")
    (tmp_path / "a.tsv").write_text("text\nthe movie was good\na bad movie\n")
    for argv, plot in ((["--markdown", "o/r.md", "--html", "o/r_shares.png"], "r_shares.png"),
                       (["--html", "o/r.html", "--json", "o/r_agreement.svg"], "r_agreement.svg"),
                       (["--json", "o/sanity.png", "--sanity"], "sanity.png")):
        assert main(["audit", "--model", str(bert), "--data", "a.tsv", "--steps", "2", *argv]) == 2
        err = capsys.readouterr().err
        assert "is the name of a plot the audit writes beside its reports" in err and plot in err
    assert not (tmp_path / "o").exists()  # refused before any work: nothing written


def test_rationales_of_a_pair_file_say_it_holds_pairs_and_any_polarity_reads_no_label(tmp_path):
    import json

    from faithlens.plausibility import sst2_lexicon_rationales

    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\ngreat\t1\nawful\t0\nthe film\t1\n")
    pairs = tmp_path / "snli.jsonl"
    pairs.write_text(json.dumps({"premise": "a great film", "hypothesis": "it is awful", "label": "neutral"}) + "\n")
    for polarity in ("label", "any"):
        with pytest.raises(FaithlensError, match="holds pairs of texts .* an SST-2 file holds one sentence a row"):
            sst2_lexicon_rationales(train, pairs, polarity=polarity)
    odd = tmp_path / "odd.tsv"
    odd.write_text("sentence\tlabel\nthe film is great\tneutral\n")
    for polarity in ("label", "any"):  # a label column is read (and written) with either polarity
        with pytest.raises(FaithlensError, match="must be a GLUE SST-2 file .*reading it as one failed: The gold label 'neutral'"):
            sst2_lexicon_rationales(train, odd, polarity=polarity)
    odd.write_text("sentence\nthe film is great\n")
    lines = sst2_lexicon_rationales(train, odd, polarity="any")  # no label column: none is needed
    assert lines == [{"index": 0, "text": "the film is great", "label": None, "spans": [[12, 17]],
                      "note": "SST single-word phrases: great"}]


def test_a_too_long_path_is_shown_up_to_its_too_long_name(tmp_path, monkeypatch, capsys):
    from faithlens.cli import main

    monkeypatch.chdir(tmp_path)
    bert = save_tiny(tmp_path / "b", "bert")
    (tmp_path / "d.tsv").write_text("sentence\tlabel\ngood film\t1\n")
    assert main(["evaluate", "--model", str(bert), "--data", "d.tsv", "--methods", "occlusion",
                 "--out", "o/" + "y" * 300]) == 2
    err = capsys.readouterr().err
    assert "the path 'o/yyyy" in err and "yyyy' is too long" in err and "safetensors" not in err
    assert not (tmp_path / "o").exists()


def test_train_facade_without_progress_shows_no_bars(models, tmp_path, capfd):
    from faithlens.audit import FacadeSettings, train_facade

    texts = ["the movie was good.", "a bad movie, truly.", "I liked the movie a lot", "the movie is weak"]
    train_facade(models["bert"], texts, texts[:2], out_dir=tmp_path / "f", progress=False,
                 settings=FacadeSettings(steps=1, eval_every=1, heldout=2, batch_size=2))
    captured = capfd.readouterr()
    assert "Writing model shards" not in captured.err and "it/s" not in captured.err
    assert (tmp_path / "f" / "faithlens_facade.json").exists()


def test_a_text_longer_than_csvs_field_limit_is_read_whole(tmp_path, monkeypatch, capsys):
    import json

    from faithlens.cli import main
    from faithlens.data import load_dataset

    monkeypatch.chdir(tmp_path)
    bert = save_tiny(tmp_path / "b", "bert")
    long = "bad " * 50_000  # 200 kB: past csv's default limit of 131,072 characters a field
    (tmp_path / "big.tsv").write_text(f"sentence\tlabel\ngood film\t1\n{long}\t0\n")
    (tmp_path / "big.csv").write_text(f'text,label\ngood film,1\n"{long}",0\n')
    for name in ("big.tsv", "big.csv"):
        data = load_dataset(str(tmp_path / name))
        assert data.texts[1].strip() == long.strip() and data.labels == (1, 0)
    (tmp_path / "big.txt").write_text(f"good film\n{long}\n")
    assert main(["explain", "--model", str(bert), "--method", "occlusion", "--file", "big.txt", "--truncate",
                 "--no-faithfulness", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[1]["truncated"] is True


def test_faithlens_home_with_surrounding_white_space_is_refused(tmp_path, monkeypatch):
    from faithlens.cache_home import cache_root

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAITHLENS_HOME", f" {tmp_path / 'home'}")
    with pytest.raises(FaithlensError, match="begins or ends with white space"):
        cache_root()
    assert not (tmp_path / " ").exists()


def test_a_run_resumed_with_another_batch_size_says_its_records_agree_only_to_rounding(tmp_path):
    import json
    import warnings

    from tiny import CORPUS, tiny

    from faithlens.data import Dataset
    from faithlens.errors import FaithlensWarning
    from faithlens.evaluate import evaluate

    model, data = tiny("bert"), Dataset(tuple(CORPUS), (1, 1, 0, 1, 0, 0), source="corpus")
    evaluate(model, data, methods=["grad_x_input"], out=tmp_path, progress=False, stop_after=2, batch_size=2)
    with pytest.warns(FaithlensWarning, match="began with a batch size of 2; resumed with 3, .*float rounding"):
        evaluate(model, data, methods=["grad_x_input"], out=tmp_path, progress=False, stop_after=4, batch_size=3)
    assert json.loads((tmp_path / "settings.json").read_text())["batch_size"] == 2  # the records' own
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        evaluate(model, data, methods=["grad_x_input"], out=tmp_path, progress=False, batch_size=2)


def test_one_shapley_permutation_says_its_sampling_error_cannot_be_measured(models):
    import faithlens

    text = "the movie was really good and fun"
    one = faithlens.explain(text, "shapley", model=models["bert"], n_samples=1)
    assert any("one random draw (n_samples=1) has no measurable sampling error" in w for w in one.warnings)
    assert one.error["kind"] == "sampling" and one.error["relative"] is None
    assert one.error["completeness"]["relative"] == pytest.approx(0.0, abs=1e-5)  # met by construction, not accuracy
    two = faithlens.explain(text, "shapley", model=models["bert"], n_samples=2)
    assert two.error["kind"] == "sampling" and two.error["relative"] is not None


def test_evaluate_says_which_methods_rest_on_inexact_scores_and_names_examples_and_specs(tmp_path):
    from tiny import tiny

    from faithlens.data import Dataset
    from faithlens.errors import FaithlensWarning
    from faithlens.evaluate import evaluate, read_records

    model = tiny("bert")
    data = Dataset(("fine", "the movie was really good and fun", "a bad plot"), (1, 1, 0), source="three")
    with pytest.warns(FaithlensWarning) as seen:
        evaluate(model, data, methods=["ig:steps=1", "occlusion", "shapley:n_samples=1"], out=tmp_path, progress=False,
                 shuffle=False)
    said = [str(w.message) for w in seen]
    assert any(m.startswith("ig:steps=1: its scores' completeness gap exceeds 1% on") for m in said)
    assert any(m.startswith("shapley:n_samples=1: its scores' sampling error could not be measured on 3 of 3") for m in said)
    assert not any(m.startswith("occlusion") for m in said)
    records = read_records(tmp_path / "records.jsonl")
    assert {r["method"]: r["error"]["kind"] for r in records} == {"ig:steps=1": "completeness", "occlusion": "exact",
                                                                "shapley:n_samples=1": "sampling"}
    with pytest.raises(FaithlensError, match=r"Method kernel_shap:n_samples=3: Example 2 \(.a bad plot.\): kernel_shap with 3 samples .*"
                                             r"kernel_shap:n_samples=200 in --methods"):
        evaluate(model, data, methods=["kernel_shap:n_samples=3"], progress=False, shuffle=False)
    with pytest.raises(FaithlensError, match="Use lime:n_samples=50 or more in --methods"):
        evaluate(model, data, methods=["lime:n_samples=1"], progress=False, shuffle=False)
