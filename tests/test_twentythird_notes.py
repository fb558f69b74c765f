"""Issue 22, twenty-third breaker's notes: --holdout refusals quote the typed text; a .json file of strings is
described without contradiction; the web app takes steps=auto and names its own field `samples`."""

import json

import pytest
import torch
from cli_run import run

from faithlens.errors import FaithlensError


@pytest.mark.parametrize("command", [("train", "--train", "rotten_tomatoes", "--base", "no-base", "--out", "o"),
                                     ("audit", "--model", "no-model", "--data", "d.tsv"),
                                     ("facade", "hotflip", "--model", "no-model", "--data", "d.tsv")])
@pytest.mark.parametrize("typed", ["1e-400", "0", "1", "nan", "20%", "-0.1"])
def test_holdout_refusal_quotes_what_was_typed(tmp_path, monkeypatch, capsys, command, typed):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, *command, "--holdout", typed)
    assert code == 2 and f"argument --holdout: expected a fraction in (0, 1), e.g. 0.2, got {typed!r}" in err, err
    assert "Got 0.0" not in err and not (tmp_path / "o").exists()


def test_fraction_arg_keeps_a_small_fraction():
    from faithlens.options import fraction_arg

    assert fraction_arg("1e-300") == 1e-300 and fraction_arg("0.25") == 0.25


@pytest.mark.parametrize("content, said", [
    (["great fun", "awful"], "holds a JSON list whose item 1 is a JSON string (\"great fun\"), not an object"),
    ([{"text": "a", "label": 1}, 3], "holds a JSON list whose item 2 is a JSON number (3), not an object"),
    ([{"text": "a", "label": 1}, None], "holds a JSON list whose item 2 is JSON null, not an object"),
    ("great fun", "holds a JSON string, not a list"),
])
def test_a_json_file_not_of_objects_says_what_it_holds(tmp_path, content, said):
    from faithlens.data import read_file

    path = tmp_path / "texts.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(FaithlensError) as info:
        read_file(path)
    assert said in str(info.value) and "JSON list, not a list" not in str(info.value)


# --- the web app -------------------------------------------------------------------------------------------------------

HOST = {"Host": "127.0.0.1:8765"}
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def client():
    pytest.importorskip("flask", reason="the web app needs the serve extra: pip install 'faithlens[serve]'")
    from faithlens import Explainer
    from faithlens.app import Limits, create_app
    from tiny import tiny

    return create_app(Explainer(tiny("bert", dtype=torch.float64)), limits=Limits(seconds=5.0)).test_client()


@pytest.mark.parametrize("method", ["sig", "ig"])
def test_the_form_takes_steps_auto_for_sig_and_ig(client, method):
    r = client.post("/api/explain", data=f"text=great+fun&method={method}&steps=auto", content_type=FORM, headers=HOST)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()[0]["settings"]["tolerance"] == pytest.approx(7e-4)
    r = client.post("/api/explain", data=json.dumps({"text": "great fun", "method": method, "steps": "auto"}),
                    content_type="application/json", headers=HOST)
    assert r.status_code == 200 and r.get_json()[0]["settings"]["tolerance"] == pytest.approx(7e-4)
    r = client.post("/api/estimate", data=f"text=great+fun&method={method}&steps=auto", content_type=FORM, headers=HOST)
    assert r.status_code == 200 and r.get_json()["passes"] > 0


@pytest.mark.parametrize("method", ["occlusion", "dig"])
def test_steps_auto_is_refused_for_other_methods_by_the_librarys_rule(client, method):
    r = client.post("/api/explain", data=f"text=great+fun&method={method}&steps=auto", content_type=FORM, headers=HOST)
    said = r.get_json()["error"]
    assert r.status_code == 400 and f"steps='auto' does nothing for {method}; it is read by ig, sig" in said


def test_steps_other_words_still_refused(client):
    r = client.post("/api/explain", data="text=great+fun&method=sig&steps=automatic", content_type=FORM, headers=HOST)
    assert r.status_code == 400 and "must be a positive int" in r.get_json()["error"]


def test_the_apps_errors_name_its_field_samples(client):
    r = client.post("/api/explain", data="text=great+fun&method=occlusion&samples=5", content_type=FORM, headers=HOST)
    said = r.get_json()["error"]
    assert r.status_code == 400 and said.startswith("samples=5 does nothing for occlusion") and "n_samples" not in said
