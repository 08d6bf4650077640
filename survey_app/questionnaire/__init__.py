"""The questionnaire definition domain: pure Python, no Flask, no database."""

from .answers import Answers, AnswerValue, Choice, ItemValue, Repeated
from .loader import ContentError, DefinitionError, LoadedFile, load_file
from .registry import Registry, load_registry
from .schema import Questionnaire

__all__ = [
    "AnswerValue",
    "Answers",
    "Choice",
    "ContentError",
    "DefinitionError",
    "ItemValue",
    "LoadedFile",
    "Questionnaire",
    "Registry",
    "Repeated",
    "load_file",
    "load_registry",
]
