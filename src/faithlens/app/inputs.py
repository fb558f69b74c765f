"""What a web request asks for and who may ask: the request's fields parsed into a `Job` under the `Limits`
(400/413 with the limit in the message, before any model work), and the Host/Origin check that keeps other
web pages from driving the app."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import FaithlensError
from ..json_files import loads
from ..names import DEFAULT_METHODS, SIG_MODES as MODES, UNITS
from ..options import check_settings

TRUE, FALSE = ("1", "true", "on", "yes"), ("", "0", "false", "off", "no")


FIELDS = ("text", "texts", "pair", "pairs", "method", "methods", "steps", "samples", "unit", "mode", "baseline", "score", "target",
          "truncate", "model")


LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Limits:
    """What one request may ask for. Checked before any model work."""

    max_lines: int = 20  # texts per request
    max_chars: int = 5000  # characters over all texts
    max_steps: int = 300  # path steps (sig, ig, dig)
    max_samples: int = 50  # samples (smoothgrad, gradient_shap)
    max_methods: int = 5  # methods per request
    max_body_bytes: int = 256 * 1024  # request body (POST)
    seconds: float = 60.0  # time limit of one request's explanations
    queue: int = 2  # requests that may wait while one explains
    wait_seconds: float = 30.0  # how long a request waits for the model before a 503

    def describe(self) -> str:
        return (f"up to {self.max_lines} texts (one per line) and {self.max_chars} characters, {self.max_methods} methods, "
                f"steps ≤ {self.max_steps}, samples ≤ {self.max_samples}; each request has {self.seconds:g} s")


class RequestError(Exception):
    """A request the app refuses: HTTP status and a message saying what to change."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Job:
    texts: list  # str, or (text, text_pair) tuples
    methods: list[str]
    settings: dict
    model: str | None = None  # a name from the app's model picker; None: the default (the first model)
    joined_pair: bool = False  # one text whose "pair" string held several lines, kept whole (a QA context)


def split_lines(text: str) -> list[str]:
    """One text per line: split on \\n and \\r\\n only (not on U+2028, \\v, \\f, ...); blank lines dropped."""
    return [line for line in re.split(r"\r?\n", text) if line.strip()]


