"""Modules 04 (a story in stages) and 05 (when we disagree): their widgets, data and notebooks.

The widgets run in-process with a fresh ALONGSIDE_HOME, the way a trainee's kernel runs them:
clicking, typing, restarting (a new widget reading the saved state) and a broken store.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest
import textstat

from alongside import grading, rubric
from alongside.store import Store, answers, progress
from alongside.answer_text import notebook_answers, parse_answer, plan_fields
from alongside.widgets.agreement import AgreementBuilder
from alongside.widgets.story import StagedStory, load_story
from prose_tools import prose

ROOT = Path(__file__).resolve().parents[1]
STORY = load_story("04-story")
COURSE = {m: ROOT / "course" / f"{m}.ipynb" for m in ("04-story", "05-disagree")}
SOLUTIONS = {m: ROOT / "solutions" / m / f"{m}.ipynb" for m in ("04-story", "05-disagree")}
RELEASED = {m: ROOT / "exercises" / m / f"{m}.ipynb" for m in ("04-story", "05-disagree")}


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _status_text(story: StagedStory) -> str:
    return re.sub(r"<[^>]+>", "", story.status.value)


def _disk_full(self, key, value):
    raise OSError(28, "No space left on device")


# --- StagedStory ---------------------------------------------------------------------------


def test_story_has_five_parts_told_from_both_sides_with_three_prompts():
    assert len(STORY["parts"]) == 5
    assert set(STORY["sides"]) == {"family", "service"}
    for part in STORY["parts"]:
        assert part["family"].strip() and part["service"].strip()
        assert len(part["prompts"]) == 3


def test_story_starts_at_part_one_and_says_so_in_words(alongside_home):
    story = StagedStory("04-story")
    assert story.shown == 1
    assert len(story.parts_box.children) == 1
    assert "Part 1 of 5" in _status_text(story)
    assert 'role="status"' in story.status.value
    assert "Part 1 of 5: A quiet boy" in story.parts_box.children[0].children[0].value


def test_button_reveals_the_next_part_and_announces_it(alongside_home):
    story = StagedStory("04-story")
    story.next_button.click()
    assert story.shown == 2
    assert len(story.parts_box.children) == 2
    assert "Part 2 of 5" in _status_text(story)
    html = story.parts_box.children[1].children[0].value
    assert "Part 2 of 5: A word at the door" in html
    for heading in ("At home", "At school"):
        assert heading in html
    for prompt in STORY["parts"][1]["prompts"]:
        assert prompt.split("?")[0] in html


def test_buttons_have_visible_words_and_no_colour_only_state(alongside_home):
    story = StagedStory("04-story")
    for button in (story.next_button, story.restart_button):
        assert button.description.strip() and button.tooltip.strip()
        assert button.button_style == ""
    assert story.next_button.description == "Show the next part"


def test_revealed_parts_survive_a_restart(alongside_home):
    story = StagedStory("04-story")
    story.next_button.click()
    story.next_button.click()
    again = StagedStory("04-story")  # a new kernel builds the widget again
    assert again.shown == 3
    assert len(again.parts_box.children) == 3
    assert progress().get("story:04-story")["shown"] == 3


def test_last_part_disables_the_button_and_says_so(alongside_home):
    story = StagedStory("04-story")
    for _ in range(10):
        story.show_next()
    assert story.shown == 5
    assert story.next_button.disabled
    assert story.next_button.description == "All parts shown"
    assert "Part 5 of 5" in _status_text(story) and "last part" in _status_text(story)


def test_start_again_hides_later_parts_and_keeps_notes(alongside_home):
    story = StagedStory("04-story")
    story.show_next()
    answers().set("story:04-story:part1", "my notes")
    story.restart_button.click()
    assert story.shown == 1
    assert StagedStory("04-story").shown == 1
    assert answers().get("story:04-story:part1") == "my notes"


def test_each_part_has_labelled_notes_that_survive_a_restart(alongside_home):
    story = StagedStory("04-story")
    story.show_next()
    notes = story.parts_box.children[1].children[1]
    assert notes.text.description.startswith("Your notes on part 2")
    notes.text.value = "Joy may feel nobody believes her."
    assert answers().get("story:04-story:part2") == "Joy may feel nobody believes her."
    again = StagedStory("04-story").parts_box.children[1].children[1]
    assert again.text.value == "Joy may feel nobody believes her."


def test_notes_say_so_when_they_cannot_be_saved(alongside_home, monkeypatch):
    notes = StagedStory("04-story").parts_box.children[0].children[1]
    monkeypatch.setattr(Store, "set", _disk_full)
    notes.text.value = "something"
    assert "could not be saved" in notes.saved_note.value
    assert notes.text.value == "something"


@pytest.mark.parametrize("saved", [{"shown": 99}, {"shown": -3}, {"shown": "lots"}, "3", None, [1, 2]])
def test_strange_saved_progress_is_clamped_not_an_error(alongside_home, saved):
    progress().set("story:04-story", saved)
    story = StagedStory("04-story")
    assert 1 <= story.shown <= 5


def test_unreadable_progress_file_is_kept_aside_and_story_starts(alongside_home):
    alongside_home.mkdir(parents=True)
    (alongside_home / "progress.json").write_text("{not json", encoding="utf-8")
    story = StagedStory("04-story")
    assert story.shown == 1
    assert list(alongside_home.glob("progress.json.unreadable-*"))


def test_story_works_when_progress_cannot_be_saved(alongside_home, monkeypatch):
    story = StagedStory("04-story")
    monkeypatch.setattr(Store, "set", _disk_full)
    story.show_next()
    assert story.shown == 2
    assert "Could not save" in story.saved_note.value


# --- AgreementBuilder ----------------------------------------------------------------------

PLAN = {
    "shared_goal": "Layla will read short words for herself and enjoy her pony books.",
    "trial": "The sounds group, ten minutes each morning, for six weeks, with a sign and a picture for each sound, as Mo and Jess suggested.",
    "review_date": "Thursday 12 March",
    "parents_knowledge": "Layla learns best from pictures and signs. Give her time to answer.",
    "progress_sharing": "The home-school book, every Friday.",
    "who_does_what": "Kerry runs the group. Mo and Jess practise one sound each weekend.",
}


def _type(builder: AgreementBuilder, plan: dict) -> None:
    for field, text in plan.items():
        builder.boxes[field].value = text


def test_builder_has_a_labelled_box_for_every_field_the_rubric_reads(alongside_home):
    builder = AgreementBuilder()
    fields = plan_fields("agreement-plan")
    assert [f["id"] for f in fields] == list(builder.boxes) == list(PLAN)
    for field in fields:
        box = builder.boxes[field["id"]]
        assert html.escape(field["label"]) in box.description and html.escape(field["hint"]) in box.description
        assert box.description_allow_html
    read = {c.field for c in rubric.load_rubric("agreement-plan").criteria if c.field}
    assert read <= set(builder.boxes)
    assert builder.check_button.description == "Check my plan"


def test_builder_gives_the_plan_as_labelled_lines_the_exercise_reads(alongside_home):
    builder = AgreementBuilder()
    _type(builder, PLAN)
    assert builder.value == PLAN
    assert builder.as_lines().startswith("Shared goal: ")
    assert parse_answer("05-disagree", "plan", builder.as_lines()) == PLAN


def test_builder_saves_as_you_type_and_restores_after_a_restart(alongside_home):
    builder = AgreementBuilder()
    builder.boxes["trial"].value = "Six weeks of the sounds group"
    assert answers().get("plan:agreement-plan")["trial"] == "Six weeks of the sounds group"
    assert AgreementBuilder().boxes["trial"].value == "Six weeks of the sounds group"


def test_check_my_plan_gives_the_exercise_mark_with_words_per_criterion(alongside_home):
    builder = AgreementBuilder()
    half = {k: v for k, v in PLAN.items() if k in ("shared_goal", "trial", "review_date")}
    _type(builder, half)
    builder.check_button.click()
    result = rubric.score("agreement-plan", builder.value)
    assert 0 < result.score < result.max
    feedback = builder.feedback.value
    assert f"Your plan: {result.score:g} of {result.max:g} points" in feedback
    assert feedback.count("<li>") == len(result.criteria)
    assert feedback.count("<strong>Met</strong>") == sum(r.met for r in result.criteria.values())
    assert feedback.count("<strong>Not yet</strong>") == sum(not r.met for r in result.criteria.values())
    marked = grading.evaluate("05-disagree", "plan", builder.value)
    assert marked.points == pytest.approx(round(result.score / result.max * marked.max * 4) / 4)


def test_full_plan_meets_every_criterion(alongside_home):
    builder = AgreementBuilder()
    _type(builder, PLAN)
    result = builder.check()
    assert result.score == result.max
    assert "Not yet" not in builder.feedback.value


def test_check_warns_about_details_of_a_real_family(alongside_home):
    builder = AgreementBuilder()
    _type(builder, dict(PLAN, progress_sharing="Ring mum on 07700 900123 every Friday."))
    builder.check()
    assert "Privacy" in builder.feedback.value and "phone number" in builder.feedback.value


def test_builder_keeps_working_when_the_plan_cannot_be_saved(alongside_home, monkeypatch):
    builder = AgreementBuilder()
    monkeypatch.setattr(Store, "set", _disk_full)
    builder.boxes["shared_goal"].value = "Layla will enjoy reading."
    assert "could not be saved" in builder.saved_status.value
    assert builder.value["shared_goal"] == "Layla will enjoy reading."


def test_strange_saved_plan_is_ignored_not_an_error(alongside_home):
    answers().set("plan:agreement-plan", {"trial": 42, "shared_goal": "Layla reads.", "junk": None})
    builder = AgreementBuilder()
    assert builder.value["shared_goal"] == "Layla reads." and builder.value["trial"] == ""
    answers().set("plan:agreement-plan", "not a dict")
    assert AgreementBuilder().value == {f: "" for f in PLAN}


# --- Rubrics: partial credit and wrong shapes -------------------------------------------------


def test_story_rubric_gives_real_partial_credit():
    family_only = {"family": "Joy feels nobody believes her, and she is worried about Reuben."}
    both = dict(family_only, service="Dan is pleased that Reuben is calm, with 29 children to look after.")
    full = dict(both, question="Joy, what is Reuben like when he gets home?",
                service=both["service"] + " He does not know about the table.")
    marks = [grading.evaluate("04-story", "part1", a).points for a in ({}, family_only, both, full)]
    assert marks[0] == 0 < marks[1] < marks[2] < marks[3] == 2


def test_story_rubric_feedback_names_what_to_add():
    result = rubric.score("story-both-sides", {"family": "Joy goes to the door.", "question": "Is he ok?"})
    lines = "\n".join(result.feedback_lines())
    assert "Not yet" in lines and "what or how" in lines


def test_plan_in_the_wrong_fields_earns_only_what_it_shows():
    everything_in_goal = {"shared_goal": " ".join(PLAN.values())}
    result = rubric.score("agreement-plan", everything_in_goal)
    assert not result.criteria["review_date"].met and not result.criteria["trial_length"].met
    assert result.score < result.max / 2


# --- Notebooks -------------------------------------------------------------------------------

PRACTITIONER_ONLY = [
    r"\byour (caseload|pupils|class|setting|clients|service users|colleagues|families|team)\b",
    r"\bas a (practitioner|professional|teacher)\b",
    r"\b(families|parents) you work with\b",
    r"\bat work\b",
]


def test_module_04_does_not_assume_the_reader_is_staff():
    texts = _markdown(_read(COURSE["04-story"])) + [
        p[side] + " ".join(p["prompts"]) for p in STORY["parts"] for side in STORY["sides"]
    ]
    texts += _markdown(_read(SOLUTIONS["04-story"]))
    for text in texts:
        for pattern in PRACTITIONER_ONLY:
            assert not re.search(pattern, text, re.IGNORECASE), f"{pattern!r} in: {text[:80]!r}"


def test_module_04_says_where_its_facilitators_guide_is_printed_from():
    # The guide itself is data now (data/facilitator/04-story.yaml, printed by `alongside handouts`);
    # tests/test_practice.py checks that file.
    text = "\n".join(_markdown(_read(COURSE["04-story"])))
    guide = text[text.index("## Facilitator's guide"):]
    assert "`alongside handouts --out handouts`" in guide
    assert "`widgets/alongside/data/facilitator/04-story.yaml`" in guide
    assert "### Timings" not in text, "the guide's text lives in its data file, not in the notebook too"


@pytest.mark.parametrize("module", list(COURSE))
def test_teaching_notebook_follows_the_module_pattern(module):
    nb = _read(COURSE[module])
    first, cells = nb.cells[0].source, nb.cells
    assert first.startswith(f"# Module {module[:2]}:")
    assert "**Time:**" in first and "Learning objectives" in first and "Privacy" in first
    assert "about 30 to 45 minutes for this notebook" in first and "60 to 75 minutes in all" in first
    assert 3 <= len(re.findall(r"^- ", first.split("Learning objectives")[1].split("**Privacy")[0], re.M)) <= 5
    assert cells[-2].cell_type == "markdown" and cells[-2].source.startswith("## Key points")
    assert 3 <= len(re.findall(r"^- ", cells[-2].source, re.M)) <= 6
    assert cells[-1].cell_type == "code" and f'mark_done("{module}")' in cells[-1].source
    assert all(not c.get("outputs") and not c.get("execution_count") for c in cells if c.cell_type == "code")


@pytest.mark.parametrize("module", list(COURSE))
def test_every_citation_is_in_the_sources(module):
    cells = _markdown(_read(COURSE[module]))
    sources = next(c for c in cells if c.startswith("## Sources"))
    body = "\n".join(c for c in cells if not c.startswith("## Sources"))
    cited = re.findall(r"\(([A-Z][A-Za-z]+)[^()]*?,? (?:and [^()]*?)?(\d{4})", body)
    assert cited, "no citations found"
    for name, year in cited:
        assert re.search(rf"{name}\b[^\n]*\({year}\)|{name}[^\n]*{year}", sources), f"({name}, {year}) not in Sources"


@pytest.mark.parametrize("path", [*COURSE.values(), *SOLUTIONS.values()], ids=lambda p: p.name)
def test_prose_is_plain_english(path):
    for text in _markdown(_read(path)):
        if text.startswith("## Sources"):
            continue  # a list of references, not prose
        grade = textstat.flesch_kincaid_grade(prose(text))
        assert grade <= 9, f"Flesch-Kincaid grade {grade:.1f} in {path.name}: {text[:60]!r}"


def test_story_text_is_plain_english():
    text = " ".join(p[side] for p in STORY["parts"] for side in STORY["sides"])
    assert textstat.flesch_kincaid_grade(text) <= 9


def test_exercise_04_prints_the_story_exactly_as_the_data_tells_it():
    cells = _markdown(_read(SOLUTIONS["04-story"]))
    for part in STORY["parts"]:
        cell = next(c for c in cells if f": {part['title']} (" in c)
        for side in STORY["sides"]:
            assert " ".join(part[side].split()) in " ".join(cell.split())


# --- Solutions and blank exercises, marked in-process --------------------------------------------


def _answers(path: Path, module: str) -> dict:
    return {item: parse_answer(module, item, text) for (_ex, item), text in notebook_answers(_read(path)).items()}


@pytest.mark.parametrize("module", list(SOLUTIONS))
def test_solution_earns_every_point_and_blank_earns_none(module, capsys, answer_keys):
    solved, blank = _answers(SOLUTIONS[module], module), _answers(RELEASED[module], module)
    for item in grading.exercise(module)["items"]:
        full = grading.evaluate(module, item["id"], solved[item["id"]])
        assert full.points == full.max == item["points"], full.report()
        assert grading.evaluate(module, item["id"], blank[item["id"]]).points == 0
