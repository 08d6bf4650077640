"""XLSForm (KoboToolbox, ODK) workbooks -> questionnaire files: pure Python, no Flask."""

from .convert import Conversion, convert_workbook
from .export import write_xlsform, xlsform_sheets
from .output import questionnaire_yaml, summary_lines, write_questionnaire
from .reading import Problem, XLSFormError

__all__ = [
    "Conversion",
    "Problem",
    "XLSFormError",
    "convert_workbook",
    "questionnaire_yaml",
    "summary_lines",
    "write_questionnaire",
    "write_xlsform",
    "xlsform_sheets",
]
