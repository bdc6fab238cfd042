"""Markdown as plain sentences, for the readability tests of the course's notebooks."""

from __future__ import annotations

import re


def prose(markdown: str) -> str:
    """A markdown cell as sentences: headings, list marks and emphasis dropped, each table row's cells
    read as short sentences (its rule line left out), and every line ended like a sentence."""
    lines = []
    for line in markdown.splitlines():
        line = line.strip()
        if re.fullmatch(r"\|?[-| :]+\|?", line):
            continue
        if line.startswith("|"):
            line = ". ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
        line = re.sub(r"^(#+|[-*>]|\d+\.)\s+", "", line).replace("**", "").replace("*", "").replace("`", "")
        line = re.sub(r"[;,]$", ".", line)
        if line and not re.search(r"[.!?:]$", line):
            line += "."
        lines.append(line)
    return " ".join(lines)
