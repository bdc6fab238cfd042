"""The one matcher reads a sentence as a person does, and every rubric follows the one judge of harm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alongside import corpus
from alongside.language import check_language
from alongside.rubric import load_rubric, score
from alongside.train_marking import OUT, _digest, training_files

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


@pytest.mark.parametrize("statement", [
    "I won't just tell you not to worry.",
    "Rather than wait and see, let's meet on Friday.",
    "People keep saying boys are slower, and you are right to push back.",
    "Nobody should hear \"wait and see\" again.",
    "You were told he'd catch up, and that was wrong of us.",
    "We stopped calling families hard to reach.",
    "It sounds like you're worried, and I can hear how tiring this has been.",
    "I'm not going to say \"don't worry, it's nothing\" either.",
])
def test_negated_reported_and_quoted_harm_is_not_the_writers_own(statement):
    assert check_language(statement)["flags"] == []


@pytest.mark.parametrize("statement", [
    "He'll never be normal, will he?",
    "I couldn't do what you do, you're a saint.",
    "How on earth do you manage?",
    "You must be so worried.",
    "At least he's happy.",
    "Everyone's a bit autistic these days.",
    "Have you tried being firmer with him?",
    "His poor sister must miss out.",
    "It must be like grieving for the child you expected.",
    "Don't worry, boys are just slower.",
    "We don't get many hard to reach families here.",
    "He has behavior problems.",
    "You must feel awful.",
])
def test_every_kind_of_harm_the_course_teaches_is_flagged(statement):
    assert check_language(statement)["harmful"], statement


def test_a_one_letter_typo_in_a_key_word_still_counts():
    right = score("listening-response", "That sounds really frustrating. What have you noticed at home? Let's meet on Friday.")
    typo = score("listening-response", "That sounds really frustating. What have you noticed at home? Let's meet on Friday.")
    assert right.criteria["acknowledges"].met and typo.criteria["acknowledges"].met


def test_a_contraction_typed_without_its_apostrophe_is_not_read_as_a_typo():
    answer = {"family": "joy doesnt know there are hand dryers by the door", "service": "", "question": ""}
    assert score("story-both-sides", answer).criteria["knowledge_gap"].met


def test_telling_a_parent_how_they_must_feel_is_not_an_acknowledgement():
    result = score("listening-response", "How on earth do you manage? You must be so worried. "
                                         "What has he been doing at home? Let's meet on Friday.")
    assert not result.criteria["acknowledges"].met
    assert not result.criteria["no_dismissal"].met


# The rubrics whose answers are words said to a parent, each with a criterion about harm.
JUDGES_HARM = ("listening-response", "rewrite-statement", "summary-back", "referral-conversation")


def test_no_rubric_gives_its_harm_points_to_a_text_the_checker_flags():
    statements = [str(i.answer) for s in ("train", "validation") for i in corpus.items(CORPUS, "language", s)
                  if not i.junk and check_language(str(i.answer))["harmful"]]
    assert len(statements) > 100
    for rubric_id in JUDGES_HARM:
        rubric = load_rubric(rubric_id)
        assert any(c.harm for c in rubric.criteria), f"{rubric_id} must ask the language checker (uses: all)"
        # the rubric's "avoid this" criteria: the judge of harm and any that judge what it leaves out
        harm = [c.id for c in rubric.criteria if c.rule == "none"]
        for statement in statements:
            result = score(rubric, statement + " Thank you for telling me about this today, I am listening to you.")
            assert not all(result.criteria[cid].met for cid in harm), (rubric_id, statement)


def test_an_empty_answer_gets_one_message():
    result = score("listening-response", "")
    assert len(result.feedback_lines()) == 1 and result.score == 0


def test_markup_around_one_good_sentence_earns_a_message_not_marks():
    text = "<div><span><b><i>" * 20 + "I hear you. What have you noticed? Let's meet on Friday." + "</i></b></span></div>" * 20
    result = score("rewrite-statement", text)
    assert result.score == 0 and "plain words" in result.feedback_lines()[0]


def test_an_answer_far_past_the_word_limit_earns_a_message_not_marks():
    good = "It sounds like you have been raising this for months. What have you noticed? Let's meet on Friday. "
    result = score("listening-response", good * 300)
    assert result.score == 0 and "words long" in result.feedback_lines()[0]


def test_every_shipped_model_was_trained_on_the_current_corpus():
    models = sorted(OUT.glob("*.json"))
    assert models, "no learned models: run python -m alongside.train_marking"
    for path in models:
        name = path.stem
        checker = name.split(".")[0]
        data = json.loads(path.read_text())
        assert data["trained_on"] == _digest(training_files(CORPUS, checker)), (
            f"{name} is out of date: run .venv/bin/python -m alongside.train_marking tests/data/corpus")