def parse(fields: dict[str, list], limits: Limits, *, typed: bool = False) -> Job:
    """Validate one request's fields (name -> list of values) against `limits`; raises RequestError.

    ``typed``: the values come from a JSON body (`is_json`), so they carry the Python API's types and are read by
    its rules: ``"steps": 5`` (a number, not ``"5"``), ``"truncate": true`` (not ``"true"``), and ``"target": ""``
    is a target given empty, refused as `Explainer.explain` refuses ``target=""``. A form or query string sends
    text only: ``steps=5`` is read as the number, and the form's empty target (its "predicted class" choice)
    means no target."""
    from ..baselines import BASELINES
    from ..methods import METHODS
    from ..scores import SCORES

    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise RequestError(400, f"Unknown parameter(s) {', '.join(map(repr, unknown))}. Valid: {', '.join(FIELDS)}.")
    for one, many in SINGULAR_PLURAL:
        _refuse_both(fields, one, many)
    texts, pairs, joined = _texts_and_pairs(fields)
    if len(texts) > limits.max_lines:
        raise RequestError(413, f"Too many texts: {len(texts)} lines; this app explains at most {limits.max_lines} per "
                                "request. Send fewer lines, or use `faithlens explain --file` for many texts.")
    chars = sum(len(t) for t in texts)
    if chars > limits.max_chars:
        raise RequestError(413, f"The texts are too long: {chars} characters; this app takes at most {limits.max_chars} per "
                                "request. Send less text, or use `faithlens explain` on the command line.")
    methods: list[str] = []
    for key in ("method", "methods"):
        for value in fields.get(key, []):
            if isinstance(value, list) and not value:  # a JSON [] would otherwise run the default methods silently
                raise RequestError(400, f"The {key!r} list is empty. Name one or more methods, e.g. "
                                        f'"{key}": ["sig", "ig"], or leave {key!r} out for the default ({", ".join(DEFAULT_METHODS)}).')
            for m in (value if isinstance(value, list) else [value]):
                m = _string(key, m).strip()
                if not m:  # an empty select or input: not "no methods field", so never the defaults silently
                    example = '["sig"]' if key == "methods" else '"sig"'
                    raise RequestError(400, f'A blank method name in {key!r}. Name a method, e.g. "{key}": {example}, '
                                            f"or leave {key!r} out for the default ({', '.join(DEFAULT_METHODS)}).")
                methods.append(m)  # a method named twice is refused by check_settings, as on the command line
    methods = methods or list(DEFAULT_METHODS)
    bad = [m for m in methods if m not in METHODS]
    if bad and bad[0].partition(":")[0] in METHODS:  # a method spec, as `faithlens explain --method` reads them
        raise RequestError(400, f"{bad[0]!r} is a method spec, which the command line reads (explain --method, evaluate "
                                "--methods); the app takes the method's name and its settings as their own fields, "
                                f'e.g. "method": "{bad[0].partition(":")[0]}" with "steps", "mode", "unit" or "samples".')
    if bad:
        raise RequestError(400, f"Unknown method {bad[0]!r}. Valid choices: {', '.join(METHODS)}.")
    if len(methods) > limits.max_methods:
        raise RequestError(400, f"Too many methods: {len(methods)}; at most {limits.max_methods} per request.")
    settings: dict = {}
    steps = "auto" if _auto(single_field(fields, "steps")) else _integer(fields, "steps", 1, limits.max_steps, typed=typed)
    if steps is not None:
        settings["steps"] = steps
    samples = _integer(fields, "samples", 1, limits.max_samples, typed=typed)
    if samples is not None:
        settings["n_samples"] = samples
    for key, choices in (("unit", UNITS), ("mode", MODES), ("baseline", BASELINES), ("score", tuple(SCORES))):
        value = single_field(fields, key)
        if value is None or value == "":
            continue
        if value not in choices:
            raise RequestError(400, f"Unknown {key} {value!r}. Valid choices: {', '.join(choices)}.")
        settings[key] = value
    target = single_field(fields, "target")
    if target is not None and (typed or target != ""):  # JSON "" is given (and refused by the library's rule)
        span = (typed and isinstance(target, list) and len(target) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in target))
        if not span and (isinstance(target, bool) or not isinstance(target, (str, int))):
            raise RequestError(400, f"The 'target' parameter must be {TARGET_KINDS}. Got {type(target).__name__} "
                                    f"{target!r}.")
        settings["target"] = target  # a str is read by the one rule of faithlens.targets.resolve_target (classes),
        # or is the answer (QA) or the continuation (causal LM); a [start, end] list is read in `models.run`,
        # where the model's task is known (a QA span there)
    settings["truncate"] = _boolean(fields, "truncate", typed=typed)
    settings["faithfulness"] = True  # each explanation against random orderings of its words (faithlens.trust)
    try:  # the checks the CLI and the Python API make: ranges, and settings that no chosen method reads
        check_settings(methods, settings)
    except FaithlensError as exc:
        raise RequestError(400, web_hint(str(exc))) from None
    model = single_field(fields, "model")
    if model is not None and not isinstance(model, str):
        raise RequestError(400, f"The 'model' parameter must be a model name. Got {model!r}.")
    items = list(zip(texts, pairs)) if pairs else texts
    return Job(texts=items, methods=methods, settings=settings, model=model or None, joined_pair=joined)


TARGET_KINDS = ("a class index or label name (classifiers), an answer text or a [start, end] character span of the "
                "context (QA; JSON only: over GET or a form, target=0,3 is the answer text '0,3'), or a continuation "
                "text (causal LMs), one for all the texts of a request")


