"""``python -m pocketmind``: the command line (the same as the ``pocketmind`` script)."""

import sys

from pocketmind.cli import main

sys.exit(main())
