"""Warn when text seems to hold details that could identify a real family.

The course never asks for real families' details. This check looks for the common signs
(a full name, a date of birth, a phone number, an email, a postcode, a street address, an
NHS number, a named school) so a trainee can be warned before anything is saved or sent,
and a trainer's report can list the submissions to follow up.
"""

from __future__ import annotations

import re

from alongside.text import normalise

_CHECKS = [
    ("email address", re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")),
    ("phone number", re.compile(r"(?<!\d)(\+44\s?|0)(\d[\s-]?){9,10}(?!\d)")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")),
    ("NHS number", re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")),
    (
        "date of birth",
        re.compile(r"\b(born|date of birth|d\.?o\.?b\.?|birthday)\b[^.\n]{0,20}\d{1,4}", re.IGNORECASE),
    ),
    (
        "street address",
        re.compile(r"\b\d{1,4}[a-z]?,?\s+([A-Z][a-z]+\s){1,3}(Road|Street|Lane|Avenue|Close|Drive|Way|Crescent|Court|Gardens|Place|Terrace)\b"),
    ),
    (
        "named school or setting",
        re.compile(r"\b([A-Z][a-z]+\s){1,3}(Primary|Infant|Junior|Academy|Nursery|High School|Secondary|Children's Centre)\b"),
    ),
    (
        "full name",
        re.compile(
            r"\b(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+|(?:called|named|name is|name's)\s+[A-Z][a-z]+\s+[A-Z][a-z]+)"
        ),
    ),
]


def personal_details(text: object) -> list[dict]:
    """Possible identifying details in a text: ``[{"kind": str, "text": str}]``, empty if none."""
    if not isinstance(text, str):
        return []
    text = normalise(text)
    found = []
    for kind, pattern in _CHECKS:
        for match in pattern.finditer(text):
            found.append({"kind": kind, "text": match.group(0).strip()})
    return found


def warning(text: object) -> str:
    """A plain warning naming what looks identifying, or "" when nothing does."""
    found = personal_details(text)
    if not found:
        return ""
    kinds = ", ".join(dict.fromkeys(f["kind"] for f in found))
    return (
        f"This may identify a real family ({kinds}). Change names and remove details such as "
        "addresses, dates of birth and contact details before you save or submit."
    )
