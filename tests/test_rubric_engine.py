"""The rubric engine: one verdict for any input, with evidence and feedback a trainee can act on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside import rubric
from alongside.data import DataError

ODD_TEXT = st.one_of(
    st.text(max_size=300),
    st.just(""),
    st.just("x" * 100_000),
    st.just("😀 " * 200),
    st.just("<script>alert(1)</script> " * 20),
    st.just("مرحبا كيف حالك اليوم " * 10),
    st.just("你好，我很担心我的孩子。" * 10),
    st.just("Я очень волнуюсь за сына. " * 10),
)
ODD_ANSWERS = st.one_of(ODD_TEXT, st.none(), st.integers(), st.lists(st.text(max_size=20), max_size=5),
                        st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=40), st.integers(), st.none())))


@settings(max_examples=60, deadline=None)
@given(rubric_id=st.sampled_from(rubric.rubric_ids()), answer=ODD_ANSWERS)
def test_any_answer_gets_a_verdict_in_range(rubric_id, answer):
    result = rubric.score(rubric_id, answer)
    assert 0 <= result.score <= result.max
    assert set(result.criteria) == {c.id for c in rubric.load_rubric(rubric_id).criteria}
    assert all(r.feedback for r in result.criteria.values())
    assert result.score == sum(r.points for r in result.criteria.values())


def test_blank_and_stub_answers_earn_nothing_with_the_reason():
    for blank in ("", "   ", "# YOUR ANSWER HERE", "\n### BEGIN SOLUTION\n### END SOLUTION\n"):
        result = rubric.score("listening-response", blank)
        assert result.score == 0
        assert all("two to five sentences" in r.feedback for r in result.criteria.values())


def test_a_wrong_type_says_what_was_expected():
    result = rubric.score("listening-response", 42)
    assert result.score == 0
    assert "should be text in quotes, not int" in result.criteria["acknowledges"].feedback


def test_evidence_is_the_words_that_decided_it_and_feedback_uses_them():
    result = rubric.score("listening-response", "Don't worry, he will catch up soon. What does he say at home today?")
    verdict = result.criteria["no_dismissal"]
    assert not verdict.met and "Don't worry" in verdict.evidence
    assert verdict.evidence in verdict.feedback
    assert result.criteria["open_question"].evidence == "What does he say at home today?"


def test_an_explained_acronym_is_plain_language_and_an_unexplained_one_is_not():
    base = "I hear how worried you are. What have you noticed at home? I'll ask our {} to meet us next week."
    explained = rubric.score("listening-response", base.format("SENCO, the teacher who co-ordinates extra help,"))
    assert explained.criteria["plain_language"].met
    bare = rubric.score("listening-response", base.format("SENCO"))
    assert not bare.criteria["plain_language"].met and bare.criteria["plain_language"].evidence == "SENCO"


def test_field_criteria_read_only_their_field_and_unknown_keys_are_ignored():
    loaded = rubric.load_rubric("agreement-plan")
    assert loaded.fields, "agreement-plan lists its fields"
    junk = {"x": object(), "notes": "a fortnight trial from 12 March, reviewed weekly with the family " * 3}
    assert rubric.score("agreement-plan", junk).score == 0


@pytest.mark.parametrize("text", ["for a fortnight", "6 wks", "until 12 March", "until half term", "two terms"])
def test_duration_rule_finds_common_ways_to_give_a_length(text):
    criterion = next(c for c in rubric.load_rubric("agreement-plan").criteria if c.rule == "duration")
    assert criterion.check(f"We will try it {text}.")[0]


def test_describe_lists_what_each_criterion_looks_for():
    described = rubric.describe("listening-response")
    assert [d["id"] for d in described][0] == "acknowledges"
    assert all(d["looks_for"] and d["points"] == 1 for d in described)


def test_to_dict_is_the_command_line_shape():
    result = rubric.score("rewrite-statement", "You know her best. What helps her settle in the morning?")
    as_dict = result.to_dict()
    assert as_dict["rubric"] == "rewrite-statement" and as_dict["max"] == 3
    assert set(as_dict["criteria"]["no_harm"]) == {"met", "evidence", "feedback"}


def test_unknown_rubric_is_a_key_error():
    with pytest.raises(KeyError):
        rubric.load_rubric("no-such-rubric")


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"id": "a", "looks_for": "x", "met": "m", "not_met": "n", "rule": "magic"}, "rule must be one of"),
        ({"id": "a", "looks_for": "x", "met": "m", "not_met": "n", "rule": "any"}, "needs 'patterns' or 'uses'"),
        ({"id": "a", "looks_for": "x", "met": "m", "not_met": "n", "rule": "none", "uses": ["nope"]}, "unknown language category"),
        ({"id": "a", "rule": "jargon", "met": "m", "not_met": "n"}, "missing 'looks_for'"),
    ],
)
def test_bad_rubric_data_names_the_problem(entry, message):
    with pytest.raises(DataError, match=message):
        rubric._criterion(entry, "test-rubric")


def test_a_same_as_criterion_is_the_other_rubrics_criterion_defined_once():
    borrowed = {c.id: c for c in rubric.load_rubric("referral-conversation").criteria}["acknowledges"]
    original = {c.id: c for c in rubric.load_rubric("listening-response").criteria}["acknowledges"]
    assert (borrowed.looks_for, borrowed.rule, borrowed.phrases, borrowed.skip_harm) == (
        original.looks_for, original.rule, original.phrases, original.skip_harm)
    assert borrowed.model_name == "listening-response.acknowledges"
    text = "It sounds like you have been raising this for months."
    assert borrowed.check(text) == original.check(text)


def test_a_same_as_that_names_nothing_is_refused():
    _criterion = rubric._criterion

    with pytest.raises(DataError, match="same_as names unknown criterion 'listening-response.nope'"):
        _criterion({"id": "x", "same_as": "listening-response.nope"}, "t")
    with pytest.raises(DataError, match="same_as names unknown rubric 'nope'"):
        _criterion({"id": "x", "same_as": "nope.x"}, "t")


def test_summary_back_hears_a_hard_week_in_many_words_and_not_when_it_argues_with_the_feeling():
    facts = " Idris has been up every night, the bus didn't come so the hospital slot went, Hana cried about her assembly and you're doing extra shifts."
    heard = ["Sounds like you've been through the wringer this week.",
             "It sounds like it's all felt like too much this week.",
             "So you've been pulled thin in every direction.",
             "It sounds like this week has knocked the stuffing out of you.",
             "You sound completely wrung out, Nadia.",
             "You've been trying to keep every plate spinning and it feels like you're dropping them all."]
    for text in heard:
        assert rubric.score("summary-back", text + facts + " Have I got that right?").criteria["feeling"].met, text
    for argument in (" But you're honestly not letting anyone down.", " But none of this is your fault.",
                     " But every parent of a four-year-old has weeks like this.",
                     " But from where I'm sitting you're a brilliant mum."):
        argued = "That's a horrible week, Nadia." + facts + argument + " Have I got that right?"
        assert not rubric.score("summary-back", argued).criteria["feeling"].met, argument


def test_summary_back_offering_to_ring_or_refer_is_advice():
    facts = "Idris has been up every night and the bus didn't come, so the hospital slot went. "
    for offer in ("I'll give the hospital a ring for you tomorrow.", "I can make a referral to family support.",
                  "First thing is to get Idris's sleep sorted."):
        assert not rubric.score("summary-back", facts + offer + " Is that everything?").criteria["no_advice"].met, offer


@pytest.mark.parametrize("goal, met", [
    ("Layla will meet the expected standard in the phonics screening check.", False),
    ("The school has decided that Layla will attend the phonics group.", False),
    ("Layla will read 60 sight words by the review and still love her books.", True),
    ("Layla will read new words on her own and feel proud of it.", True),
])
def test_a_goal_that_is_only_a_score_or_the_schools_decision_is_not_about_layla(goal, met):
    assert rubric.score("agreement-plan", {"shared_goal": goal}).criteria["goal_for_layla"].met is met


def test_a_reading_record_sent_home_is_a_way_to_share_progress():
    sharing = rubric.score("agreement-plan", {"progress_sharing": "Parents sign the reading record and send it in."})
    assert sharing.criteria["sharing_how"].met is True
    vague = rubric.score("agreement-plan", {"progress_sharing": "Updates will be given when there is something to report."})
    assert vague.criteria["sharing_how"].met is False


@pytest.mark.parametrize("shaping, met", [
    ("We'll consult families through a parent forum. The leadership team will make the final decisions.", False),
    ("Co-produced plan: parents give input via survey; SLT finalise.", False),
    ("Dads will decide the design of the mud kitchen; SLT will sign off the budget.", True),
    ("They tell us what they want to do and we do it.", True),
    ("Two family members will be voting members of the management committee.", True),
])
def test_families_shape_the_plan_only_where_they_decide_not_where_staff_decide_after_asking(shaping, met):
    plan = {"shaping": shaping, "who": "Dads like Darren who never get the messages."}
    assert rubric.score("engagement-plan", plan).criteria["families_shape"].met is met
