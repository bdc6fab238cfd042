"""Practising a hard conversation in threes, the facilitator's guide, and the handouts to print.

The loader, the widget and the handouts are tested on small fixtures (tests/data/practice/ and
tests/data/facilitator/), shaped as the course's own files are. The last section reads the course's
own files (widgets/alongside/data/practice/ and facilitator/), which the course writers keep.
"""

from __future__ import annotations

import copy
import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import textstat
import yaml
from prose_tools import prose

from alongside import activities, practice
from alongside.cards import label, paragraphs, paragraphs_html
from alongside.cli import main
from alongside.data import DataError, data_path
from alongside.handouts import CSS, ROUNDS, index_html, module_html, module_parts, role_card_html, write_handouts
from alongside.practice import (HARD_PARTS, ROLES, NotWritten, check_facilitator, check_practice, load_facilitator,
                                load_practice)
from alongside.progress import modules
from alongside.rubric import load_rubric, score
from alongside.store import answers
from alongside.widgets import PracticeConversation
from alongside.widgets.keyboard import KeyboardGuard
from alongside.widgets.practice import card_html
from alongside.widgets.story import load_story

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data"
PRACTICE_FIXTURES = FIXTURES / "practice"
GUIDE_FIXTURES = FIXTURES / "facilitator"
GOOD = yaml.safe_load((PRACTICE_FIXTURES / "02-words.yaml").read_text(encoding="utf-8"))
GOOD_GUIDE = yaml.safe_load((GUIDE_FIXTURES / "02-words.yaml").read_text(encoding="utf-8"))
WHERE = "practice/02-words.yaml"
GUIDE_WHERE = "facilitator/02-words.yaml"
TEACHING = [m["id"] for m in modules() if m["number"] > 0]
PRACTICE_MODULES = TEACHING[:10]  # 01 to 10
GUIDE_MODULES = TEACHING[:11]  # 01 to 11
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _changed(data: dict, change) -> dict:
    data = copy.deepcopy(data)
    change(data)
    return data


