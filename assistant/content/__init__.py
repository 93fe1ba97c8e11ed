"""The practice as data: what is said, what is asked, and which phrasings mean which command."""

from assistant.content.loader import default_content_dir, load_content
from assistant.content.model import (
    Command,
    Content,
    Exercise,
    Practice,
    QuestionList,
    Step,
    Text,
)

__all__ = [
    "Command",
    "Content",
    "Exercise",
    "Practice",
    "QuestionList",
    "Step",
    "Text",
    "default_content_dir",
    "load_content",
]
