"""Fit the retrieval's confidence (api/faq/confidence.py) on the dev sets and write
data/retrieval_calibration.yml.

    .venvs/api/bin/python -m scripts.calibrate [--input tests/devset/*.jsonl]   (make calibrate)

Uses the lines that expect an FAQ topic (label: was the best topic the right one) and the
uncovered library questions (label: 0, no topic is right), each asked without a library, against
the seeded content in the configured database. Deterministic: the same content and dev sets give
the same numbers. The held-out sets are never used here.
"""

from __future__ import annotations

import argparse
import glob
import json
from datetime import date
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from api.db import session_scope
from api.faq.confidence import FEATURES, calibration_file
from api.faq.retrieval import get_index

ROOT = Path(__file__).resolve().parent.parent
C = 10.0  # light regularisation: three features, several hundred lines


def rows(paths: list[str]) -> list[dict[str, str]]:
    out = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row["expect"].startswith("topic:") or row["expect"] == "uncovered":
                    out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", nargs="+", default=sorted(glob.glob(str(ROOT / "tests" / "devset" / "*.jsonl"))))
    args = parser.parse_args()
    data = rows(args.input)
    features, labels = [], []
    with session_scope() as session:
        index = get_index()
        for row in data:
            top = index.rank(session, row["text"], None, limit=1)[0]
            features.append(list(top.features))
            labels.append(int(row["expect"] == f"topic:{top.topic}"))
    model = LogisticRegression(C=C, max_iter=5000).fit(np.array(features), np.array(labels))
    out = {
        "weights": {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef_[0], strict=True)},
        "bias": round(float(model.intercept_[0]), 4),
        "fitted": {
            "on": "tests/devset (scripts/calibrate.py)",
            "date": date.today().isoformat(),
            "lines": len(labels),
            "right_best_topic": int(sum(labels)),
        },
    }
    header = "# Written by scripts/calibrate.py: the retrieval's confidence (api/faq/confidence.py). Do not edit.\n"
    calibration_file().write_text(header + yaml.safe_dump(out, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