def _write(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- Loading and checking -------------------------------------------------------------------------


def test_a_good_practice_file_loads_with_every_row_to_look_for():
    loaded = load_practice("02-words", PRACTICE_FIXTURES)
    assert loaded["title"] == "The pick-up that ran late" and loaded["hard_part"] == "anger"
    assert set(loaded["roles"]) == set(ROLES) and loaded["roles"]["observer"]["name"] is None
    rows = {row["id"]: row for row in loaded["observe"]}
    assert rows["acknowledges"]["look_for"] == "Reflects the parent's feeling back, tentatively."
    # a row without look_for takes what its rubric criterion looks for
    criteria = {c.id: c.looks_for for c in load_rubric("listening-response").criteria}
    assert rows["open_question"]["look_for"] == criteria["open_question"]
    assert rows["calm_voice"]["criterion"] is False and rows["acknowledges"]["criterion"] is True
    assert loaded["turn"]["prompt"].startswith("Write what you, as the class teacher")


def test_a_good_facilitator_file_loads():
    guide = load_facilitator("02-words", GUIDE_FIXTURES)
    assert guide["session_minutes"] == 60 == sum(t["minutes"] for t in guide["timings"])
    assert guide["timings"][2] == {"minutes": 15, "activity": "Debrief", "notes": ""}
    assert guide["safety"] and guide["if_upset"] and guide["mixed_groups"] and guide["before"] and guide["prompts"]


BAD_PRACTICE = {
    "unknown hard_part": (lambda d: d.update(hard_part="rage"), r"hard_part 'rage' is not one of anger, tears"),
    "missing role": (lambda d: d["roles"].pop("observer"), r"roles is missing the role observer"),
    "role without a card": (lambda d: d["roles"]["parent"].pop("card"), r"roles\.parent\.card needs some text"),
    "parent without a name": (lambda d: d["roles"]["parent"].pop("name"), r"roles\.parent\.name needs some text"),
    "a fourth role": (lambda d: d["roles"].update(grandmother={"card": "x"}), r"roles has grandmother"),
    "observe id in no rubric, no look_for": (
        lambda d: d["observe"].append({"id": "nods_a_lot"}),
        r"observe, row 4: 'nods_a_lot' is not a criterion of observe_rubric listening-response \(nor of any rubric\)"),
    "observe id twice": (lambda d: d["observe"].append({"id": "acknowledges", "look_for": "x"}), r"used twice"),
    "unknown observe_rubric": (lambda d: d.update(observe_rubric="no-such"), r"observe_rubric 'no-such' is not a rubric"),
    "no turn prompt": (lambda d: d.update(turn={}), r"turn\.prompt needs some text"),
    "minutes not a number": (lambda d: d.update(minutes="half an hour"), r"minutes needs a whole number"),
    "feelings_high not true or false": (lambda d: d.update(feelings_high="yes"), r"feelings_high needs true or false"),
    "empty debrief": (lambda d: d.update(debrief=[]), r"debrief needs a list"),
    "another module's file": (lambda d: d.update(module="03-listening"), r"module is '03-listening', but the file is for"),
    "no setting": (lambda d: d.pop("setting"), r"setting needs some text"),
}


@pytest.mark.parametrize("kind", list(BAD_PRACTICE))
def test_a_bad_practice_file_names_the_file_and_the_field(kind):
    change, message = BAD_PRACTICE[kind]
    with pytest.raises(DataError, match=rf"^{re.escape(WHERE)}: .*{message}"):
        check_practice(_changed(GOOD, change), WHERE, "02-words")


def test_an_observe_id_of_another_rubric_takes_that_criterions_words():
    data = _changed(GOOD, lambda d: d["observe"].append({"id": "trial_length"}))  # agreement-plan's criterion
    row = check_practice(data, WHERE, "02-words")["observe"][-1]
    assert row["look_for"] == next(c.looks_for for c in load_rubric("agreement-plan").criteria if c.id == "trial_length")


BAD_GUIDE = {
    "timings not adding up": (lambda d: d["timings"].pop(), r"timings add up to 45 minutes, but session_minutes is 60"),
    "a timing without minutes": (lambda d: d["timings"][0].pop("minutes"), r"timings, row 1: minutes needs a whole"),
    "a timing without an activity": (lambda d: d["timings"][1].pop("activity"), r"timings, row 2: activity needs"),
    "no safety": (lambda d: d.pop("safety"), r"safety needs a list"),
    "an empty prompt": (lambda d: d["prompts"].append(" "), r"prompts, entry 2, needs some text"),
    "no session length": (lambda d: d.pop("session_minutes"), r"session_minutes needs a whole number"),
}


@pytest.mark.parametrize("kind", list(BAD_GUIDE))
def test_a_bad_facilitator_file_names_the_file_and_the_field(kind):
    change, message = BAD_GUIDE[kind]
    with pytest.raises(DataError, match=rf"^{re.escape(GUIDE_WHERE)}: .*{message}"):
        check_facilitator(_changed(GOOD_GUIDE, change), GUIDE_WHERE, "02-words")


def test_a_bad_file_on_disk_is_named_by_its_path(tmp_path):
    path = _write(tmp_path, "02-words", _changed(GOOD, lambda d: d.update(hard_part="shouting")))
    with pytest.raises(DataError, match=re.escape(str(path)) + r": hard_part 'shouting'"):
        load_practice("02-words", tmp_path)
    (tmp_path / "03-listening.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"03-listening\.yaml: not readable YAML"):
        load_practice("03-listening", tmp_path)


def test_a_missing_file_is_not_written_rather_than_broken(tmp_path):
    with pytest.raises(NotWritten, match=r"no file .*05-disagree\.yaml"):
        load_practice("05-disagree", tmp_path)
    with pytest.raises(NotWritten):
        load_facilitator("05-disagree", tmp_path)
    assert not practice.has_file("practice", "05-disagree", tmp_path)
    assert practice.has_file("practice", "02-words", PRACTICE_FIXTURES)


# --- A card's paragraphs (one helper for the widget and the handouts) ----------------------------

# A card as the course writers write one: a folded block with a blank line between paragraphs.
FOLDED_CARD = yaml.safe_load("""card: >
  You have waited a year for this. Part of you is
  relieved, and part of you is scared.

  How to play it: quiet at first. Say sorry
  for crying.

  When to soften: when she talks about Isla.
""")["card"]
FOLDED_PARAGRAPHS = ["You have waited a year for this. Part of you is relieved, and part of you is scared.",
                     "How to play it: quiet at first. Say sorry for crying.", "When to soften: when she talks about Isla."]


def test_a_folded_card_has_one_newline_between_paragraphs_and_each_is_a_paragraph():
    assert "\n\n" not in FOLDED_CARD.strip() and FOLDED_CARD.count("\n") == 3, "what YAML gives for a folded block"
    assert paragraphs(FOLDED_CARD) == FOLDED_PARAGRAPHS
    assert paragraphs("One.\n\n\nTwo,\n  and more.") == ["One.", "Two,", "and more."]
    assert paragraphs("  ") == []


def test_a_leading_label_is_bold_and_a_clause_before_a_colon_is_not():
    assert label("How to play it: quiet at first.") == ("How to play it:", "quiet at first.")
    assert label("After the round, ask three questions: what?") == ("", "After the round, ask three questions: what?")
    assert label('Ask straight out: "Are they?"') == ("Ask straight out:", '"Are they?"')
    assert label("He said: no.") == ("He said:", "no.")
    assert label("Theo is nine. He said: no.")[0] == ""
    assert paragraphs_html("Your aim: be <kind>.") == "<p><strong>Your aim:</strong> be &lt;kind&gt;.</p>"


@pytest.mark.parametrize("render", [role_card_html, card_html], ids=["handout", "widget"])
def test_the_handout_and_the_widget_show_a_folded_cards_paragraphs_apart(render):
    loaded = load_practice("02-words", PRACTICE_FIXTURES)
    loaded["roles"]["parent"]["card"] = FOLDED_CARD
    shown = render(loaded, "parent")
    assert "<p>You have waited a year for this. Part of you is relieved, and part of you is scared.</p>" in shown
    assert "<p><strong>How to play it:</strong> quiet at first. Say sorry for crying.</p>" in shown
    assert "<p><strong>When to soften:</strong> when she talks about Isla.</p>" in shown


def test_the_course_cards_print_each_part_as_its_own_paragraph(tmp_path):
    write_handouts(tmp_path, module_id="08-safeguarding")
    page = (tmp_path / "08-safeguarding.html").read_text(encoding="utf-8")
    for heading in ("How to play it:", "What would make you feel heard:", "When to soften:", "Your aim:", "You must not:"):
        assert f"<p><strong>{heading}</strong> " in page, heading
    loaded = load_practice("08-safeguarding")
    card = role_card_html(loaded, "practitioner")
    assert card.count("<p>") >= len(paragraphs(loaded["roles"]["practitioner"]["card"])) >= 5


# --- The widget -----------------------------------------------------------------------------------


def _all_html(widget) -> str:
    """Every HTML string shown inside a widget, however deep, and every control's label."""
    found = []
    for child in getattr(widget, "children", ()):
        found.append(str(getattr(child, "value", "")) if child.__class__.__name__ == "HTML" else "")
        found.append(str(getattr(child, "description", "")))
        found.append(_all_html(child))
    return "\n".join(found)


@pytest.fixture
def conversation(alongside_home):
    return PracticeConversation("02-words", folder=PRACTICE_FIXTURES)


def test_the_widget_shows_the_title_setting_and_opening_to_everyone(conversation):
    shown = _all_html(conversation)
    for text in (GOOD["title"], GOOD["setting"].split(".")[0], "another mum", GOOD["debrief"][0]):
        assert html.escape(text) in shown
    assert "alongside-practice" in conversation._dom_classes


@pytest.mark.parametrize("role", list(ROLES))
def test_each_card_is_hidden_until_its_own_toggle_is_pressed(conversation, role):
    card = html.escape(" ".join(GOOD["roles"][role]["card"].split()))
    assert card not in _all_html(conversation), "a card is on the page before its button is pressed"
    conversation.toggles[role].value = True
    assert conversation.shown(role) and card in _all_html(conversation)
    others = [r for r in ROLES if r != role]
    assert not any(conversation.shown(r) for r in others), "one button shows one card only"
    assert not any(html.escape(" ".join(GOOD["roles"][r]["card"].split())) in _all_html(conversation) for r in others)
    conversation.toggles[role].value = False
    assert not conversation.shown(role) and card not in _all_html(conversation)


def test_each_toggle_has_a_visible_label_that_says_in_words_what_it_does(conversation):
    labels = [t.description for t in conversation.toggles.values()]
    assert labels == ["Show the parent's card", "Show the practitioner's card", "Show the observer's card"]
    parent = conversation.toggles["parent"]
    parent.value = True
    assert parent.description == "Hide the parent's card", "the state is in the words, not the colour alone"
    assert parent.icon == "eye-slash" and conversation.toggles["observer"].icon == "eye"
    assert "The parent's card is shown." in conversation.status.value and 'role="status"' in conversation.status.value
    parent.value = False
    assert parent.description == "Show the parent's card" and "is hidden" in conversation.status.value


def test_the_widget_works_with_the_keyboard_in_jupyterlab(conversation):
    assert "alongside-keys" in conversation._dom_classes
    assert any(isinstance(c, KeyboardGuard) for c in conversation.children)
    assert all(t.__class__.__name__ == "ToggleButton" and not t.disabled for t in conversation.toggles.values())


def test_the_turn_box_is_a_listening_reply_saved_under_the_modules_practice_key(conversation):
    turn = conversation.turn
    assert turn.key == "02-words:practice" == conversation.key
    assert turn.rubric == "listening-response"
    assert turn.text.description == GOOD["turn"]["prompt"]
    turn.text.value = "It sounds like this week has been hard. What happened at home time? Can we meet tomorrow?"
    assert answers().get("02-words:practice").startswith("It sounds like")
    assert activities.is_answered("reflection", "02-words:practice", answers().all(), {})
    result = turn.check()
    assert result.rubric == "listening-response" and result.score >= 3


def test_every_text_from_the_file_is_escaped(alongside_home, tmp_path):
    def poison(data):
        data["title"] = data["setting"] = data["opening"] = SCRIPT
        for role in ROLES:
            data["roles"][role]["card"] = SCRIPT
        data["roles"]["parent"]["name"] = SCRIPT
        data["observe"][0]["look_for"] = SCRIPT
        data["debrief"] = [SCRIPT]
        data["turn"]["prompt"] = "Write back <b>now</b>"

    _write(tmp_path, "02-words", _changed(GOOD, poison))
    widget = PracticeConversation("02-words", folder=tmp_path)
    for toggle in widget.toggles.values():
        toggle.value = True
    shown = _all_html(widget)
    assert "<script" not in shown.lower() and "<img" not in shown.lower()
    assert shown.count(html.escape(SCRIPT)) >= 3 + 2 + len(ROLES)
    assert widget.turn.text.description == "Write back <b>now</b>", "a label is text: ipywidgets shows it as text"


def test_a_module_without_a_practice_file_says_so(alongside_home, tmp_path):
    widget = PracticeConversation("05-disagree", folder=tmp_path)
    assert widget.practice is None and widget.turn is None
    assert "not in this copy of the course yet" in _all_html(widget)


def test_a_broken_practice_file_is_an_error_naming_it(alongside_home, tmp_path):
    _write(tmp_path, "02-words", _changed(GOOD, lambda d: d["roles"].pop("parent")))
    with pytest.raises(DataError, match="missing the role parent"):
        PracticeConversation("02-words", folder=tmp_path)


# --- Handouts -------------------------------------------------------------------------------------


@pytest.fixture
def written(tmp_path):
    out = tmp_path / "handouts"
    write_handouts(out, practice_folder=PRACTICE_FIXTURES, facilitator_folder=GUIDE_FIXTURES)
    return out


def _sections(page: str) -> list[str]:
    """The printed sheets of a handout file: each <section>, in order."""
    return re.findall(r"<section\b.*?</section>", page, re.S)


def test_one_file_per_module_and_an_index(written):
    assert sorted(p.name for p in written.iterdir()) == sorted([f"{m}.html" for m in TEACHING] + ["index.html"])
    index = (written / "index.html").read_text(encoding="utf-8")
    for module in TEACHING:
        assert f'href="{module}.html"' in index
    for path in written.iterdir():
        page = path.read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in page and "<title>" in page
        assert "<h1>" in page and "<main>" in page
        # self-contained: no scripts, nothing loaded from anywhere
        assert "<script" not in page and "<link" not in page and " src=" not in page and "http" not in page


def test_each_role_card_is_on_a_page_of_its_own_with_a_cut_line(written):
    page = (written / "02-words.html").read_text(encoding="utf-8")
    sections = _sections(page)
    with_cards = [s for s in sections if 'class="card role-card"' in s]
    assert len(with_cards) == len(ROLES) and all(s.count("role-card") == 1 for s in with_cards)
    assert [re.search(r'data-role="(\w+)"', s).group(1) for s in with_cards] == list(ROLES)
    for section in with_cards:
        classes = re.match(r'<section class="([^"]*)"', section).group(1).split()
        assert "page" in classes, "a role card starts a new printed page"
        assert "Cut along the dashed line" in section
    assert re.search(r"\.page \{ break-before: page; page-break-before: always; \}", CSS)
    assert re.search(r"\.card \{[^}]*border: 1\.5pt dashed #000", CSS), "cards have a dashed line to cut along"
    assert re.search(r"\.card \{[^}]*break-inside: avoid", CSS)
    for role in ROLES:
        assert html.escape(" ".join(GOOD["roles"][role]["card"].split())) in page


def test_the_print_styles_suit_a4_paper(written):
    assert re.search(r"@page \{ size: A4; margin: \d+mm", CSS)
    sizes = re.findall(r"font-size: ([\d.]+)(\w+)", CSS)
    assert sizes and all(unit == "pt" and float(n) >= 12 for n, unit in sizes), sizes
    assert set(re.findall(r"(?<![-\w])color: ([^;]+);", CSS)) == {"#000"}, "black text only"
    assert set(re.findall(r"background(?:-color)?: ([^;]+);", CSS)) == {"#fff"}, "no dark backgrounds"
    assert "@media print" in CSS


def test_the_guide_has_a_timings_table_with_its_total(written):
    page = (written / "02-words.html").read_text(encoding="utf-8")
    guide = page[page.index('<div id="guide">'):page.index('<div id="practice">')]
    rows = re.findall(r'<tr><td>([^<]*)</td><td class="minutes">(\d+)</td>', guide)
    assert [(a, int(m)) for a, m in rows] == [(t["activity"], t["minutes"]) for t in GOOD_GUIDE["timings"]]
    assert re.search(r'<th scope="row">Total</th><td class="minutes total">60</td>', guide)
    for heading in ("Before the session", "Timings", "Prompts", "Safety", "If someone is upset", "Mixed groups"):
        assert f"<h3>{heading}" in guide
    for field in ("before", "prompts", "safety", "if_upset", "mixed_groups"):
        assert all(html.escape(item) in guide for item in GOOD_GUIDE[field])


def test_the_total_is_the_sum_of_the_rows():
    guide = load_facilitator("02-words", GUIDE_FIXTURES)
    guide["timings"][0]["minutes"] = 11  # not what session_minutes says: the table adds up its own rows
    page = module_html(modules()[2], {"guide": guide, "story": None, "practice": None})
    assert '<td class="minutes total">61</td>' in page


def test_the_observation_sheet_has_boxes_to_tick_and_room_for_notes_for_three_rounds(written):
    page = (written / "02-words.html").read_text(encoding="utf-8")
    sheets = [s for s in _sections(page) if "observe-page" in s]
    assert len(sheets) == ROUNDS == 3
    loaded = load_practice("02-words", PRACTICE_FIXTURES)
    for number, sheet in enumerate(sheets, 1):
        assert f"round {number} of 3" in sheet
        assert {"page", "observe-page"} <= set(re.match(r'<section class="([^"]*)"', sheet).group(1).split())
        observe = sheet[:sheet.index('<table class="feedback">')]
        assert sheet.count('<span class="box"') == len(loaded["observe"]) == observe.count('<td class="notes"></td>')
        for row in loaded["observe"]:
            assert html.escape(row["look_for"]) in sheet
        # room at the foot for the feedback the observer's card asks for
        for line in ("One thing that worked", "One thing to try next time"):
            assert f'<th scope="row">{line}</th><td class="notes"></td>' in sheet[sheet.index('<table class="feedback">'):]
        assert all(html.escape(q) in sheet for q in loaded["debrief"])


def test_the_setting_card_is_for_all_three(written):
    page = (written / "02-words.html").read_text(encoding="utf-8")
    setting = next(s for s in _sections(page) if "setting-card" in s)
    assert "Setting card (for all three)" in setting and html.escape(GOOD["setting"].split(".")[0]) in setting
    assert "another mum" in setting and "role-card" not in setting
    # what the notebook says above the setting is printed too: what is hard, and how to pause
    assert "What makes it hard: the parent is angry." in setting
    assert "before you start, agree how anyone can pause or step out" in setting


def test_a_printed_parents_card_is_for_a_parent_or_carer(written):
    page = (written / "02-words.html").read_text(encoding="utf-8")
    assert "<h2>Role card: the parent or carer</h2>" in page and "<h2>Role card: the practitioner</h2>" in page


def test_a_story_gets_one_card_per_part_per_side_with_its_prompts(written):
    page = (written / "04-story.html").read_text(encoding="utf-8")
    story = load_story("04-story")
    cards = re.findall(r'<article class="card story-card".*?</article>', page, re.S)
    assert len(cards) == len(story["parts"]) * len(story["sides"])
    for number, part in enumerate(story["parts"], 1):
        for side, heading in story["sides"].items():
            card = next(c for c in cards if f'data-part="{number}" data-side="{side}"' in c)
            assert f"Part {number} of {len(story['parts'])}: {html.escape(part['title'])}" in card
            assert html.escape(heading) in card and html.escape(" ".join(part[side].split()[:6])) in card
            assert all(html.escape(p) in card for p in part["prompts"])


def test_text_from_the_data_is_escaped(tmp_path):
    def poison(data):
        data["title"] = data["setting"] = data["opening"] = SCRIPT
        data["roles"]["practitioner"]["card"] = SCRIPT
        data["observe"][0]["look_for"] = SCRIPT
        data["debrief"] = [SCRIPT]

    _write(tmp_path / "p", "02-words", _changed(GOOD, poison))
    _write(tmp_path / "f", "02-words", _changed(GOOD_GUIDE, lambda d: (d["timings"][0].update(notes=SCRIPT),
                                                                        d.update(safety=[SCRIPT]))))
    write_handouts(tmp_path / "out", module_id="02-words", practice_folder=tmp_path / "p",
                   facilitator_folder=tmp_path / "f")
    page = (tmp_path / "out" / "02-words.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert page.count(html.escape(SCRIPT)) >= 6


def test_a_module_with_missing_data_still_gets_what_it_has_and_the_index_says_what_is_missing(written):
    index = (written / "index.html").read_text(encoding="utf-8")
    row = {m: re.search(rf'<tr><td><a href="{m}\.html">.*?</tr>', index, re.S).group(0) for m in TEACHING}
    assert "Nothing.</td></tr>" in row["02-words"]
    no_guide = html.escape("No facilitator's guide")
    assert no_guide in row["01-experts"] and "No practice in threes" in row["01-experts"]
    assert "data/practice/01-experts.yaml" in row["01-experts"]
    # module 11 has no role play by design (no 11-rights:practice activity): said plainly, not as missing
    assert "8 story cards" in row["11-rights"] and "No practice in threes" not in row["11-rights"]
    assert "This module has no role play in threes." in row["11-rights"]
    rights = (written / "11-rights.html").read_text(encoding="utf-8")
    assert "This module has no role play in threes." in rights  # and "Not in this file yet" names only its guide
    assert "No practice in threes" not in rights and "No facilitator&#x27;s guide" in rights
    story_only = (written / "04-story.html").read_text(encoding="utf-8")
    assert "story-card" in story_only and "role-card" not in story_only and "Facilitator's guide</h2>" not in story_only
    assert "Not in this file yet" in story_only and no_guide in story_only
    nothing = (written / "01-experts.html").read_text(encoding="utf-8")
    assert "This module has nothing to print yet." in nothing


def test_one_module_writes_its_file_and_an_index_of_every_module(tmp_path):
    out = tmp_path / "one"
    written = write_handouts(out, module_id="02-words", practice_folder=PRACTICE_FIXTURES)
    assert sorted(p.name for p in out.iterdir()) == ["02-words.html", "index.html"]
    assert [p.name for p, _ in written] == ["02-words.html", "index.html"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="02-words.html"' in index and 'href="03-listening.html"' not in index
    assert "Module 03: Listening first (its file is not in this folder)" in index


def test_a_broken_data_file_stops_its_module_and_is_named(tmp_path):
    _write(tmp_path / "p", "02-words", _changed(GOOD, lambda d: d.update(hard_part="sulking")))
    with pytest.raises(DataError, match=r"02-words\.yaml: hard_part 'sulking'"):
        write_handouts(tmp_path / "out", practice_folder=tmp_path / "p")
    write_handouts(tmp_path / "out", module_id="03-listening", practice_folder=tmp_path / "p")
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "a data file is broken" in index and "sulking" in index


def test_the_command_writes_the_handouts(tmp_path, capsys):
    assert main(["handouts", "--out", str(tmp_path / "h"), "--module", "04-story"]) == 0
    said = capsys.readouterr().out
    assert "04-story.html" in said and "index.html in a browser" in said
    assert (tmp_path / "h" / "04-story.html").is_file() and (tmp_path / "h" / "index.html").is_file()


@pytest.mark.parametrize("module", ["99-nothing", "00-start-here", "02-WORDS"])
def test_an_unknown_module_is_one_line_and_exit_2(tmp_path, module):
    done = subprocess.run([sys.executable, "-m", "alongside", "handouts", "--out", str(tmp_path / "h"), "--module", module],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert f"no module '{module}' has handouts" in done.stderr and "02-words" in done.stderr
    assert not (tmp_path / "h").exists()


def test_an_out_that_is_a_file_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    assert main(["handouts", "--out", str(tmp_path / "f")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main(["handouts", "--out", str(tmp_path / "f" / "inside")]) == 2
    assert "part of its path is a file" in capsys.readouterr().err


def test_module_parts_of_a_module_with_nothing():
    parts = module_parts("01-experts", PRACTICE_FIXTURES, GUIDE_FIXTURES)
    assert parts == {"guide": None, "story": None, "practice": None}
    assert "Nothing yet." in index_html([(modules()[1], parts, None, False)])


# --- The rubric a trainee alone is scored with ----------------------------------------------------


def test_the_listening_rubric_feedback_names_no_one_child_and_keeps_its_prompt():
    rubric = load_rubric("listening-response")
    assert "Sami" in rubric.prompt, "the prompt of module 02's exercise stays as it is"
    assert "Sami" not in rubric.too_short
    for criterion in rubric.criteria:
        assert "Sami" not in criterion.met and "Sami" not in criterion.not_met, criterion.id
    assert [c.id for c in rubric.criteria] == [
        "acknowledges", "no_dismissal", "open_question", "next_step", "plain_language", "no_blame"]


# --- The notebooks --------------------------------------------------------------------------------


@pytest.mark.parametrize("module", PRACTICE_MODULES)
def test_each_notebook_offers_the_practice_just_before_its_sources(module):
    nb = nbformat.read(ROOT / "course" / f"{module}.ipynb", as_version=4)
    sources = next(n for n, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Sources"))
    heading, code = nb.cells[sources - 2], nb.cells[sources - 1]
    assert heading.cell_type == "markdown" and heading.source.startswith("## Practise a hard conversation\n")
    assert "alongside handouts --out handouts" in heading.source and "threes" in heading.source
    assert code.cell_type == "code" and not code.outputs and code.execution_count is None
    assert code.source == f'from alongside.widgets import PracticeConversation\n\nPracticeConversation("{module}")'
    assert ("reflection", f"{module}:practice") == activities.activities(
        next(m for m in modules() if m["id"] == module))[-1]


# --- The course's own files (written by the course writers) ---------------------------------------
#
# These read widgets/alongside/data/practice/ and facilitator/, so they fail until those files are in.


@pytest.mark.parametrize("module", PRACTICE_MODULES)
def test_every_module_01_to_10_has_a_practice_file_that_checks(module):
    assert data_path("practice", f"{module}.yaml").is_file(), f"no widgets/alongside/data/practice/{module}.yaml"
    load_practice(module)


@pytest.mark.parametrize("module", GUIDE_MODULES)
def test_every_module_01_to_11_has_a_facilitators_guide_that_checks(module):
    assert data_path("facilitator", f"{module}.yaml").is_file(), f"no widgets/alongside/data/facilitator/{module}.yaml"
    load_facilitator(module)


def _real_files(kind: str) -> list[str]:
    folder = data_path(kind)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")) if folder.is_dir() else []


def test_the_folders_hold_only_modules_files():
    assert set(_real_files("practice")) <= set(PRACTICE_MODULES)
    assert set(_real_files("facilitator")) <= set(GUIDE_MODULES)


def test_the_practices_cover_the_hardest_conversations():
    loaded = [load_practice(m) for m in PRACTICE_MODULES if data_path("practice", f"{m}.yaml").is_file()]
    high = [p for p in loaded if p["feelings_high"]]
    assert len(high) >= 4, f"{len(high)} practices with feelings_high: true; at least 4 are wanted"
    covered = {p["hard_part"] for p in high}
    assert {"anger", "tears", "concern_not_shared", "referral"} <= covered, f"feelings_high covers only {covered}"
    assert covered <= set(HARD_PARTS)


def _practice_prose(p: dict) -> dict[str, str]:
    """Each prose field of a practice (titles and people's names are labels, not prose)."""
    fields = {"setting": p["setting"], "opening": p["opening"], "turn.prompt": p["turn"]["prompt"],
              "observe": "\n".join(r["look_for"] for r in p["observe"]), "debrief": "\n".join(p["debrief"])}
    fields.update({f"roles.{r}.card": p["roles"][r]["card"] for r in ROLES})
    return fields


def _guide_prose(g: dict) -> dict[str, str]:
    fields = {f: "\n".join(g[f]) for f in practice.GUIDE_LISTS}
    fields["timings"] = "\n".join(f"{t['activity']}\n{t['notes']}" for t in g["timings"])
    return fields


def _real_prose() -> list[tuple[str, str]]:
    found = []
    for module in _real_files("practice"):
        found += [(f"practice/{module}.yaml {f}", t) for f, t in _practice_prose(load_practice(module)).items()]
    for module in _real_files("facilitator"):
        found += [(f"facilitator/{module}.yaml {f}", t) for f, t in _guide_prose(load_facilitator(module)).items()]
    return found


def test_every_prose_field_is_plain_english():
    texts = _real_prose()
    assert texts, "no practice or facilitator files yet"
    hard = {where: round(textstat.flesch_kincaid_grade(prose(text)), 1) for where, text in texts
            if textstat.flesch_kincaid_grade(prose(text)) > 9}
    assert not hard, f"Flesch-Kincaid grade above 9: {hard}"


def test_the_prose_check_itself_catches_hard_text():
    fixture = _practice_prose(load_practice("02-words", PRACTICE_FIXTURES))
    assert all(textstat.flesch_kincaid_grade(prose(t)) <= 9 for t in fixture.values())
    hard = ("Notwithstanding considerable institutional apprehension regarding multidisciplinary safeguarding "
            "responsibilities, practitioners demonstrated exceptional organisational accountability.")
    assert textstat.flesch_kincaid_grade(prose(hard)) > 9



def test_a_turn_may_name_its_own_rubric_and_an_unknown_one_is_refused():
    data = copy.deepcopy(GOOD)
    data["turn"]["rubric"] = "referral-conversation"
    assert check_practice(data, "t.yaml", "02-words")["turn"]["rubric"] == "referral-conversation"
    data["turn"]["rubric"] = "no-such-rubric"
    with pytest.raises(DataError, match=r"t.yaml: turn.rubric 'no-such-rubric' is not a rubric"):
        check_practice(data, "t.yaml", "02-words")


def test_module_08s_trainee_alone_cannot_pass_by_dropping_the_referral_or_promising_an_outcome():
    """The review's test (review of issue 16): a warm reply that holds off on the referral, or
    promises the children stay, scored 6 of 6 on the listening rubric alone."""
    turn = load_practice("08-safeguarding")["turn"]
    assert turn["rubric"] == "referral-conversation"
    held_off = ("I can hear how frightened you are. Let us hold off on the referral for now and see how things "
                "go over half term. What would help you with the evenings? I will ring you on Friday.")
    promised = ("I can hear how frightened you are. They won't take your kids, it's just a formality. "
                "A social worker will phone you tomorrow.")
    honest = ("I can hear how frightened you are, and you're right that we let you down in September. The referral "
              "goes ahead today, because Jade and Leo are not safe alone in the evenings. A social worker will read "
              "it and will probably phone you. I can't promise how it ends, but I will write in it that you asked "
              "us for help.")
    assert not score(turn["rubric"], held_off).criteria["keeps_referral"].met
    assert not score(turn["rubric"], promised).criteria["no_false_promise"].met
    good = score(turn["rubric"], honest)
    assert good.score == good.max, good.feedback_lines()


def test_module_07s_trainee_alone_cannot_pass_by_handing_over_a_personal_number():
    """The review's second case: a reply that gives out the teacher's own mobile scored 6 of 6."""
    turn = load_practice("07-goals")["turn"]
    assert turn["rubric"] == "saying-no-kindly"
    gives_in = ("Of course you can have my mobile number, text me any evening. I will write you a full note every "
                "day.")
    kind_no = ("I'm so sorry you heard about the seizure four hours late; that was our mistake. I can't give you my "
               "own number, because staff don't use their phones with families. What I can do: the office will "
               "ring you straight away after any seizure, and text if you can't answer. I'll send a short tick "
               "sheet home each day.")
    assert not score(turn["rubric"], gives_in).criteria["says_no"].met
    good = score(turn["rubric"], kind_no)
    assert good.score == good.max, good.feedback_lines()
