"""Output that needs no rich: JSON, and log lines kept on one line.

Imported by the piped search (:mod:`.piped`), which must not pay for importing rich.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from pocketmind.text import one_line


class OneLineRecords(logging.Filter):
    """Log lines name files too (``skipped <path>: ...``): each message on one line, control characters escaped."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = one_line(record.getMessage()), None
        return True


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
