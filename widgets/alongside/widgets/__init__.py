"""The course's widgets: each has a visible label, works by keyboard and says things in words.

- :class:`ReflectionBox`: a reflection that saves as you type, with rubric feedback on request;
- :class:`StatementSorter`: sort statements (helpful or harmful, and why) with feedback;
- :class:`StagedStory`: a case story revealed one part at a time;
- :class:`AgreementBuilder`: build an agreement plan after a disagreement;
- :class:`LetterChecker`: check a letter to a family against the letter rules;
- :class:`PracticeConversation`: practise a hard conversation in threes, or write its first turn alone.
"""

from alongside.widgets.agreement import AgreementBuilder
from alongside.widgets.letter import LetterChecker
from alongside.widgets.practice import PracticeConversation
from alongside.widgets.reflection_box import ReflectionBox
from alongside.widgets.sorter import StatementSorter
from alongside.widgets.story import StagedStory

__all__ = ["AgreementBuilder", "LetterChecker", "PracticeConversation", "ReflectionBox", "StatementSorter",
           "StagedStory"]
