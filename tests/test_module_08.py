"""Module 08 (when there are safeguarding concerns): the limits of partnership, the sorter, the story and the exercise.

The teaching notebook covers where partnership meets its limits (the designated safeguarding lead,
when telling a parent first could add risk, a child's disclosure, information sharing, honest
outcomes, distress-related absence and parent-carer blame); its practice sort keeps its own key;
the story's family is in the cast and in families.yaml; the model letter passes the letter checker
with its purpose found; and every cell reads at grade 9 or below. Widgets run in-process with a
fresh ALONGSIDE_HOME, as in a trainee's kernel.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import textstat

from alongside import grading
from alongside.answer_text import notebook_answers, parse_answer
from alongside.cast import cast
from alongside.data import load_yaml
from alongside.letter import check_letter
from alongside.progress import modules
from alongside.text import strip_stub
from alongside.widgets import StatementSorter
from prose_tools import prose

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course" / "08-safeguarding.ipynb"
SOLUTION = ROOT / "solutions" / "08-safeguarding" / "08-safeguarding.ipynb"
RELEASED = ROOT / "exercises" / "08-safeguarding" / "08-safeguarding.ipynb"
PRACTICE = "08-practice"


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _markdown(path: Path) -> list[str]:
    return [c.source for c in _read(path).cells if c.cell_type == "markdown"]


def _body(path: Path = COURSE) -> str:
    """The notebook's markdown, Sources left out, with spaces squashed."""
    return " ".join(" ".join(c.split()) for c in _markdown(path) if not c.startswith("## Sources"))


def _sources() -> str:
    return next(c for c in _markdown(COURSE) if c.startswith("## Sources"))


def _text(html_value: str) -> str:
    return re.sub(r"<[^>]+>", "", html_value)


def _story_letter() -> str:
    """The new letter in Freya's story, as a parent would read it (the quotation marks taken off)."""
    part = next(c for c in _markdown(COURSE) if c.startswith("## Freya's story, part 2"))
    return "\n".join(re.sub(r"^> ?", "", line) for line in part.splitlines() if line.startswith(">"))


# --- the module covers where partnership meets its limits, in this order -----------------------------


HEADINGS = [
    "## 1. Partnership is still the starting point",
    "## 2. The designated safeguarding lead",
    "## 3. When talking to a parent first could add risk",
    "## Try it: who do you talk to first?",
    "## 4. When a child tells you something",
    "## 5. Sharing information, and consent",
    "## 6. Honest about what could happen next",
    "## 7. When a child cannot face school",
    "## 8. Freya's story, part 1: the letter",
    "## Freya's story, part 2: what changed",
    "## 9. No surprises: what a good letter tells a parent",
    "## 10. Interpreters: why not a relative?",
    "## Practise a hard conversation",
    "## Sources",
    "## Key points",
]


def test_the_sections_come_in_the_order_the_module_teaches_them():
    starts = [c.splitlines()[0] for c in _markdown(COURSE) if c.startswith("## ")]
    assert starts == HEADINGS


@pytest.mark.parametrize("topic, phrases", {
    "the four principles": ["Effective partnership", "Clear communication", "Involvement in decisions",
                            "Co-production"],
    "the DSL, and staff pass worries on without investigating": [
        "designated safeguarding lead (DSL)", "You do not investigate", "tell the DSL straight away"],
    "when telling a parent first could add risk, and who decides": [
        "telling a parent first could put the child at greater risk", "This is the DSL's decision",
        "they decide when and how the family is told", "Not telling is the exception"],
    "a child's disclosure, as Keeping Children Safe in Education asks": [
        "Keeping Children Safe in Education", "check the current edition", "Stay calm",
        "never promise to keep it a secret", "not ask leading questions",
        "write down what the child said, in their own words", "straight away", "call 999"],
    "information sharing and consent": [
        "Data protection law is not a barrier", "You do not need consent", "Be open with the family",
        "Seek advice", "Keep a record", "Consent and honesty are not the same thing"],
    "honest outcomes without threats": [
        "possible outcomes", "within one working day", "Never promise how it will end",
        "never use what could happen as a threat"],
    "distress-related absence and parent-carer blame": [
        "distress-related absence", "Clements and Aiello (2021)", "143 councils", "80%", "86%",
        "Look at the school's own part first", "a request for help, not as a safeguarding concern"],
    "a letter that says why": ["why the meeting is happening"],
    "interpreters": ["professional interpreters", "British Sign Language"],
}.items())
def test_the_module_covers_each_topic(topic, phrases):
    body = _body()
    for phrase in phrases:
        assert phrase in body, f"{topic}: {phrase!r} is not in the notebook"


