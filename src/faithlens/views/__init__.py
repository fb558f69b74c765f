"""Views of explanations: terminal colours, self-contained HTML, and the local web app (`views.app`)."""

from .html import render_html, write_html
from .terminal import render_terminal

__all__ = ["render_html", "render_terminal", "write_html"]
