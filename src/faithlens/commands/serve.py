"""`faithlens serve`: the local web app (type a text, pick methods, see explanations side by side)."""

from __future__ import annotations

import socket
import sys

from ..errors import FaithlensError


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="start the local web app",
                              description="Serve a page on this machine where you type texts and compare explanation "
                                          "methods side by side; also a JSON endpoint, /api/explain (GET or POST). "
                                          "Needs the serve extra: pip install 'faithlens[serve]'.")
    p.add_argument("--model", action="append", default=[], metavar="MODEL",
                   help="hub id or folder; repeat for several: the page's model picker offers them all, with the "
                        "bundled sentiment model and SmolLM2 (when set up), and loads each when chosen (default: the "
                        "bundled sentiment model first)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests whose Host/Origin is NAME (default: localhost, 127.0.0.1, [::1] and the "
                        "--host address only, so other web pages cannot use the app); repeat for several names")
    p.add_argument("--time-limit", type=float, default=60.0, metavar="SECONDS",
                   help="stop any request's explanations after this many seconds (default 60)")
    p.set_defaults(run=run)


def check_address(host: str, port: int) -> None:
    """Refuse a bad port or an address that cannot be bound, before the model is loaded."""
    if isinstance(port, bool) or not 0 <= port <= 65535:
        raise FaithlensError(f"--port must be between 0 and 65535 (0 picks a free port). Got {port}.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise FaithlensError(f"Cannot resolve --host {host!r} ({exc.strerror}). Pass an address such as 127.0.0.1.") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise FaithlensError(f"Cannot listen on {host}:{port} ({exc.strerror}). Pass another --port, or --port 0 for "
                                 "any free one.") from None


def model_choices(given: list[str]) -> dict[str, str | None]:
    """The picker's models: those given with --model, then the bundled sentiment model ('default') when it has been
    fine-tuned and, when it has been converted (scripts/setup.sh), 'smollm2'. Name -> what `load_model` takes.
    A model not yet built is never offered: choosing it would fine-tune or convert it inside a request."""
    from ..default_model import is_ready
    from ..smollm2 import is_converted, smollm2_dir

    choices: dict[str, str | None] = {name: name for name in given}
    if is_ready():
        choices.setdefault("default", None)
    if is_converted(smollm2_dir()):
        choices.setdefault("smollm2", "smollm2")
    return choices


MAX_TIME_LIMIT = 86400.0  # seconds: a day


def run(args) -> int:
    try:
        import flask  # noqa: F401
        import waitress  # noqa: F401
    except ImportError as exc:
        raise FaithlensError(f"The web app needs Flask and waitress ({exc.name} is missing). Install them with "
                             "pip install 'faithlens[serve]' (scripts/setup.sh does).") from None
    if not 0 < args.time_limit <= MAX_TIME_LIMIT:
        raise FaithlensError(f"--time-limit must be a positive number of seconds, at most {MAX_TIME_LIMIT:g} (a day: "
                             f"a request that runs longer holds the app). Got {args.time_limit:g}.")
    twice = sorted({m for m in args.model if args.model.count(m) > 1})
    if twice:
        raise FaithlensError(f"--model {twice[0]} is given twice; the page's model picker offers each model once. "
                             "Name each model once.")
    check_address(args.host, args.port)
    from ..app.inputs import allowed_hostnames

    allowed_hostnames(args.host, args.allow_host)  # every --allow-host a host name, before the model loads
    from ..model_source import check_model_source

    for name in args.model:  # every --model a model folder or hub id at start, not when the picker first chooses it
        if name not in ("default", "smollm2"):  # the bundled models, built below
            check_model_source(name)
    from ..explainer import Explainer, load_model
    from ..app import Limits, make_server
    from ..smollm2 import resolve_model_alias

    explainer = Explainer(load_model(args.model[0] if args.model else None))  # the first; the others load when chosen
    for name in args.model[1:]:  # a bundled model named later is built now (a first use fine-tunes or converts it,
        if name == "default":  # announced here), never inside a request
            from ..default_model import ensure_default_model

            ensure_default_model()
        resolve_model_alias(name)  # 'smollm2'; any other name does nothing
    try:
        server = make_server(explainer, args.host, args.port, limits=Limits(seconds=args.time_limit),
                             allow_hosts=args.allow_host, models=model_choices(args.model))
    except OSError as exc:
        raise FaithlensError(f"Cannot listen on {args.host}:{args.port} ({exc.strerror}). "
                             "Pass another --port, or --port 0 for any free one.") from exc
    print(f"faithlens: serving {explainer.model.name} at {server.url}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.close()
    return 0
