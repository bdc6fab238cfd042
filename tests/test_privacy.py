"""The privacy warning: real-looking names, settings, places and contact details warn; ordinary words,
the course's own cast and a letter's sender details do not; the felt-unheard rubric agrees with it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from alongside.course_texts import course_texts
from alongside.privacy import KINDS, module_for, personal_details, warning
from alongside.rubric import load_rubric, score

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLES = yaml.safe_load((DATA / "privacy.examples.yaml").read_text(encoding="utf-8"))
GOOD_LETTER = yaml.safe_load((DATA / "letters" / "01-review-primary-good.yaml").read_text(encoding="utf-8"))["text"]


def kinds(text: str, **context) -> set[str]:
    return {d["kind"] for d in personal_details(text, **context)}


def found(text: str, **context) -> list[str]:
    return [d["text"] for d in personal_details(text, **context)]


@pytest.mark.parametrize("text, names", [
    ("Sarah Thompson never listened to me.", ["Sarah Thompson"]),
    ("Jayden kept hiding under his desk.", ["Jayden"]),
    ("The head at Oakfield Primary in Leeds said no.", ["Oakfield Primary", "Leeds"]),
    ("My neighbour Priya Patel in Bradford said the same.", ["Priya Patel", "Bradford"]),
    ("I spoke to Mrs Kowalczyk at St Mary's C of E.", ["Mrs Kowalczyk", "St Mary's C of E"]),
])
def test_real_looking_names_schools_and_places_warn(text, names):
    assert found(text) == names
    assert warning(text).startswith("This may identify a real family")


def test_each_kind_of_detail_is_named_in_the_warning():
    text = ("Sarah Thompson at Oakfield Primary in Leeds: 14 Elm Road, LS6 2AB, 07700 900 462, "
            "s.t@example.com, NHS number 943 476 5919, born on 3 May 2016.")
    assert kinds(text) == {"name", "named school or setting", "town or city", "street address", "postcode",
                           "phone number", "email address", "NHS number", "date of birth"}
    note = warning(text)
    assert all(k in note for k in ("name", "town or city", "postcode", "NHS number", "date of birth"))


@pytest.mark.parametrize("text", ["Will you come?", "May I ask what you have noticed?", "I hope so.",
                                  "Hope is what kept me going.", "Grace under pressure is hard.", "In May we met again.",
                                  "Reading at home helped.", "Mark the date.", "Press the Tab key.", "My Nan picks him up."])
def test_ordinary_words_that_are_also_names_do_not_warn(text):
    assert warning(text) == ""


@pytest.mark.parametrize("text, name", [("My daughter Grace was upset.", "Grace"), ("I told Hope we would ring.", "Hope"),
                                        ("Will's mum came in.", "Will"), ("Grace Thompson came in.", "Grace Thompson"),
                                        ("A boy called May cried.", "May")])
def test_words_that_are_also_names_warn_with_more_to_go_on(text, name):
    assert found(text) == [name]


def test_numbers_are_read_with_care():
    assert kinds("NHS number 943 476 5919") == {"NHS number"}
    assert kinds("The code was 943 476 5918.") == set()  # ten digits that fail the NHS check digit
    assert kinds("Call 0113 496 0123.") == {"phone number"}
    assert kinds("She was born at 32 weeks, in March.") == set()
    assert kinds("Date of birth: 30/11/2016.") == {"date of birth"}


def test_made_up_identifying_texts_are_found_and_clean_ones_are_not():
    hits = [bool(personal_details(e["text"])) for e in EXAMPLES["identifying"]]
    complete = [set(e["kinds"]) <= kinds(e["text"]) for e in EXAMPLES["identifying"]]
    assert sum(hits) / len(hits) >= 0.95, [e["text"] for e, hit in zip(EXAMPLES["identifying"], hits) if not hit]
    assert sum(complete) / len(complete) >= 0.9
    false_alarms = {t: found(t) for t in EXAMPLES["clean"] if personal_details(t)}
    assert not false_alarms


def test_the_course_cast_is_known_only_in_its_own_module():
    assert found("Mrs Okafor said Sami was settling in.", module="02-words") == []
    assert found("Mrs Okafor said Sami was settling in.") == ["Mrs Okafor", "Sami"]
    assert found("Jayden wants to play football.", module="07-goals:three-goals") == []
    assert found("Jayden wants to play football.", module="01-experts") == ["Jayden"]
    assert found("Joy's neighbour Priya Patel came.", module="04-story") == ["Priya Patel"]


def test_the_courses_own_texts_and_model_answers_never_warn():
    texts = course_texts(ROOT)
    assert any(t.kind == "letter" and "solutions" not in t.where for t in texts)
    warned = {f"{t.where} ({t.module})": personal_details(t.text, t.kind, t.module) for t in texts}
    assert not {k: v for k, v in warned.items() if v}


def test_a_good_letters_sender_details_do_not_warn():
    letter = GOOD_LETTER.replace("Grant", "Marsh")  # a sender who is not in any cast
    assert personal_details(letter, kind="letter") == []
    # read as a reflection, the same details warn: the letter context is what lets them through
    assert {"phone number", "email address", "name", "named school or setting"} <= kinds(letter)


def test_a_familys_address_in_a_letter_warns():
    addressed = "Mr Osei\n14 Elm Road\nLeeds\nLS6 2AB\n\n" + GOOD_LETTER
    assert found(addressed, kind="letter") == ["14 Elm Road", "Leeds", "LS6 2AB"]
    visit = GOOD_LETTER.replace("Where:", "I can also visit you at home, 14 Elm Road, LS6 2AB.\nWhere:")
    assert kinds(visit, kind="letter") == {"street address", "postcode"}


def test_a_childs_birth_date_and_another_familys_name_warn_in_a_letter():
    letter = GOOD_LETTER.replace("Kofi is welcome", "Kofi was born on 3 May 2016. Mrs Patel's son Jayden is "
                                 "in his class. Kofi is welcome")
    assert found(letter, kind="letter") == ["born on 3 May 2016", "Mrs Patel", "Jayden"]
    assert found(GOOD_LETTER.replace("call me on", "call you on"), kind="letter") == ["01632 960 412"]


def test_kind_must_be_known():
    assert KINDS == ("reflection", "letter")
    with pytest.raises(ValueError):
        warning("Hello", kind="essay")
    assert personal_details(None) == [] and warning(42) == ""


FELT_UNHEARD = yaml.safe_load((DATA / "felt-unheard.examples.yaml").read_text(encoding="utf-8"))["examples"]


def test_felt_unheard_anonymous_criterion_agrees_with_the_warning():
    assert next(c for c in load_rubric("felt-unheard").criteria if c.id == "anonymous").rule == "anonymous"
    texts = [e["text"] for e in FELT_UNHEARD] + [e["text"] for e in EXAMPLES["identifying"]] + EXAMPLES["clean"]
    padded = [f"{t} At a meeting I told them how I felt and wished they had listened." for t in texts]
    for text in padded:
        met = score("felt-unheard", text).criteria["anonymous"].met
        assert met == (warning(text, module=module_for("01-experts:unheard", "felt-unheard")) == ""), text
    named = "At a meeting at Oakfield Primary in Leeds, Sarah Thompson said Jayden was fine. I felt small."
    result = score("felt-unheard", named).criteria["anonymous"]
    assert not result.met and "Sarah Thompson" in result.feedback


def test_a_rubric_that_checks_anonymity_expects_no_cast():
    assert module_for("01-experts:unheard", "felt-unheard") is None
    assert module_for("02-words:reply-to-yusuf", "listening-response") == "02-words:reply-to-yusuf"
    assert module_for("plan:agreement-plan", "agreement-plan") == "05-disagree"
    assert module_for("08-letter") == "08-letter"
