"""The five seed articles, one module each: their gallery cards and every piece of seed-specific code.

``seed000`` .. ``seed004`` register the gallery's experiments of each article (see
:mod:`gdlab.demo`), and hold what only that article needs, so the library below stays general:

- ``seed001_network()``: seed 001's 1-2-1 sigmoid network with the article's weights (for
  ``gdlab.nn.explain_backprop``);
- ``seed003_loss()``: seed 003's loss surface over (w1, w2), on its data set ``seed003_linear``;
- ``seed004_table(exact=...)`` and ``format_seed004_table``: seed 004's numerical-differentiation
  experiments as data, beside the exact values (``exact=gdlab.grad`` takes them from autodiff).

The articles' data sets stay in :mod:`gdlab.datasets` (by name: ``celsius``, ``seed001_points``, ...).
"""

from .seed001 import seed001_network
from .seed003 import seed003_loss
from .seed004 import format_seed004_table, seed004_table

__all__ = ["seed001_network", "seed003_loss", "seed004_table", "format_seed004_table"]
