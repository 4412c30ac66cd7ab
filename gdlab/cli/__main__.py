"""``python -m gdlab.cli``: the same as the ``gdlab`` command (and ``python -m gdlab``)."""

import sys

from gdlab.cli import main

sys.exit(main())
