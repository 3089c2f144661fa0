"""The chat widget in a real browser: Debian's Chromium driven by playwright-core, in Node's own
test runner (tests/browser/*.test.mjs), against the same real stack as test_stack.py.

The widget is driven on the demo host page (`/`, strict CSP) and on a cross-origin host page the
tests serve themselves: axe-core (WCAG 2.1 A/AA) in the closed, open, conversation and handoff
states in Swedish, English and Arabic; keyboard-only use including a handoff to staff; all 12
languages, right-to-left mirroring, easy-to-read Swedish; reload and resume, end and delete, failed
send and retry, reconnecting after a network loss; 320 px, 200% zoom, reduced motion; the staff
desk. Each browser test is counted in var/test-results/browser.xml; screenshots of every state go to
var/test-results/screenshots/. scripts/test.sh installs Chromium and the npm packages first
(ensure_browser_tools in scripts/lib.sh).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BROWSER_TESTS = ROOT / "tests" / "browser"
RESULTS = ROOT / "var" / "test-results"
SETUP_HINT = "run: bash -c 'source scripts/lib.sh && ensure_browser_tools'"


def test_demo_page_in_chromium(stack: str) -> None:
    assert shutil.which("node"), "Node.js is needed for the browser tests"
    assert Path("/usr/bin/chromium").exists(), f"Chromium is missing; {SETUP_HINT}"
    assert (BROWSER_TESTS / "node_modules" / "playwright-core").is_dir(), f"npm packages missing; {SETUP_HINT}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    cmd = [
        "node",
        "--test",
        "--test-reporter=spec",
        "--test-reporter=junit",
        "--test-reporter-destination=stdout",
        f"--test-reporter-destination={RESULTS / 'browser.xml'}",
        "tests/browser/",
    ]
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env={**os.environ, "BASE_URL": stack, "NO_COLOR": "1", "FORCE_COLOR": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )
    print(proc.stdout)
    assert proc.returncode == 0, f"browser tests failed (exit {proc.returncode}):\n{proc.stdout[-6000:]}"
