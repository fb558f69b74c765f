"""A local web app: type a text, pick methods, see the explanations side by side.

Standard library only (`http.server`); one model, loaded once, serves every request. Routes:
- `GET /`: the form,
- `GET /explain?text=...&method=sig&method=ig[&steps=..&unit=..&mode=..]`: the form and the explanations,
- `GET /api/explain?...` (same parameters): the explanations as a JSON list.
Bad input (an empty text, an unknown method, a text too long for the model) gets a 400 response
with faithlens's error message. The server binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from ..errors import FaithlensError
from ..explainer import Explainer
from .html import page, render_groups

DEFAULT_METHODS = ("sig", "ig", "occlusion")
FORM_STYLE = "textarea{width:100%;max-width:60em;font-size:1em}label{margin-right:1em}.error{color:#b00020}"


def make_server(explainer: Explainer, host: str = "127.0.0.1", port: int = 8765) -> ThreadingHTTPServer:
    """An HTTP server explaining with `explainer` (port 0: any free port; see `server.server_address`)."""
    lock = threading.Lock()  # one explanation at a time: the model is shared and CPU-bound

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/":
                return self._send(200, "text/html", _form_page(explainer, query, ""))
            if url.path not in ("/explain", "/api/explain"):
                return self._send(404, "text/plain", f"No page {url.path}. Try / or /explain?text=...")
            try:
                texts, methods, settings = _parse(query)
                with lock:  # each method explains all texts in one batched call
                    by_method = [explainer.explain(texts, m, **settings) for m in methods]
                results = [list(group) for group in zip(*by_method)]  # per text: its explanations by method
            except FaithlensError as exc:
                if url.path == "/api/explain":
                    return self._send(400, "application/json", json.dumps({"error": str(exc)}))
                return self._send(400, "text/html", _form_page(explainer, query, f'<p class="error">{html.escape(str(exc))}</p>'))
            if url.path == "/api/explain":
                return self._send(200, "application/json", json.dumps([e.to_dict() for group in results for e in group]))
            return self._send(200, "text/html", _form_page(explainer, query, render_groups(results)))

        def _send(self, status: int, kind: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
            pass  # quiet: the CLI prints the address once

    return ThreadingHTTPServer((host, port), Handler)


def _parse(query: dict) -> tuple[list[str], list[str], dict]:
    """Texts (one per line), methods and explain settings from the query string."""
    texts = [line for line in query.get("text", [""])[0].splitlines() if line.strip()]
    if not texts:
        raise FaithlensError("The text is empty. Type a text to explain (one per line).")
    methods = query.get("method") or list(DEFAULT_METHODS)
    settings: dict = {}
    for key in ("unit", "mode", "baseline", "score"):
        if query.get(key, [""])[0]:
            settings[key] = query[key][0]
    if query.get("steps", [""])[0]:
        try:
            settings["steps"] = int(query["steps"][0])
        except ValueError:
            raise FaithlensError(f"The 'steps' parameter must be a positive int. Got {query['steps'][0]!r} instead.") from None
    return texts, methods, settings


def _form_page(explainer: Explainer, query: dict, results: str) -> str:
    from ..methods import METHODS

    text = query.get("text", [""])[0]
    chosen = set(query.get("method") or DEFAULT_METHODS)
    boxes = "".join(f'<label><input type="checkbox" name="method" value="{html.escape(m)}"'
                    f'{" checked" if m in chosen else ""}> {html.escape(m)}</label>' for m in METHODS)
    unit = query.get("unit", ["token"])[0]
    units = "".join(f'<option{" selected" if u == unit else ""}>{u}</option>' for u in ("token", "word"))
    form = (f'<h1>faithlens</h1><p class="meta">model {html.escape(explainer.model.name)} · labels '
            f'{html.escape(", ".join(explainer.model.labels))}</p>'
            f'<form action="/explain" method="get"><textarea name="text" rows="4" placeholder="one text per line">'
            f'{html.escape(text)}</textarea><p>{boxes}</p><p><label>SIG unit <select name="unit">{units}</select></label>'
            f'<label>steps <input name="steps" size="4" value="{html.escape(query.get("steps", [""])[0])}"></label>'
            '<button type="submit">Explain</button></p></form>')
    return page("faithlens", form + results, style=FORM_STYLE)
