"""How long a coordinator's edit makes the next resident wait, and how long the needs inbox
takes to group its questions: `make bench-content` (figures in docs/performance.md).

Runs on its own SQLite database in a temporary directory, seeded from data/, with a copy of
the embedding cache of var/cache (as a running API has it)."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-content-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    # A copy of the embedding cache: the benchmark's own texts must not end up in the real one.
    cache_dir = tmp / "cache"
    cache_dir.mkdir()
    for f in (ROOT / "var" / "cache").glob("embeddings-*.npz"):
        shutil.copy(f, cache_dir / f.name)
    os.environ["CACHE_DIR"] = str(cache_dir)
    import numpy as np

    from api.cli import migrate
    from api.db import session_scope
    from api.faq import retrieval
    from api.faq.models import FaqEntry
    from api.faq.revision import bump_revision
    from api.faq.seed import seed_faq, seed_texts
    from api.libraries.seed import seed_libraries
    from api.needs.grouping import cluster

    migrate()
    with session_scope() as s:
        seed_libraries(s)
        s.flush()
        seed_faq(s)
        seed_texts(s)

    def timed(label: str, fn, runs: int = 1) -> None:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        print(f"{label:<58} {statistics.median(times) * 1000:9.0f} ms  (median of {runs})")

    def refresh() -> None:
        with session_scope() as s:
            retrieval.get_index().refresh(s)

    def edit(variants: bool) -> None:
        with session_scope() as s:
            entry = s.query(FaqEntry).filter_by(topic="loan.renew", library_id=None).one()
            sv = next(t for t in entry.translations if t.language == "sv" and t.variant == "")
            if variants:
                sv.questions = [*sv.questions, f"variant {time.perf_counter_ns()}"]
            else:
                sv.answer = sv.answer + " "
            bump_revision(s)
        refresh()

    timed("index build on a cold start (no stored classifier)", refresh)
    retrieval._index = None
    timed("index build on a restart (stored classifier, same content)", refresh)
    timed("next message after an answer edit (no new variant)", lambda: edit(False), runs=5)
    timed("next message after a question variant was added", lambda: edit(True), runs=5)
    with session_scope() as s:
        st = retrieval.get_index()._state
        centroid = retrieval.get_index().centroid(s)
    rng = np.random.default_rng(1)
    for n in (100, 500, 2000):
        vectors = st.dense[rng.choice(len(st.dense), n, replace=False)]
        timed(f"grouping {n} inbox questions (embeddings stored)", lambda v=vectors: cluster(v, centroid), runs=3)
    embedder = retrieval.get_index().embedder.inner
    texts = [f"Kan man låna en symaskin nummer {i} hos er?" for i in range(100)]
    timed("embedding 100 new inbox questions (once per question)", lambda: embedder.embed(texts))


if __name__ == "__main__":
    main()
