# The README's two commands are `make run` and `make test`.
.PHONY: run test eval bench bench-content lint train calibrate

run:  ## set up everything that is missing and run the assistant locally
	./scripts/run.sh

test:  ## the whole test suite (CI runs exactly this)
	./scripts/test.sh

eval:  ## evaluate the running stack: make eval INPUT=tests/devset/sv.jsonl [URL=...]
	.venvs/api/bin/python -m scripts.eval --input $(or $(INPUT),tests/devset/*.jsonl) --url $(or $(URL),http://127.0.0.1:8000)

calibrate:  ## refit the FAQ retrieval's confidence on the dev sets (data/retrieval_calibration.yml)
	.venvs/api/bin/python -m scripts.calibrate

bench:  ## load benchmark of the whole stack versus bare Rasa; numbers in docs/performance.md
	.venvs/api/bin/python scripts/bench.py

bench-content:  ## how long an editor's change makes the next resident wait; grouping the needs inbox
	.venvs/api/bin/python scripts/bench_content.py

lint:
	.venvs/api/bin/ruff check api actions bot scripts tests

train:
	bash -c 'source scripts/lib.sh && ensure_model'