def _texts_and_pairs(fields: dict[str, list]) -> tuple[list[str], list[str], bool]:
    """The texts and second texts of a request, by one rule for forms and JSON.

    A string in ``text`` or ``pair`` is a textarea: one text per line (\\n or \\r\\n), blank lines dropped; the
    web form sends these. A JSON list (``"texts": [...]``, ``"pairs"``/``"pair": [...]``) holds whole texts, newlines
    inside kept, and a blank item is refused naming its position (dropping it would misalign the results with the
    list). A ``pair`` string beside one text is that text's whole second text (a QA context may hold newlines);
    the third value says when that string held several lines, so that `models.run` can refuse it on a model
    that is not QA (one hypothesis per text). ``pair`` and ``pairs`` together are refused (`parse`, with text/texts
    and method/methods). Raises RequestError (400)."""
    texts: list[str] = []
    for value in fields.get("text", []):
        if isinstance(value, list):
            raise RequestError(400, "The 'text' parameter must be text (one text per line). Got list: send a list of "
                                    'whole texts as "texts", e.g. {"texts": ["a gripping film", "a dull plot"]}.')
        texts += split_lines(_string("text", value))
    for value in fields.get("texts", []):
        texts += _whole("texts", value if isinstance(value, list) else [value])
    seconds = [(key, value) for key in ("pair", "pairs") for value in fields.get(key, [])
               if not (isinstance(value, str) and not value.strip())]  # the form's empty pair box: no pairs
    if not texts:
        if seconds:
            raise RequestError(400, f"Got {seconds[0][0]!r} but no 'text' or 'texts': a pair's second text needs its first "
                                    'text. Send e.g. {"texts": ["a man sleeps"], "pairs": ["a person rests"]}.')
        if "text" not in fields and "texts" not in fields:  # no such key at all (a JSON body), not an empty box
            raise RequestError(400, "The request has no 'text' or 'texts': nothing to explain. Send e.g. "
                                    '{"text": "a gripping film", "methods": ["sig"]} or {"texts": ["a gripping film"]}.')
        raise RequestError(400, "The text is empty. Type a text to explain (one per line).")
    pairs: list[str] = []
    joined = False
    boxes = (fields.get("text", []), seconds)  # the form's two boxes: one string each
    if (len(boxes[0]) == 1 and isinstance(boxes[0][0], str) and len(seconds) == 1 and seconds[0][0] == "pair"
            and isinstance(seconds[0][1], str) and len(texts) > 1):
        texts, pairs = pair_lines(boxes[0][0], seconds[0][1])
        return texts, pairs, False
    for key, value in seconds:
        if isinstance(value, list):
            pairs += _whole(key, value)
        elif len(texts) == 1 and len(seconds) == 1:
            pairs.append(_string(key, value))  # one text, one second text: kept whole, newlines and all
            joined = len(split_lines(value)) > 1
        else:
            pairs += split_lines(_string(key, value))
    if seconds and len(pairs) != len(texts):
        raise RequestError(400, f"Got {len(texts)} text(s) and {len(pairs)} second text(s). Give one second text "
                                "(hypothesis, or a QA model's context) per text, or none: in JSON a list aligned with "
                                '"texts" ({"texts": ["q1", "q2"], "pairs": ["c1", "c2"]}), in the form one per line.')
    return texts, pairs, joined


def pair_lines(text: str, pair: str) -> tuple[list[str], list[str]]:
    """The form's text box and pair box read together, line n with line n (split as `split_lines`): a line blank in
    both is dropped, a line blank in one box only is refused naming it (dropping blanks in each box apart would pair
    line 1 of one with line 2 of the other). Raises RequestError (400)."""
    left, right = re.split(r"\r?\n", text), re.split(r"\r?\n", pair)
    texts: list[str] = []
    pairs: list[str] = []
    one_sided: list[str] = []
    for n in range(max(len(left), len(right))):
        first = left[n] if n < len(left) else ""
        second = right[n] if n < len(right) else ""
        if first.strip() and second.strip():
            texts.append(first)
            pairs.append(second)
        elif first.strip() or second.strip():
            one_sided.append(f"line {n + 1} (blank in the {'pair' if first.strip() else 'text'!r} box)")
    if one_sided:
        raise RequestError(400, "The texts and their second texts pair by line number, and "
                                f"{'this line is' if len(one_sided) == 1 else 'these lines are'} blank on one side only: {', '.join(one_sided)}. Write each second text on the same line as its text, or "
                                "delete the line in both boxes.")
    return texts, pairs


