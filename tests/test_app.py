"""The local web app: a real server on a free port, a tiny model, plain HTTP requests."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
import torch

from faithlens import Explainer
from faithlens.views.app import make_server
from tiny import tiny


@pytest.fixture(scope="module")
def url():
    ex = Explainer(tiny("bert", dtype=torch.float64))
    server = make_server(ex, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}", ex
    server.shutdown()
    server.server_close()


def get(base, path, **query):
    q = urllib.parse.urlencode(query, doseq=True)
    try:
        with urllib.request.urlopen(f"{base}{path}?{q}", timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_form_page(url):
    status, body = get(url[0], "/")
    assert status == 200 and "<form" in body and 'value="sig" checked' in body and "tiny-bert" in body


def test_explain_page_and_api_give_the_library_numbers(url):
    base, ex = url
    status, body = get(base, "/explain", text="the film was <b>good</b>\ndull", method=["sig", "occlusion"], steps="8")
    assert status == 200 and body.count("<table>") == 2
    assert "<b>good</b>" not in body and "&lt;b&gt;" in body  # typed text is escaped
    status, body = get(base, "/api/explain", text="dull plot", method=["sig"], steps="8", unit="word")
    assert status == 200
    (row,) = json.loads(body)
    expected = ex.explain("dull plot", "sig", steps=8, unit="word")
    assert row["token_scores"] == pytest.approx(list(expected.token_scores), abs=1e-12)


@pytest.mark.parametrize("query,message", [
    ({"text": "  "}, "The text is empty"),
    ({"text": "fun", "method": "nope"}, "Valid choices"),
    ({"text": "fun", "steps": "many"}, "must be a positive int"),
])
def test_bad_input_is_a_400_with_the_fix(url, query, message):
    status, body = get(url[0], "/api/explain", **query)
    assert status == 400 and message in json.loads(body)["error"]
    status, body = get(url[0], "/explain", **query)
    assert status == 400 and "<form" in body and 'class="error"' in body


def test_unknown_path_is_404(url):
    assert get(url[0], "/nope")[0] == 404
