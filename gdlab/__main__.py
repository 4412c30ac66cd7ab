"""``python -m gdlab``: the same as the ``gdlab`` command."""

import sys

from gdlab.cli import main

sys.exit(main())