# A field and its plural name one thing: both in one request are refused (never both run, never one dropped).
SINGULAR_PLURAL = (("text", "texts"), ("pair", "pairs"), ("method", "methods"))
_PLURAL_HOW = {"texts": "'texts' (a JSON list of whole texts) or 'text' (the form's box, one text per line)",
               "pairs": "'pairs' (a JSON list, one per text) or 'pair' (the form's box, one per line)",
               "methods": "'methods' (a JSON list) or 'method' (the form's choice, repeatable)"}


def _refuse_both(fields: dict[str, list], one: str, many: str) -> None:
    """`one` and `many` (text/texts, pair/pairs, method/methods) both given with a value: refused (400), one rule for
    every such field. An empty string (the form's empty box) is no value."""
    given = [key for key in (one, many) if any(not (isinstance(v, str) and not v.strip()) for v in fields.get(key, []))]
    if len(given) == 2:
        raise RequestError(400, f"Got both {one!r} and {many!r}. Give them once: {_PLURAL_HOW[many]}, not both.")


def _whole(key: str, values: list) -> list[str]:
    """The items of a JSON list of texts, each one whole text; blank items are refused naming their positions."""
    items = [_string(key, v) for v in values]
    blank = [n for n, item in enumerate(items) if not item.strip()]
    if blank:
        raise RequestError(400, f"The {key!r} list holds blank text(s) at position(s) {', '.join(map(str, blank))} "
                                f"(counting from 0) of {len(items)}. Remove them or fill them in: results come back one "
                                "per item, in order, so none is dropped silently.")
    return items


def _string(key: str, value) -> str:
    if not isinstance(value, str):
        raise RequestError(400, f"The {key!r} parameter must be text. Got {type(value).__name__}.")
    return value


def single_field(fields: dict, key: str):
    values = fields.get(key, [])
    if len(values) > 1:
        raise RequestError(400, f"The {key!r} parameter was given {len(values)} times. Give it once.")
    return values[0] if values else None


def _auto(value: object) -> bool:
    """steps=auto, as the CLI's --steps auto and the API's steps="auto" (sig and ig: as many nodes as a certified
    tolerance needs; the library's rule refuses it for other methods)."""
    return isinstance(value, str) and value.strip() == "auto"


def _integer(fields: dict, key: str, low: int, high: int, *, typed: bool = False) -> int | None:
    """A whole-number field: in JSON (``typed``) a number, as the Python API takes it (a str is refused as
    explain(steps="5") refuses it); in a form or query string the text of a number ("" for the default)."""
    value = single_field(fields, key)
    if value is None or (value == "" and not typed):
        return None
    if typed and (isinstance(value, bool) or not isinstance(value, int)):
        raise RequestError(400, f"The {key!r} parameter must be a positive int, at most {high}, as a JSON number "
                                f"(e.g. {{\"{key}\": 8}}, not a string). Got {type(value).__name__} {value!r} instead.")
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise RequestError(400, f"The {key!r} parameter must be a positive int, at most {high}. Got {value!r} instead.")
    number = int(value)
    if not low <= number <= high:
        raise RequestError(400, f"The {key!r} parameter must be between {low} and {high} in this app. Got {number}. "
                                "Use `faithlens explain` on the command line for more.")
    return number


def _boolean(fields: dict, key: str, *, typed: bool = False) -> bool:
    """A yes/no field: in JSON (``typed``) true or false, as the Python API takes it (a str is refused: 'false' is
    true in Python); in a form or query string one of TRUE or FALSE (the form's checkbox sends "true")."""
    value = single_field(fields, key)
    if value is None or isinstance(value, bool):
        return bool(value)
    if typed:
        raise RequestError(400, f"The {key!r} parameter must be true or false (a JSON boolean, e.g. {{\"{key}\": true}}). "
                                f"Got {type(value).__name__} {value!r} instead.")
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise RequestError(400, f"The {key!r} parameter must be true or false. Got {value!r} instead.")


