"""Agreement on the labelled corpus: what each split's figure counts."""

from __future__ import annotations

from pathlib import Path

import yaml

from alongside.agreement import corpus_agreement
from alongside.letter import ITEM_IDS
GOOD = """Dear Ms Rivera,

I would like to invite you to a meeting to look at how Luca is getting on at school.
The meeting is on Tuesday 4 March at 3.30pm in the library at Elm Park Primary School.
Luca's teacher, Mr Hale, and I will be there.
We will talk about what is going well and agree the next steps. It will take about 45 minutes.
Luca is welcome to join us for the last ten minutes.
You are welcome to bring a friend or relative with you.
If you would like an interpreter, or other help to take part, please tell me.
If you have any questions, please call me on 01632 960 412.

Best wishes,
Mary Obi
"""


def corpus(tmp_path: Path) -> Path:
    """A corpus of one author with a good letter and a junk one, labelled as the authors label them."""
    every = dict.fromkeys((*ITEM_IDS, "jargon_free", "blame_free"), True)
    letters = [
        {"voice": "teacher", "text": GOOD, "labels": every},
        {"voice": "junk", "junk": True, "text": "<p>&nbsp;</p><p>please come to the meeting</p>",
         "labels": dict.fromkeys(every, False)},
    ]
    (tmp_path / "a1").mkdir()
    (tmp_path / "a1" / "letter.yaml").write_text(yaml.safe_dump({"author": "a1", "checker": "letter", "letters": letters}))
    (tmp_path / "splits.yaml").write_text("train: [a1]\nvalidation: []\ntest: []\n")
    return tmp_path


def test_junk_letters_count_for_items_and_passing_but_not_for_jargon_or_blame(tmp_path):
    table = corpus_agreement(corpus(tmp_path), "letter", "train")
    assert table["purpose"].total == 2 and table["every_item"].total == 2
    assert table["every_item"].agree == 2  # the good letter passes, the junk one does not
    assert table["jargon_free"].total == 1 and table["blame_free"].total == 1
    assert table["jargon_free"].agree == 1 and table["blame_free"].agree == 1
