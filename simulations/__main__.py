"""``python -m simulations``: see simulations/cli.py."""

import sys

from simulations.cli import main

if __name__ == "__main__":
    sys.exit(main())