def test_the_practice_conversation_and_the_widgets_are_kept_as_they_were():
    cells = _read(COURSE).cells
    practise = next(i for i, c in enumerate(cells) if c.source.startswith("## Practise a hard conversation"))
    assert cells[practise].id == "ee3e251a" and cells[practise + 1].id == "4cf7c40f"
    assert cells[practise + 1].source == 'from alongside.widgets import PracticeConversation\n\nPracticeConversation("08-safeguarding")'
    assert cells[practise + 2].source.startswith("## Sources")
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert 'StatementSorter("08-practice")' in code and "LetterChecker()" in code


# --- the sources ----------------------------------------------------------------------------------


def test_every_citation_is_in_the_sources():
    body = "\n".join(c for c in _markdown(COURSE) if not c.startswith("## Sources"))
    sources = _sources()
    cited = []
    for inside in re.findall(r"\(([^()]*\b(?:19|20)\d\d)\)", body):  # "(HM Government, 2023)"
        quoted = re.search(r"quoted by ([A-Z][A-Za-z]+), (\d{4})$", inside)  # the work cited is the one quoting
        found = quoted or re.match(r"([A-Z][A-Za-z]+)[^()]*?(\d{4})$", inside)
        if found:
            cited.append(found.groups())
    cited += re.findall(r"\b(Clements) and Aiello \((\d{4})\)", body)
    assert len(cited) >= 8, "no citations found"
    for name, year in cited:
        assert re.search(rf"{name}\b[^\n]*\({year}\)|{name}[^\n]*{year}", sources), f"({name}, {year}) not in Sources"


def test_the_sources_name_the_guidance_with_its_edition():
    sources = _sources()
    for source in ("HM Government (2023) *Working Together to Safeguard Children 2023",
                   "Department for Education (2026) *Keeping children safe in education 2026",
                   "HM Government (2024) *Information sharing: advice for practitioners",
                   "Clements, L. and Aiello, A. L. (2021)",
                   "Department for Education (2024) *Working together to improve school attendance"):
        assert source in sources, source
    assert "check the current edition" in sources


def test_the_one_quotation_from_a_source_is_marked():
    assert '"institutionalising parent carer blame"' in _body()


# --- the practice sort ----------------------------------------------------------------------------


def test_the_practice_set_loads_and_its_key_gives_every_situation_an_answer_and_a_reason():
    data = grading.statement_set(PRACTICE)
    assert PRACTICE not in grading.graded_sets()  # a practice set: its key is in its own file
    options = data["choices"]["first"]["options"]
    assert options == {"parent": "Talk with the parent first", "dsl": "Tell the DSL before the parent"}
    statements = data["statements"]
    assert 6 <= len(statements) <= 8
    key = grading.statement_key(PRACTICE)
    assert set(key) == {s["id"] for s in statements}
    for entry in key.values():
        assert entry["answer"] in (["parent"], ["dsl"])
        assert len(entry["why"].split()) >= 15 and entry["why_right"].strip()
    answers = [e["answer"][0] for e in key.values()]
    assert answers.count("parent") == answers.count("dsl")  # guessing one answer earns half


def test_each_reason_says_what_the_guidance_says():
    key = grading.statement_key(PRACTICE)
    said = {sid: entry["why"] for sid, entry in key.items()}
    assert any("children's social care and the police decide when and how the family" in w for w in said.values())
    assert any("Clements and Aiello" in w for w in said.values())
    assert any("Never promise to keep her secret" in w for w in said.values())
    assert any("does not always mean keeping the parents out" in w for w in said.values())
    for sid, why in said.items():
        first = why.split(".")[0]
        assert first.startswith(("Talk with the parent", "Tell the DSL")), sid


def test_the_sorter_marks_and_says_why(alongside_home):
    sorter = StatementSorter(PRACTICE)
    assert not sorter.has_second
    choice = next(iter(sorter.first.values()))
    assert [label for label, _value in choice.options] == ["Talk with the parent first", "Tell the DSL before the parent"]
    sorter.first["p1"].value = "parent"
    sorter.first["p2"].value = "parent"
    sorter.check()
    shown = _text(sorter.feedback.value)
    assert "Right" in shown and "Not yet" in shown and "sexual abuse" in shown


def test_the_sorter_is_an_activity_of_the_module_before_the_story():
    module = next(m for m in modules() if m["id"] == "08-safeguarding")
    assert module["activities"] == [{"sorter": "08-practice"}, {"reflection": "08-safeguarding:freya"},
                                    {"letter": "08-letter"}, {"reflection": "08-safeguarding:practice"}]


# --- the story's family ---------------------------------------------------------------------------


def test_the_storys_family_is_in_the_cast_and_in_families_yaml():
    people = set(cast()["08-safeguarding"]["people"])
    assert {"Freya", "Anjali", "Simon", "Bev", "Gareth Hale", "Nina Brooks", "Laing"} <= people
    assert not {"Carla Moreno", "Tyler", "Aisling"} & people
    families = load_yaml("families.yaml")["families"]
    story = [f for f in families if f["module"] == "08-safeguarding" and f["source"] == "story"]
    assert len(story) == 1
    family = story[0]
    assert family["child"] == {"name": "Freya", "age": 12}
    assert family["carer_names"] == ["Anjali", "Simon"]
    assert family["parents_gender"] == "mother and father" and family["lone_carer"] is False
    assert family["money"] == "comfortable" and "autistic" in family["child_needs"]


