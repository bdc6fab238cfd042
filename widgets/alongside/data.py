"""Read the course's data files (rubrics, statements, glossary) shipped inside the package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


class DataError(ValueError):
    """A data file is missing or not in the expected shape."""


def data_path(*parts: str):
    """Return a Traversable for a file under ``alongside/data``."""
    return resources.files("alongside").joinpath("data", *parts)


@lru_cache(maxsize=None)
def load_yaml(*parts: str) -> Any:
    """Load one YAML file from ``alongside/data``; raise DataError if it is missing."""
    path = data_path(*parts)
    if not path.is_file():
        raise DataError(f"no data file {'/'.join(parts)}")
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def list_names(folder: str, suffix: str = ".yaml") -> list[str]:
    """Names (without suffix) of the data files in one folder of ``alongside/data``."""
    root = data_path(folder)
    return sorted(p.name[: -len(suffix)] for p in root.iterdir() if p.name.endswith(suffix))
