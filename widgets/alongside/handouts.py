"""Handouts to print for a group session: ``alongside handouts --out DIR [--module ID]``.

For each teaching module (01 to 11) one self-contained HTML file, ``DIR/<module-id>.html``, that a
browser prints cleanly on A4, with what the module has:

- the facilitator's guide (``data/facilitator/<id>.yaml``): the session's length, what to do
  before it, a timings table with its total, prompts, safety, what to do if someone is upset and
  notes for mixed groups of parents and staff;
- story cards (``data/stories/<id>.yaml``): one card per part per side, each with its prompts;
- the practice in threes (``data/practice/<id>.yaml``): the setting card all three read, one role
  card per role, each on a printed page of its own, and the observation sheet for each of three
  rounds (so each person plays each role), with a box to tick and room for notes on every row.

A card's paragraphs, each leading label ("Your aim:") in bold, come from :mod:`alongside.cards`,
as the notebook widget's do. ``DIR/index.html`` links the modules' files and says what each has
and what is missing. Every text from the data files is escaped; the pages have no scripts and
load nothing. The print
styles use A4 pages with margins, 12 point text or larger, black on white and page breaks
between the sheets; cards have a dashed line to cut along.
"""

from __future__ import annotations

import html
from pathlib import Path

from alongside.cards import paragraphs_html, what_is_hard
from alongside.data import DataError, data_path
from alongside.practice import (FACILITATOR, GUIDE_LISTS, PRACTICE, ROLES, NotWritten, load_facilitator,
                                load_practice)
from alongside.progress import modules
from alongside.widgets.story import load_story

ROUNDS = 3  # each of the three plays each role once
# How a printed role card names its role: many who play "the parent" play a carer (a foster carer, an uncle).
CARD_ROLES = {**ROLES, "parent": "the parent or carer"}
# What the observer writes at the foot of each round's sheet, for the feedback the observer's card asks for.
FEEDBACK_LINES = ("One thing that worked", "One thing to try next time")
INDEX = "index.html"

CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
html { background: #fff; color: #000; }
body { font-family: Arial, Helvetica, "Liberation Sans", sans-serif; font-size: 12pt; line-height: 1.45;
  max-width: 178mm; margin: 0 auto; padding: 0 4mm; background: #fff; color: #000; }
h1 { font-size: 20pt; margin: 0 0 4mm 0; }
h2 { font-size: 16pt; margin: 0 0 3mm 0; }
h3 { font-size: 14pt; margin: 5mm 0 2mm 0; }
h4 { font-size: 12pt; margin: 3mm 0 1mm 0; }
h1, h2, h3, h4 { line-height: 1.25; break-after: avoid; page-break-after: avoid; }
p, li { max-width: 70ch; }
a { color: #000; }
.page { break-before: page; page-break-before: always; }
.card { border: 1.5pt dashed #000; padding: 5mm 6mm; margin: 0 0 8mm 0; break-inside: avoid; page-break-inside: avoid; }
.card p { margin: 0 0 2.5mm 0; }
/* A role card has a page of its own: one longer than a page runs on, rather than leaving a page blank. */
.card[data-role] { break-inside: auto; page-break-inside: auto; }
.cut-note { font-size: 12pt; font-style: italic; margin: 0 0 2mm 0; }
.side { font-weight: bold; }
blockquote { margin: 2mm 0 2mm 6mm; padding-left: 4mm; border-left: 2pt solid #000; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 5mm 0; }
caption { text-align: left; font-weight: bold; margin-bottom: 2mm; }
th, td { border: 1pt solid #000; padding: 2mm 3mm; text-align: left; vertical-align: top; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
td.minutes, th.minutes { text-align: right; white-space: nowrap; }
td.tick { width: 18mm; text-align: center; }
td.notes { width: 45%; height: 24mm; }
.box { display: inline-block; width: 8mm; height: 8mm; border: 1.5pt solid #000; }
.write-in { display: inline-block; min-width: 55mm; border-bottom: 1pt solid #000; }
.missing { border: 1.5pt solid #000; padding: 2mm 4mm; }
table.feedback th { width: 35%; font-weight: normal; }
@media screen { .page { border-top: 1.5pt solid #000; margin-top: 10mm; padding-top: 6mm; } }
@media print { a { text-decoration: none; } nav { display: none; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _list(items: list[str], tag: str = "ul") -> str:
    return f"<{tag}>{''.join(f'<li>{_e(i)}</li>' for i in items)}</{tag}>"


def _page(content: str, label: str, first: bool = False, extra: str = "") -> str:
    """One printed page (or more, for a long guide): a new page starts before it, but for the first."""
    classes = " ".join(c for c in ("sheet", "" if first else "page", extra) if c)
    return f'<section class="{classes}" aria-label="{_e(label)}">{content}</section>'


def _document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


# --- What a module has ----------------------------------------------------------------------------


def teaching_modules() -> list[dict]:
    """The modules that get handouts: every module after the start page, in order."""
    return [m for m in modules() if m["number"] > 0]


def _story(module_id: str) -> dict | None:
    return load_story(module_id) if data_path("stories", f"{module_id}.yaml").is_file() else None


def _or_none(load, module_id: str, folder):
    try:
        return load(module_id, folder)
    except NotWritten:
        return None


def module_parts(module_id: str, practice_folder=None, facilitator_folder=None) -> dict:
    """What a module has to print: its guide, story and practice (each None if it has none).

    Raises DataError if one of its files is there but wrong (naming the file and the field)."""
    return {
        "guide": _or_none(load_facilitator, module_id, facilitator_folder),
        "story": _story(module_id),
        "practice": _or_none(load_practice, module_id, practice_folder),
    }


def plans_practice(module_id: str) -> bool:
    """Whether a module is meant to have a practice in threes: its notebook shows one, so
    data/modules.yaml lists its ``<module id>:practice`` reflection among its activities."""
    module = next((m for m in modules() if m["id"] == module_id), None)
    key = f"{module_id}:practice"
    return module is not None and any(a.get("reflection") == key for a in module.get("activities") or [])


def missing(module_id: str, parts: dict) -> list[str]:
    """What a module has no file for, in words, naming the file a writer would add. A module that has
    no role play by design (see :func:`plans_practice`) is not missing one."""
    said = []
    if parts["guide"] is None:
        said.append(f"No facilitator's guide: there is no widgets/alongside/data/{FACILITATOR}/{module_id}.yaml.")
    if parts["practice"] is None and plans_practice(module_id):
        said.append(f"No practice in threes: there is no widgets/alongside/data/{PRACTICE}/{module_id}.yaml.")
    return said


NO_ROLE_PLAY = "This module has no role play in threes."


def contents(parts: dict) -> list[str]:
    """What a module's file holds, in words."""
    found = []
    if parts["guide"] is not None:
        found.append("the facilitator's guide")
    if parts["story"] is not None:
        found.append(f"{len(parts['story']['parts']) * len(parts['story']['sides'])} story cards")
    if parts["practice"] is not None:
        found.append(f"the setting card, {len(ROLES)} role cards and the observation sheet for {ROUNDS} rounds")
    return found


# --- The sheets -----------------------------------------------------------------------------------


def guide_html(guide: dict) -> str:
    """The facilitator's guide: the session's length, then before, timings with a total, and the lists."""
    rows = "".join(
        f'<tr><td>{_e(t["activity"])}</td><td class="minutes">{t["minutes"]}</td><td>{_e(t["notes"])}</td></tr>'
        for t in guide["timings"]
    )
    total = sum(t["minutes"] for t in guide["timings"])
    lists = {field: f"<h3>{_e(heading)}</h3>{_list(guide[field])}" for field, heading in GUIDE_LISTS.items()}
    return (
        "<h2>Facilitator's guide</h2>"
        f"<p>The session takes {guide['session_minutes']} minutes.</p>"
        f"{lists['before']}"
        '<h3>Timings</h3><table class="timings"><caption>What happens when, in minutes</caption>'
        '<thead><tr><th scope="col">Activity</th><th scope="col" class="minutes">Minutes</th>'
        '<th scope="col">Notes</th></tr></thead>'
        f"<tbody>{rows}</tbody>"
        f'<tfoot><tr><th scope="row">Total</th><td class="minutes total">{total}</td><td></td></tr></tfoot></table>'
        + "".join(lists[field] for field in GUIDE_LISTS if field != "before")
    )


def story_cards_html(story: dict) -> str:
    """One card per part per side, each with the part's prompts, to cut out and hand round."""
    total = len(story["parts"])
    cards = []
    for number, part in enumerate(story["parts"], 1):
        when = f" ({_e(part['when'])})" if part.get("when") else ""
        for side, heading in story["sides"].items():
            cards.append(
                f'<article class="card story-card" data-part="{number}" data-side="{_e(side)}">'
                f"<h3>Part {number} of {total}: {_e(part['title'])}{when}</h3>"
                f'<p class="side">{_e(heading)}</p>{paragraphs_html(part[side])}'
                f"<h4>Talk about it</h4>{_list(part['prompts'])}</article>"
            )
    return (f"<h2>Story cards: {_e(story.get('title', story['id']))}</h2>"
            f"{paragraphs_html(story.get('summary', ''))}"
            '<p class="cut-note">Cut along the dashed lines. Hand out one part at a time.</p>' + "".join(cards))


def setting_card_html(practice: dict) -> str:
    """The card all three of a triad read: the title, what makes it hard (and, if feelings run high, how
    to pause), the setting and the parent's first words."""
    return (
        f"<h2>Practice in threes: {_e(practice['title'])}</h2>"
        f"<p>About {practice['minutes']} minutes. One of you plays the parent, one the practitioner and one "
        f"observes. Do it three times, so each of you plays each role once.</p>"
        '<p class="cut-note">Cut along the dashed line: one card for each person.</p>'
        '<article class="card setting-card"><h3>Setting card (for all three)</h3>'
        f'<p class="hard">{_e(what_is_hard(practice))}</p>'
        f"{paragraphs_html(practice['setting'])}"
        f"<h4>The parent starts</h4><blockquote>{paragraphs_html(practice['opening'])}</blockquote></article>"
    )


def role_card_html(practice: dict, role: str) -> str:
    """One role's card, for the person playing it only."""
    name = practice["roles"][role]["name"]
    extra = ""
    if role == "parent":
        extra = f"<h4>You start by saying</h4><blockquote>{paragraphs_html(practice['opening'])}</blockquote>"
    elif role == "observer":
        extra = "<p>Use the observation sheet: tick what you see, and note the words you hear.</p>"
    return (
        '<p class="cut-note">Cut along the dashed line. Only the person playing this role reads it.</p>'
        f'<article class="card role-card" data-role="{_e(role)}">'
        f"<h2>Role card: {_e(CARD_ROLES[role])}</h2>"
        + (f'<p class="name"><strong>You are {_e(name)}.</strong></p>' if name else "")
        + f"{paragraphs_html(practice['roles'][role]['card'])}{extra}</article>"
    )


def observation_sheet_html(practice: dict, round_number: int) -> str:
    """The observer's sheet for one round: every row, a box to tick and room for notes, two lines for the
    observer's feedback (one thing that worked, one thing to try), then the debrief."""
    rows = "".join(
        f"<tr><td>{_e(row['look_for'])}</td>"
        f'<td class="tick"><span class="box" role="img" aria-label="empty box to tick"></span></td>'
        '<td class="notes"></td></tr>'
        for row in practice["observe"]
    )
    people = "".join(f'<li>{_e(ROLES[r].capitalize())}: <span class="write-in"></span></li>' for r in ROLES)
    return (
        f"<h2>Observation sheet, round {round_number} of {ROUNDS}: {_e(practice['title'])}</h2>"
        f"<p>Who is who in this round:</p><ul class=\"who\">{people}</ul>"
        f'<table class="observe"><caption>Round {round_number}: tick what you see, note the words you hear</caption>'
        '<thead><tr><th scope="col">What to look for</th><th scope="col">Seen it? Tick</th>'
        '<th scope="col">Notes: the words you heard</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        '<h3>Your feedback</h3><table class="feedback"><tbody>'
        + "".join(f'<tr><th scope="row">{_e(line)}</th><td class="notes"></td></tr>' for line in FEEDBACK_LINES)
        + "</tbody></table>"
        "<h3>Talk it over, all three</h3><p>After the last round, pick two of these questions.</p>"
        f"{_list(practice['debrief'], 'ol')}"
    )


def module_html(module: dict, parts: dict) -> str:
    """A module's whole handout file."""
    title = f"Module {module['number']:02d}: {module['title']}"
    found, gaps = contents(parts), missing(module["id"], parts)
    links, sheets = [], []  # sheets: (content, label, extra class)
    if parts["guide"] is not None:
        links.append(("guide", "Facilitator's guide"))
        sheets.append((f'<div id="guide">{guide_html(parts["guide"])}</div>', "Facilitator's guide", ""))
    if parts["story"] is not None:
        links.append(("story", "Story cards"))
        sheets.append((f'<div id="story">{story_cards_html(parts["story"])}</div>', "Story cards", ""))
    practice = parts["practice"]
    if practice is not None:
        links.append(("practice", "Practice in threes: setting card, role cards, observation sheets"))
        sheets.append((f'<div id="practice">{setting_card_html(practice)}</div>', "Setting card", ""))
        sheets += [(role_card_html(practice, role), f"Role card: {CARD_ROLES[role]}", "role-page") for role in ROLES]
        sheets += [(observation_sheet_html(practice, n), f"Observation sheet, round {n}", "observe-page")
                   for n in range(1, ROUNDS + 1)]
    # The first sheet shares the first page with the cover; every other sheet starts a new page.
    pages = [_page(content, label, first=(n == 0 and not extra), extra=extra)
             for n, (content, label, extra) in enumerate(sheets)]
    nav = "".join(f'<li><a href="#{anchor}">{_e(text)}</a></li>' for anchor, text in links)
    how_to_print = ["Print this file on A4."]
    if parts["story"] is not None or practice is not None:
        how_to_print.append("Cut the cards out along their dashed lines.")
    if practice is not None:
        how_to_print.append("Each role card is on a page of its own, so each person gets only their own card.")
    cover = (
        f"<h1>{_e(title)}: handouts</h1>"
        + (f"<p>{' '.join(how_to_print)}</p>" if sheets else "")
        + (f"<p>In this file: {_e(', '.join(found))}.</p>" if found else "<p>This module has nothing to print yet.</p>")
        + (f"<p>{_e(NO_ROLE_PLAY)}</p>" if not plans_practice(module["id"]) else "")
        + (f'<nav aria-label="In this file"><ul>{nav}</ul></nav>' if nav else "")
        + (f'<div class="missing"><h2>Not in this file yet</h2>{_list(gaps)}</div>' if gaps else "")
    )
    body = f"<main>{_page(cover, 'About these handouts', first=True)}{''.join(pages)}</main>"
    return _document(f"{title}: handouts", body)


def index_html(entries: list[tuple[dict, dict | None, str | None, bool]]) -> str:
    """The index: each module, a link to its file (if it is in the folder), what it holds and what is
    missing. Each entry is (module, its parts, the error its broken data file gave or None, written)."""
    rows = []
    for module, parts, error, written in entries:
        title = f"Module {module['number']:02d}: {module['title']}"
        name = f"{module['id']}.html"
        link = f'<a href="{_e(name)}">{_e(title)}</a>' if written else f"{_e(title)} (its file is not in this folder)"
        if error is not None:
            found, gaps = "Nothing: a data file is broken.", _e(error)
        else:
            held = contents(parts)
            found = _e(", ".join(held).capitalize() + ".") if held else "Nothing yet."
            if not plans_practice(module["id"]):
                found += f" {_e(NO_ROLE_PLAY)}"
            gaps = " ".join(_e(g) for g in missing(module["id"], parts)) or "Nothing."
        rows.append(f"<tr><td>{link}</td><td>{found}</td><td>{gaps}</td></tr>")
    body = (
        "<main><h1>Alongside: handouts to print</h1>"
        "<p>One file per module. Open a module's file in a browser and print it on A4: the facilitator's guide, "
        "story cards, the setting card, one role card per page and the observation sheets.</p>"
        '<table class="index"><caption>The modules and their handouts</caption>'
        '<thead><tr><th scope="col">Module</th><th scope="col">In its file</th><th scope="col">Missing</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></main>"
    )
    return _document("Alongside: handouts to print", body)


# --- Writing them ---------------------------------------------------------------------------------


class UnknownModule(ValueError):
    """A module id that is not one of the teaching modules."""


def write_handouts(out: str | Path, module_id: str | None = None, practice_folder=None,
                   facilitator_folder=None) -> list[tuple[Path, list[str]]]:
    """Write the handouts into ``out`` (made if need be): every module's file, or only ``module_id``'s,
    and the index (which lists every module and links those whose file is in ``out``).

    Returns (path, what is missing) for each module's file written, then the index's path with [].
    Raises UnknownModule for a module that is not a teaching module, DataError for a broken data
    file (naming it) and OSError if ``out`` cannot be written."""
    every = teaching_modules()
    if module_id is not None and module_id not in {m["id"] for m in every}:
        raise UnknownModule(f"no module {module_id!r} has handouts; the modules with handouts are "
                            f"{', '.join(m['id'] for m in every)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written, entries = [], []
    for module in every:
        wanted = module_id is None or module["id"] == module_id
        try:
            parts, error = module_parts(module["id"], practice_folder, facilitator_folder), None
        except DataError as err:
            if wanted:
                raise
            parts, error = None, str(err)  # another module's broken file: said on the index, not fatal here
        path = out / f"{module['id']}.html"
        if wanted:
            path.write_text(module_html(module, parts), encoding="utf-8")
            written.append((path, missing(module["id"], parts)))
        entries.append((module, parts, error, path.is_file()))
    index = out / INDEX
    index.write_text(index_html(entries), encoding="utf-8")
    return [*written, (index, [])]
