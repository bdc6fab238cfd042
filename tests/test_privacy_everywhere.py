"""One privacy check everywhere: the widgets as the trainee types, the self-check and grader's items, and the
trainer's report, each reading the text in its own context (the module's cast, a letter as a letter)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

from alongside import grading
from alongside.cohort.answers import FreeText, concerns, free_texts, read_answers
from alongside.privacy import warning
from alongside.rubric import score
from alongside.widgets import ReflectionBox
from alongside.widgets.agreement import AgreementBuilder
from alongside.widgets.letter import LetterChecker

ROOT = Path(__file__).resolve().parents[1]
LETTER = yaml.safe_load((ROOT / "tests/data/letters/01-review-primary-good.yaml").read_text(encoding="utf-8"))["text"]
FAMILY_ADDRESS = "14 Elm Road\nLeeds\nLS6 2AB\n\n"  # under the name of the parent the letter is to


def _model(exercise: str) -> dict:
    return read_answers(nbformat.read(ROOT / "solutions" / exercise / f"{exercise}.ipynb", as_version=4), exercise)


def test_reflection_box_knows_its_modules_story(alongside_home):
    story = ReflectionBox("04-story:open-questions", "A question for Joy and one for Dan")
    story.text.value = "Joy, what does Reuben do when he gets home? Dan, what have you noticed?"
    assert story.privacy.value == ""
    elsewhere = ReflectionBox("01-experts:kofi", "What did Kofi know?")
    elsewhere.text.value = "Reuben's gran knew he was struggling."
    assert "Privacy check" in elsewhere.privacy.value and "name" in elsewhere.privacy.value


def test_reflection_box_agrees_with_its_rubrics_anonymous_criterion(alongside_home):
    box = ReflectionBox("01-experts:unheard", "A time you felt unheard", rubric="felt-unheard")
    for text in ("At a meeting Beth, Ama's teacher, talked over me. I felt small. I wish she had listened.",
                 "At a meeting the teacher talked over me. I felt small. I wish she had listened."):
        box.text.value = text
        assert (box.privacy.value == "") == score("felt-unheard", text).criteria["anonymous"].met


def test_letter_checker_warns_as_the_letter_is_typed_but_not_on_the_senders_details(alongside_home):
    widget = LetterChecker(name="08-letter")
    widget.box.value = LETTER
    assert widget.privacy.value == ""
    widget.box.value = "Mr Osei\n" + FAMILY_ADDRESS + LETTER
    assert "Privacy check" in widget.privacy.value and "postcode" in widget.privacy.value
    widget.check()
    assert "postcode" in widget.feedback.value


def test_agreement_builder_warns_as_the_plan_is_typed(alongside_home):
    builder = AgreementBuilder()
    first = next(iter(builder.boxes.values()))
    first.value = "Mo and Jess will meet Priya and Kerry every Friday."
    assert builder.privacy.value == ""  # module 05's own family and staff
    first.value = "Mo will ring Jayden's mum on 07700 900 462."
    assert "phone number" in builder.privacy.value


def test_graded_items_add_a_privacy_line_in_their_context():
    letter = _model("08-safeguarding")["letter"]
    assert not any(line.startswith("Privacy check:") for line in grading.evaluate("08-safeguarding", "letter", letter).lines)
    moved = grading.evaluate("08-safeguarding", "letter", "Mr Haddad\n" + FAMILY_ADDRESS + letter)
    assert any(line.startswith("Privacy check:") and "street address" in line for line in moved.lines)
    unheard = "At a parents' evening Sarah Thompson kept looking at her phone. I felt small. I wish she had listened."
    result = grading.evaluate("01-experts", "unheard", unheard)
    assert any(line.startswith("Privacy check:") for line in result.lines)
    assert any(line.startswith("Not yet") and "Sarah Thompson" in line for line in result.lines)


def test_trainers_report_reads_letters_as_letters_and_knows_the_exercises_cast():
    nb = nbformat.read(ROOT / "solutions" / "08-safeguarding" / "08-safeguarding.ipynb", as_version=4)
    texts = free_texts("08-safeguarding", nb, read_answers(nb, "08-safeguarding"))
    letters = [t for t in texts if t.kind == "letter"]
    assert letters and all(t.module == "08-safeguarding" for t in letters)
    assert not [c for c in concerns(texts) if c[0] == "personal"]
    moved = FreeText("Mr Haddad\n" + FAMILY_ADDRESS + letters[0].text, "letter", "08-safeguarding")
    assert ("personal", "possible details of a real family: street address, town or city, postcode") in concerns([moved])
    assert not concerns([FreeText("Freya missed school and Anjali was frightened.", "reflection", "08-safeguarding")])
    assert concerns(["Freya missed school and Anjali was frightened."])  # a plain string expects no cast
    another = FreeText(letters[0].text.replace("You are welcome", "Mrs Patel, Jayden's mum, said it went well. You are welcome"), "letter",
                       "08-safeguarding")
    assert concerns([another]) == [("personal", "possible details of a real family: name")]
    assert warning(another.text, kind="letter", module="08-safeguarding") != ""
