"""Serve pblapp, or create a user: see ``python run.py --help``."""

import sys

from pblapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