def test_the_story_is_not_the_role_plays_family_told_again():
    families = load_yaml("families.yaml")["families"]
    mine = [f for f in families if f["module"] == "08-safeguarding" and f["source"] in ("story", "practice")]
    story, practice = (next(f for f in mine if f["source"] == s) for s in ("story", "practice"))
    assert (story["lone_carer"], story["money"]) != (practice["lone_carer"], practice["money"])


def test_the_school_is_part_of_the_problem_and_changes():
    body = _body()
    for phrase in ("the time-out cards stopped", "Gareth decides that this is not a safeguarding concern",
                   "he does not make a referral", "He says sorry for the letter", "Freya gets her time-out card back",
                   "Most of the changes cost nothing"):
        assert phrase in body, phrase


def test_the_storys_new_letter_passes_the_checker_and_says_why():
    found = check_letter(_story_letter())
    assert found["passes"] and found["no_surprises"]["purpose"], found
    assert not found["long_sentences"]


# --- the exercise ---------------------------------------------------------------------------------


def _answers(path: Path) -> dict:
    return {item: parse_answer("08-safeguarding", item, text)
            for (_ex, item), text in notebook_answers(_read(path)).items()}


def test_the_model_letter_passes_the_letter_checker_with_its_purpose_found():
    letter = _answers(SOLUTION)["letter"]
    found = check_letter(strip_stub(letter))
    assert found["passes"], found
    assert found["no_surprises"]["purpose"]
    assert not found["blame"] and not found["jargon"] and not found["long_sentences"]


def test_the_model_letter_says_why_and_is_honest_about_what_could_happen_without_a_threat():
    letter = strip_stub(_answers(SOLUTION)["letter"])
    assert "she has missed a lot of school this term" in letter
    assert "What could happen next:" in letter and "we might ask children's social care for more help" in letter
    assert "It is not a child protection meeting" in letter


def test_the_letter_to_rewrite_does_not_say_why():
    section = next(c for c in _markdown(SOLUTION) if c.startswith("## Section A"))
    original = "\n".join(re.sub(r"^> ?", "", line) for line in section.splitlines() if line.startswith(">"))
    found = check_letter(original)
    assert not found["no_surprises"]["purpose"] and not found["passes"] and found["blame"]


def test_model_answers_earn_full_marks_and_a_blank_earns_none(answer_keys):
    solved, blank = _answers(SOLUTION), _answers(RELEASED)
    for item in grading.exercise("08-safeguarding")["items"]:
        full = grading.evaluate("08-safeguarding", item["id"], solved[item["id"]])
        assert full.points == full.max == item["points"], full.report()
        assert grading.evaluate("08-safeguarding", item["id"], blank[item["id"]]).points == 0


# --- plain English --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [COURSE, SOLUTION], ids=lambda p: p.parent.name + "/" + p.name)
def test_every_cell_is_plain_english(path):
    for text in _markdown(path):
        if text.startswith("## Sources"):
            continue
        grade = textstat.flesch_kincaid_grade(prose(text))
        assert grade <= 9, f"Flesch-Kincaid grade {grade:.1f} in {path.name}: {text[:60]!r}"


def test_the_practice_situations_and_reasons_are_plain_english():
    statements = grading.statement_set(PRACTICE)["statements"]
    for field in ("text", "why"):
        text = " ".join(s[field] for s in statements)
        assert textstat.flesch_kincaid_grade(text) <= 9, field


def test_each_acronym_is_spelt_out_at_its_first_use():
    text = _body()
    spelt = {"DSL": "designated safeguarding lead (DSL)", "BSL": "British Sign Language (BSL)",
             "SEN": "special educational needs (SEN)", "SENCO": "co-ordinator (SENCO)",
             "SEND": "disabilities (SEND)"}
    for acronym, spelt_out in spelt.items():
        first = re.search(rf"\b{re.escape(acronym)}\b", text)
        assert first and spelt_out in text, acronym
        assert text.index(spelt_out) <= first.start() <= text.index(spelt_out) + len(spelt_out), acronym


def test_story_names_are_new_to_the_course():
    names = ("Freya", "Anjali", "Gareth", "Bev", "Nina Brooks", "Laing")
    for path in sorted((ROOT / "course").glob("[01]*.ipynb")):
        if path.name == COURSE.name:
            continue
        text = " ".join(c.source for c in _read(path).cells)
        for name in names:
            assert not re.search(rf"\b{name}\b", text), f"{name} is already used in {path.name}"
