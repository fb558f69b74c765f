"""Views of explanations: terminal colours and self-contained HTML."""

from .html import render_html, write_html
from .terminal import render_terminal

__all__ = ["render_html", "render_terminal", "write_html"]
