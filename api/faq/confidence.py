"""How likely an FAQ candidate is the right answer: retrieval scores turned into a probability.

Retrieval scores (api/faq/retrieval.py) rank topics well but say little on their own about
whether the best one answers the message at all: a library question that no topic covers
("can I borrow a projector?") still has a best topic. Three features of a candidate separate
the cases: its score, its lead over the next topic, and its lead over the library questions
that no topic covers (data/not_covered.yml, scored like one more topic). A logistic calibration
over them, fitted by `scripts/calibrate.py` on the dev sets (covered questions: was the best
topic right; uncovered ones: never), turns them into a probability; the reply policy
(actions/reply_policy.py) acts on that. The fitted numbers and their provenance are in
data/retrieval_calibration.yml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from api.settings import get_settings

FEATURES = ("score", "lead", "lead_over_not_covered")


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float

    def probability(self, score: float, lead: float, lead_over_not_covered: float) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, (score, lead, lead_over_not_covered), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def calibration_file() -> Path:
    return get_settings().data_dir / "retrieval_calibration.yml"


@lru_cache
def calibration() -> Calibration:
    data = yaml.safe_load(calibration_file().read_text(encoding="utf-8"))
    weights = data["weights"]
    return Calibration(tuple(float(weights[name]) for name in FEATURES), float(data["bias"]))
