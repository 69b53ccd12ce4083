"""``python -m pocketmind.cli``: what the daemon's service units and child processes run."""

import sys

from pocketmind.cli import main

if __name__ == "__main__":
    sys.exit(main())
