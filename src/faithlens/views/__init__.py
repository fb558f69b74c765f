"""Views of explanations and results: where people look at them.

- `terminal`: words tinted and followed by their scores (or bars), a legend, plain text off a TTY or
  with NO_COLOR, control characters escaped;
- `html`: self-contained pages and notebook fragments (`Explanation._repr_html_`, `Comparison`);
- `reports`: evaluation and audit results as HTML with their plots; `plots`: every matplotlib figure;
- `parts`: what every view reads from an explanation (word spans per segment, the prediction), and the
  `Explanation` Protocol the views are typed against (they import nothing above them).

The local web app (`faithlens serve`) is `faithlens.app`, beside the command line.
"""

from .html import render_html, write_html
from .terminal import render_terminal

__all__ = ["render_html", "render_terminal", "write_html"]