def allowed_hostnames(host: str, extra: Iterable[str] = ()) -> set[str]:
    """Host names whose requests are served: the loopback names, the bound address (unless a wildcard) and `extra`."""
    names = set(LOOPBACK)
    if host not in ("", "0.0.0.0", "::"):
        names.add(host.strip("[]").lower())
    for h in extra:
        if isinstance(h, str) and any(c in h for c in "*?[") and not h.startswith("["):  # a pattern, not a name
            raise FaithlensError(f"allow_hosts (CLI --allow-host) {h!r} is a pattern; each is matched as one host name, "
                                 "exactly, so it would match only a Host header spelling it. Name each host the app is "
                                 "reached by, e.g. --allow-host myhost.local --allow-host 192.168.1.20 (answering any "
                                 "Host would open the app to DNS-rebinding pages).")
        name = _hostname(h) if isinstance(h, str) and h.strip() else None
        if name is None or name != h.strip("[]").lower():
            raise FaithlensError(f"allow_hosts (CLI --allow-host) {h!r} is not a host name: requests name their host alone "
                                 f"in the Host header, so it would never match. Pass the name without a scheme, port or "
                                 f"path, e.g. {name or 'example.com'}.")
        names.add(name)
    return names


def _hostname(value: str) -> str | None:
    """The host name of a Host header ('127.0.0.1:8765', '[::1]:80') or an origin ('http://localhost:8765')."""
    if "://" not in value:
        value = "//" + value
    try:
        name = urlsplit(value).hostname
    except ValueError:
        return None
    return name.lower() if name else None


def foreign(headers, allowed: set[str]) -> str | None:
    """Why a request's Host or Origin is refused; None when both are this machine (or allowed)."""
    host = headers.get("Host", "")
    if _hostname(host) not in allowed:
        return (f"Refused: the Host header {host!r} is not this machine. The app answers requests to "
                f"{', '.join(sorted(allowed))} only (so other web pages cannot use it); start it with "
                "--allow-host NAME to accept another name.")
    origin = headers.get("Origin")
    if origin is not None and _hostname(origin) not in allowed:
        return (f"Refused: a page from {origin!r} may not use this app. Only pages from {', '.join(sorted(allowed))} "
                "(any port) may send it requests; start it with --allow-host NAME to accept another origin.")
    return None


