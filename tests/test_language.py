"""The language checker: any input gets the documented shape; warm words stay clean."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.language import SECOND_OPINION, categories, check_language


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(max_size=400), st.none(), st.integers(), st.lists(st.text(max_size=10)),
                 st.just("<script>alert('wait and see')</script>"), st.just("😀" * 5000), st.just("لا تقلق " * 30)))
def test_any_input_gives_the_documented_shape(statement):
    result = check_language(statement)
    assert set(result) == {"harmful", "flags"}
    assert result["harmful"] == bool(result["flags"])
    names = {c.name for c in categories()} | {SECOND_OPINION["name"]}
    for flag in result["flags"]:
        assert set(flag) == {"id", "category", "phrase", "why", "suggestion"}
        assert flag["category"] in names and flag["phrase"] and flag["why"] and flag["suggestion"]


def test_the_eight_kinds_the_course_teaches_are_all_there():
    ids = {c.id for c in categories()}
    assert ids >= {"pity", "how_to_feel", "false_reassurance", "minimising", "stereotype", "deficit_label",
                   "blame", "othering"}


@pytest.mark.parametrize(
    "statement",
    [
        "I can hear this has been a hard week.",
        "You were told to wait and see, and that was wrong of us.",
        "I won't tell you not to worry. Let's look at it together.",
        "She is a wheelchair user and loves netball.",
    ],
)
def test_empathy_quoting_and_respectful_words_are_not_flagged(statement):
    assert check_language(statement) == {"harmful": False, "flags": []}


def test_a_very_long_text_is_capped_with_a_message():
    from alongside.language import MAX_CHARS, too_long

    early = "Don't worry, he'll catch up. " + "We had a lovely morning painting. " * 3000
    late = "We had a lovely morning painting. " * 3000 + "Don't worry, he'll catch up."
    assert check_language(early)["harmful"] and not check_language(late)["harmful"]
    assert too_long(late) and str(f"{MAX_CHARS:,}") in too_long(late) and too_long("Short.") == ""



def test_reported_words_the_writer_then_agrees_with_are_the_writers_own():
    reported = "The consultant told you he'll catch up by school age."
    assert not check_language(reported)["harmful"]
    assert check_language(reported[:-1] + ", and I'd agree with her.")["harmful"]


@pytest.mark.parametrize("statement", [
    "Nothing you've told me sounds like bad parenting.",
    "You said earlier it feels like you lost the baby you'd planned for. I'd like to hear more about that.",
    "Such a shame the swimming trip was cancelled, we've rebooked for June.",
    "I'm sorry, I called him naughty earlier and that wasn't fair. He was overwhelmed.",
    "We talked about screen time last term and I wasn't suggesting any of this is your fault.",
    "I do not consider this to be in any way a reflection of your parenting.",
    'Our team used to call parents like you "hard to reach". Really it was our letters that were hard to reach.',
    "My mum used to say everyone's a bit dyslexic. She was wrong, and Anya deserves proper support.",
])
def test_a_parents_own_words_a_denial_and_an_outing_missed_are_not_harm(statement):
    assert not check_language(statement)["harmful"], check_language(statement)


def test_the_second_opinion_reads_only_the_writers_own_words_not_what_they_quote():
    from alongside.language import second_opinion
    from alongside.learned import Model

    # a model that reads one word as harm: what matters is which words it is shown
    learned = Model("test", {"burdened": 0}, (1.0,), (10.0,), 0.0, -5.0, 0.5)
    assert second_opinion("Your family is so burdened by all of this, honestly.", learned)
    assert second_opinion('Your aunt keeps calling the family "burdened" and that is not fair.', learned) == []


@pytest.mark.parametrize("statement", [
    "Like they say, boys are slower, so I'd give him till Easter.",
    "The other mums on the ward manage to stay overnight. Could you not sort something out with work?",
    "His brother's the one I feel sorry for, always being dragged along to appointments.",
    "Zainab has been so brave this term, considering everything she has to live with.",
    "We don't usually see the EAL families at stay-and-play, so this is a nice surprise!",
    "You're an absolute saint, Mrs Okafor, all the staff say it.",
    "I don't want to worry you, so I won't put a referral in just yet.",
    "We feel Grace would become more independent if she wasn't quite so wrapped in cotton wool at home.",
    'When the mum tells me about the diagnosis I would say "Oh I\'m so sorry, that must be so hard for you."',
    "omg ur a saint seriously x",
    "Freya can't talk, poor thing, so we never really know what she wants.",
    "Sometimes parents overthink these things. Does he get much one-to-one time with you?",
    "To be fair he can be a bit lazy with his words, he just points and we all give him things.",
    "Maybe he is shy because at home you speak two languages?",
])
def test_words_the_writer_takes_as_their_own_comparisons_and_sibling_pity_are_harm(statement):
    assert check_language(statement)["harmful"], statement


def test_a_denial_that_screens_caused_it_is_not_blame():
    assert not check_language("Screen time didn't cause his autism, and you haven't done anything wrong.")["harmful"]
