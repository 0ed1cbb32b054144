"""``python -m pblapp``: the same commands as ``python run.py``, for an installed package."""

import sys

from pblapp.cli import main

sys.exit(main())
