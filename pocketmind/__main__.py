"""``python -m pocketmind``: the command line (the same as the ``pocketmind`` script)."""

import sys

from pocketmind.cli import main

if __name__ == "__main__":
    sys.exit(main())
