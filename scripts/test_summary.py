"""Add up the JUnit XML files of the test steps into one closing line."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

# Terminal colour codes in failure messages are not valid XML characters.
_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def main(paths: list[str]) -> None:
    total = failed = skipped = 0
    for path in paths:
        root = ET.fromstring(_INVALID_XML.sub("", Path(path).read_text(encoding="utf-8", errors="replace")))
        for suite in root.iter("testsuite"):
            total += int(suite.get("tests", 0))
            failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
    print(f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
