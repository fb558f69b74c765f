"""Issue 22, nineteenth breaker F1, F2, F9 and note 10: the web app's bodies, query strings, estimates and the form's
two boxes, through the Flask test client (no server)."""

import json

import pytest
import torch

pytest.importorskip("flask", reason="the web app needs the serve extra: pip install 'faithlens[serve]'")

from faithlens import Explainer, FaithlensError  # noqa: E402
from faithlens.app import Limits, create_app  # noqa: E402
from tiny import tiny  # noqa: E402

HOST = {"Host": "127.0.0.1:8765"}
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def explainer():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.fixture(scope="module")
def app(explainer):
    return create_app(explainer, limits=Limits(seconds=5.0), models={"other": Explainer(tiny("bert", seed=1))})


@pytest.fixture
def client(app):
    return app.test_client()


def error(response):
    return response.status_code, response.get_json()["error"]


# --- F1: JSON sent with curl -d's default Content-Type ----------------------------------------------------------------

@pytest.mark.parametrize("body", ['{"texts":["great fun"],"methods":["occlusion"]}', '  ["great fun"]',
                                  '{"text": "rock & roll", "methods": ["occlusion"]}'])
def test_json_sent_as_a_form_names_the_header(client, body):
    status, said = error(client.post("/api/explain", data=body, content_type=FORM, headers=HOST))
    assert status == 415 and "Content-Type: application/json" in said and "Unknown parameter" not in said


def test_a_real_form_body_still_runs(client):
    r = client.post("/api/explain", data="text=great+fun&method=occlusion", content_type=FORM, headers=HOST)
    assert r.status_code == 200 and [e["text"] for e in r.get_json()] == ["great fun"]


# --- F2: a POST reads its body only ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/explain", "/api/estimate", "/explain"])
@pytest.mark.parametrize("how", ["json", "form"])
def test_a_post_with_a_query_string_is_refused_naming_it(client, path, how):
    query = "?model=other&target=negative&bogus=1"
    if how == "json":
        r = client.post(path + query, data=json.dumps({"texts": ["great fun"], "methods": ["occlusion"]}),
                        content_type="application/json", headers=HOST)
    else:
        r = client.post(path + query, data="text=great+fun&method=occlusion", content_type=FORM, headers=HOST)
    assert r.status_code == 400
    said = r.get_json()["error"] if path.startswith("/api/") else r.get_data(as_text=True)
    said = said.replace("&#x27;", "'")
    assert "'model', 'target', 'bogus'" in said and "Put them in the body" in said


def test_a_query_text_beside_a_form_text_is_refused_not_dropped(client):
    r = client.post("/api/explain?text=awful", data="text=great+fun&method=occlusion", content_type=FORM, headers=HOST)
    assert r.status_code == 400 and "'text'" in r.get_json()["error"]


def test_get_still_reads_its_query(client):
    r = client.get("/api/explain", query_string={"text": "great fun", "method": "occlusion", "target": "negative"},
                   headers=HOST)
    assert r.status_code == 200 and r.get_json()[0]["target"]["label"] == "negative"


# --- F9: estimates above the time limit; target checked before the model is loaded --------------------------------

def test_an_estimate_above_the_limit_says_it_would_be_stopped(app, client):
    served = app.extensions["faithlens"]["models"]
    body = {"texts": ["the film was good and fun"], "methods": ["ig"], "steps": 50}
    served.rates[served.name] = 1.0  # one second per pass: 50 passes, over the 5 s limit
    try:
        said = client.post("/api/estimate", json=body, headers=HOST).get_json()
        assert said["over_limit"] is True and said["seconds"] == pytest.approx(50.0)
        assert "above this server's 5 s limit: it would be stopped" in said["text"] and "CLI" in said["text"]
        served.rates[served.name] = 0.01  # 0.5 s: within the limit, no warning
        said = client.post("/api/estimate", json=body, headers=HOST).get_json()
        assert said["over_limit"] is False and "limit" not in said["text"]
    finally:
        served.rates.pop(served.name, None)


