"""`faithlens serve`: the local web app (type a text, pick methods, see explanations side by side)."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("serve", help="start the local web app",
                              description="Serve a page on this machine where you type texts and compare explanation "
                                          "methods side by side; also a JSON endpoint, /api/explain.")
    p.add_argument("--model", default=None, help="hub id or folder (default: the bundled model)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.set_defaults(run=run)


def run(args) -> int:
    import sys

    from ..explainer import Explainer
    from ..views.app import make_server

    explainer = Explainer(args.model)
    try:
        server = make_server(explainer, args.host, args.port)
    except OSError as exc:
        from ..errors import FaithlensError

        raise FaithlensError(f"Cannot listen on {args.host}:{args.port} ({exc.strerror}). "
                             "Pass another --port, or --port 0 for any free one.") from exc
    host, port = server.server_address[:2]
    print(f"faithlens: serving {explainer.model.name} at http://{host}:{port}/ (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
