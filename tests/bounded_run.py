"""Index one folder through the real Engine under an address-space limit; print a JSON report.

Run as a child process by tests/test_bounded_inputs.py:
``python tests/bounded_run.py KIND FOLDER HOME [max_text_mb]``. The memory
limit is set before pocketmind is imported, so everything the run allocates
counts. The embedder is tests/letters_plugin.py: the real models are not what
is measured here, and torch alone reserves more than 1 GB of address space.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

LIMIT_BYTES = 1024**3


def main(kind: str, folder: str, home: str, max_text_mb: str | None = None) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))
    from pocketmind import Engine
    from pocketmind.settings import Settings

    settings = Settings()
    settings.models.embedder = "letters"
    settings.plugins.paths = [str(Path(__file__).with_name("letters_plugin.py"))]
    if max_text_mb is not None:
        settings.set("index.max_text_mb", max_text_mb)
    started = time.perf_counter()
    with Engine(home=home, settings=settings) as engine:
        engine.add_source(kind, folder, name="hostile")
        [summary] = engine.index()
        titles = sorted({r.title for r in engine.search("lunch ana hello tick", k=50, understand=False)})
    report = summary.to_json()
    report.update(
        titles=titles,
        seconds=round(time.perf_counter() - started, 2),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:])
