"""`python -m meshlint` entry point."""

from __future__ import annotations

import sys

from meshlint.cli import main

if __name__ == "__main__":
    sys.exit(main())
