"""`api.cli warm-cache`: every text that the API and Rasa's training embed, embedded once."""

from __future__ import annotations

from pathlib import Path

from api.cli import nlu_examples


def test_nlu_examples_are_read_as_rasa_reads_them(tmp_path: Path) -> None:
    (tmp_path / "nlu").mkdir()
    (tmp_path / "nlu" / "sv.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n      - hej\n      -   god morgon  \n'
        "      - \n  - synonym: kort\n    examples: |\n      - lånekort\n",
        encoding="utf-8",
    )
    (tmp_path / "rules.yml").write_text('version: "3.1"\nrules: []\n', encoding="utf-8")
    assert nlu_examples([tmp_path / "nlu", tmp_path / "rules.yml"]) == ["hej", "god morgon", "lånekort"]


def test_the_real_training_data_is_read_whole() -> None:
    root = Path(__file__).resolve().parents[2]
    texts = nlu_examples([root / "data" / "nlu"])
    assert len(texts) > 1000 and all(t == t.strip() and t for t in texts)
