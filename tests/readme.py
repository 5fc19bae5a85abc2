"""Reading README.md's parts for the tests that check it against the code (tests/unit/test_docs_match_*.py)."""

from __future__ import annotations

import re

from local.template import ROOT

README = (ROOT / "README.md").read_text()


def fenced(text: str, language: str | None = None) -> list[str]:
    """The bodies of the fenced code blocks (of that language), continuation lines (``\\``) joined."""
    return [body.replace("\\\n", " ") for lang, body in re.findall(r"^```([a-z]*)\n(.*?)^```", text, re.M | re.S)
            if language in (None, lang)]


def section(heading: str) -> str:
    start = README.index(f"\n{heading}\n")
    end = README.find("\n#", start + len(heading) + 2)
    return README[start:end if end > 0 else None]


def table(after: str) -> list[list[str]]:
    """The rows (cells stripped) of the first Markdown table whose header row starts with ``after``."""
    start = README.index(after)
    rows = []
    for line in README[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)