def check_utf8(raw: bytes, where: str) -> None:
    """A query string or form body whose percent-encoded bytes are not UTF-8 (``text=%FF%FE``) is refused (400):
    decoded leniently it would be explained as the literal "%FF%FE" or as replacement characters."""
    from urllib.parse import unquote_to_bytes

    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            try:
                unquote_to_bytes(piece.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                name = unquote_to_bytes(part.split(b"=", 1)[0]).decode("utf-8", "replace")
                raise RequestError(400, f"The {where} is not UTF-8: parameter {name!r} holds "
                                        f"{piece.decode('ascii', 'replace')[:60]!r}, percent-encoded bytes that are not "
                                        "UTF-8 text. Percent-encode texts as UTF-8 (é is %C3%A9; a browser form does "
                                        "this), or POST JSON (Content-Type: application/json).") from None


def is_json(request) -> bool:
    """Whether the request's parameters are a JSON body (typed values, read by the Python API's rules; see `parse`)."""
    return request.method == "POST" and request.mimetype == "application/json"


def request_fields(request) -> dict[str, list]:
    """The request's parameters as name -> list of values: a GET's query string, a POST's form fields or JSON object.

    A POST reads its body only: a query string on a POST is refused naming its parameters (read beside a JSON body
    or not, it would apply some of them in silence), and a JSON body sent as a form (curl -d's default type) is
    refused naming the header to send. Raises RequestError."""
    if request.method == "POST":
        _refuse_post_query(request)
    if is_json(request):
        charset = request.mimetype_params.get("charset")
        if charset is not None and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise RequestError(415, f"The JSON body is declared charset={charset!r}; this app reads JSON in UTF-8 only "
                                    "(RFC 8259). Encode the body as UTF-8 and send Content-Type: application/json.")
        try:
            body = loads(request.get_data(cache=False) or b"null", where="The JSON body")
        except FaithlensError as exc:  # a key given twice: json.loads would keep the last in silence
            raise RequestError(400, str(exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise RequestError(400, f"The body is not valid JSON ({exc}). Send an object like "
                                    '{"text": "a gripping film", "methods": ["sig"]}.') from None
        if not isinstance(body, dict):
            raise RequestError(400, 'The JSON body must be an object like {"text": "a gripping film", "methods": ["sig"]}.')
        return {k: [v] for k, v in body.items()}  # a JSON list stays one value: its items are whole texts (or methods)
    forms = ("application/x-www-form-urlencoded", "multipart/form-data")
    if request.method == "POST" and request.mimetype not in forms and request.get_data(cache=True):
        raise RequestError(415, f"The request body was sent as {request.mimetype or 'no Content-Type'!r}, which this app "
                                "does not read. Send JSON with the header Content-Type: application/json (e.g. curl -H "
                                "'Content-Type: application/json' -d '{\"text\": \"a gripping film\"}'), or form fields.")
    check_utf8(request.query_string, "query string")
    if request.method == "POST" and request.mimetype == forms[0]:
        raw = request.get_data(cache=True)
        if raw.lstrip()[:1] in (b"{", b"["):  # a JSON text as a form is one field named by the whole body
            raise RequestError(415, "The request body is JSON but was sent as 'application/x-www-form-urlencoded' "
                                    "(curl -d's default), so it would be read as form fields. Send the header "
                                    "Content-Type: application/json (e.g. curl -H 'Content-Type: application/json' "
                                    "-d '{\"texts\": [\"a gripping film\"]}'), or send form fields (text=...&method=...).")
        check_utf8(raw, "form body")
    source = request.form if request.method == "POST" else request.args
    return {k: source.getlist(k) for k in source.keys()}


def _refuse_post_query(request) -> None:
    """A POST with parameters in its URL: refused (400) naming them. A POST reads its body only (JSON or form
    fields); a GET reads its query string. One rule, whatever the body's type."""
    names = list(dict.fromkeys(request.args.keys()))
    if names:
        raise RequestError(400, f"A POST reads its body only, and this one has parameter(s) in its URL's query string: "
                                f"{', '.join(map(repr, names))}. Put them in the body instead (JSON, e.g. "
                                '{"texts": ["a gripping film"], "target": "positive"}, or form fields), or send '
                                "everything in the query string with GET.")


def web_hint(message: str) -> str:
    """Library messages name command-line options and Python parameters; here the same choice is a form field
    (the Python API's n_samples is the form's samples)."""
    message = re.sub(r"(?<![\w:])n_samples\b", "samples", message)
    message = re.sub(r"pass --truncate \(truncate=True( in Python)?\)", "tick 'truncate long texts' (API: truncate=true)",
                     message)
    message = re.sub(r"Drop --truncate \(truncate=True( in Python)?\)", "Untick 'truncate long texts' (API: drop truncate)",
                     message)
    message = re.sub(r"pass its span as target=\(start, end\) in Python, e\.g\. target=\((\d+), (\d+)\) \(CLI "
                     r"--answer-span \d+ \d+\), or a longer answer text",  # an answer text that occurs more than once
                     r'send its span in JSON as "target": [start, end], e.g. "target": [\1, \2] (a target from the '
                     r"form or a query string is an answer text), or a longer answer text", message)
    message = re.sub(r"baseline='(\w+)' \(CLI --baseline \1\)", r"baseline=\1", message)  # the form's field
    message = message.replace("a vocabulary token, baseline_token=TOKEN (CLI --baseline-token TOKEN), ", "")  # no field
    if "does not occur in the context" in message:  # over GET or the form, target=0,3 is an answer text
        message += (' In this app a target from the form or a query string is the answer text; a character span is '
                    'sent in JSON as "target": [start, end].')
    return message