@pytest.mark.parametrize("target, words", [("bogus", "'bogus'"), (7, "7"), ([0, 2], "read only as a QA model's answer span [start, end]")])
def test_an_estimate_on_a_model_not_loaded_checks_the_target(client, target, words):
    body = {"texts": ["great fun"], "methods": ["occlusion"], "model": "other", "target": target}
    status, said = error(client.post("/api/estimate", json=body, headers=HOST))
    assert status == 400 and words in said, said
    ok = client.post("/api/estimate", json=dict(body, target="positive"), headers=HOST)
    assert ok.status_code == 200 and ok.get_json()["text"].startswith("loading model other")


# --- note 10: the form's two boxes pair by line number -------------------------------------------------------------

def form(client, text, pair):
    return client.post("/api/explain", data={"text": text, "pair": pair, "method": "occlusion"}, headers=HOST)


def test_a_line_blank_in_one_box_only_is_refused_naming_it(client):
    status, said = error(form(client, "a man\n\na dog", "sleeps\nrests\nbarks"))
    assert status == 400 and "this line is blank on one side only: line 2 (blank in the 'text' box)" in said


def test_the_breakers_boxes_name_both_lines(client):
    status, said = error(form(client, "a man\n\na dog", "\nsleeps\nbarks"))
    assert status == 400 and "these lines are blank on one side only" in said
    assert "line 1 (blank in the 'pair' box), line 2 (blank in the 'text' box)" in said


def test_lines_blank_in_both_boxes_are_dropped_and_the_rest_pair_by_line(client):
    r = form(client, "a man\n\na dog\n", "sleeps\n  \nbarks")
    assert r.status_code == 200, r.get_json()
    assert [(e["text"], e["text_pair"]) for e in r.get_json()] == [("a man", "sleeps"), ("a dog", "barks")]


def test_a_box_with_a_line_more_is_refused_naming_it(client):
    status, said = error(form(client, "a man\na dog\na cat", "sleeps\nbarks"))
    assert status == 400 and "line 3 (blank in the 'pair' box)" in said


@pytest.mark.parametrize("name", ["http://example.com", "example.com:80", "example.com/app", " "])
def test_allow_host_takes_a_host_name(name):
    """Twentieth breaker (note): --allow-host http://example.com was accepted, and could never match a Host header."""
    from faithlens.app.inputs import allowed_hostnames

    with pytest.raises(FaithlensError, match=r"is not a host name: .*Pass the name without a scheme, port or path"):
        allowed_hostnames("127.0.0.1", [name])


def test_allow_host_keeps_host_names_and_addresses():
    from faithlens.app.inputs import allowed_hostnames

    assert {"example.com", "::1", "10.0.0.2"} <= allowed_hostnames("127.0.0.1", ["Example.COM", "[::1]", "10.0.0.2"])


# --- twenty-second breaker: a method spec sent to the app ---------------------------------------------------------------

@pytest.mark.parametrize("spec", ["ig:steps=5", "sig:closed"])
def test_a_method_spec_is_told_to_use_the_settings_fields(client, spec):
    status, said = error(client.post("/api/explain", json={"texts": ["great fun"], "methods": [spec]}, headers=HOST))
    assert status == 400 and f"{spec!r} is a method spec" in said
    assert f'"method": "{spec.partition(":")[0]}" with "steps", "mode"' in said
    status, said = error(client.post("/api/explain", json={"texts": ["great fun"], "methods": ["igg"]}, headers=HOST))
    assert status == 400 and said.startswith("Unknown method 'igg'")


@pytest.mark.parametrize("body", [{"texts": ["great fun"], "methods": [""]}, {"texts": ["great fun"], "methods": ["  "]},
                                  {"text": "great fun", "method": ""}, {"texts": ["great fun"], "methods": ["sig", ""]}])
def test_a_blank_method_name_is_refused_not_read_as_the_defaults(client, body):
    """Twenty-sixth breaker F1: an empty select's value ran sig, ig and grad_x_input (or dropped silently)."""
    status, said = error(client.post("/api/explain", json=body, headers=HOST))
    assert status == 400 and said.startswith("A blank method name in") and "leave" in said


def test_a_blank_method_in_a_query_or_form_is_refused_too(client):
    assert error(client.get("/api/explain?text=great+fun&method=", headers=HOST))[0] == 400
    r = client.post("/api/explain", data="text=great+fun&method=", content_type=FORM, headers=HOST)
    assert r.status_code == 400 and "A blank method name" in r.get_json()["error"]
