"""``python -m pocketmind``: the command line, as the ``pocketmind`` script runs it."""

import sys

from pocketmind.cli import main

if __name__ == "__main__":
    sys.exit(main())
