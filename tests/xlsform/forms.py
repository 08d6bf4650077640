"""Real-world-style XLSForms as Python tables, written to .xlsx by `write_xlsform`.

Each sheet is a list of rows, the header first, exactly as in the spreadsheet: row N of a
list is spreadsheet row N, so the row numbers the tests expect can be read off here.
"""

# ruff: noqa: E501 -- one spreadsheet row per line, so that list row N is spreadsheet row N

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Rows = list[list[Any]]


@dataclass(frozen=True)
class Form:
    """The sheets of one XLSForm (an empty list leaves the sheet out)."""

    survey: Rows
    choices: Rows = field(default_factory=list)
    settings: Rows = field(default_factory=list)


def write_xlsform(form: Form, path: Path) -> Path:
    """Write the form as an .xlsx workbook with survey, choices and settings sheets."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in (
        ("survey", form.survey),
        ("choices", form.choices),
        ("settings", form.settings),
    ):
        if rows:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
    book.save(path)
    return path


def ole_container(*stream_names: str) -> bytes:
    """A minimal OLE2 compound file (the container of .xls and of encrypted .xlsx files).

    One FAT sector and one directory sector holding a root entry and empty streams with
    these names, laid out as MS-CFB version 3 describes; Excel's encrypted workbooks hold
    `EncryptionInfo` and `EncryptedPackage` streams.
    """
    free, end_of_chain, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # signature
        + bytes(16)  # class id
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # versions, byte order, sector shifts
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
        + struct.pack("<109I", 0, *([free] * 108))  # the FAT is sector 0
    )
    fat = struct.pack("<128I", fat_sector, end_of_chain, *([free] * 126))

    def entry(name: str, kind: int, right: int, child: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
            + bytes(16 + 4 + 8 + 8)
            + struct.pack("<IQ", end_of_chain, 0)
        )

    entries = [entry("Root Entry", 5, free, 1 if stream_names else free)]
    for i, name in enumerate(stream_names, start=1):
        entries.append(entry(name, 2, i + 1 if i < len(stream_names) else free, free))
    directory = b"".join(entries).ljust(512, b"\0")
    return header + fat + directory


# --- 1. A KoboToolbox-style training needs assessment -------------------------------

# fmt: off
_TRAINING_NEEDS_SURVEY: Rows = [
    ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance", "parameters", "$kuid"],
    ["start", "start", None, None, None, None, None, None, None, None, "a1"],
    ["end", "end", None, None, None, None, None, None, None, None, "a2"],
    ["note", "intro", "This survey helps us plan trainings on the UN Convention against Transnational Organized Crime (UNTOC). It takes about 10 minutes.", None, None, None, None, None, None, None, "a3"],
    ["begin_group", "profile", "About you and your organisation", None, None, None, None, None, "field-list", None, "a4"],
    ["select_one org_type or_other", "org_type", "What kind of organisation do you work for?", None, "yes", None, None, None, None, None, "a5"],
    ["text", "org_name", "What is the name of your organisation?", None, "no", None, None, None, None, None, "a6"],
    ["integer", "staff_count", "How many people work in your organisation?", "Count paid staff and regular volunteers.", "yes", None, ". >= 0 and . <= 100000", "Enter a number from 0 to 100000.", None, None, "a7"],
    ["select_one yes_no", "in_network", "Is your organisation part of a network or coalition?", None, "true", None, None, None, None, None, "a8"],
    ["text", "network_name", "Which network or coalition?", None, None, "${in_network} = 'yes'", None, None, None, None, "a9"],
    ["end_group", None, None, None, None, None, None, None, None, None, "a10"],
    ["begin_group", "engagement", "Engagement with the UNTOC review mechanism", None, None, None, None, None, None, None, "a11"],
    ["note", "engagement_intro", "The review mechanism lets civil society contribute to country reviews.", None, None, None, None, None, None, None, "a12"],
    ["select_one yes_no", "engaged_before", "Has your organisation ever contributed to the review mechanism?", None, "yes", None, None, None, None, None, "a13"],
    ["select_multiple contribution or_other", "contributions", "How did you contribute?", "Select all that apply.", "yes", "${engaged_before} = 'yes'", "count-selected(.) <= 3", None, None, None, "a14"],
    ["integer", "years_engaged", "For how many years?", None, None, "${engaged_before} = 'yes'", ". > 0 and . <= 10", None, None, None, "a15"],
    ["text", "submission_details", "Please describe your written submission.", None, None, "selected(${contributions}, 'written') and ${years_engaged} >= 8", None, None, None, None, "a16"],
    ["select_one barrier", "main_barrier", "What is the main barrier to engaging?", None, None, "not(${engaged_before} = 'yes') or selected(${contributions}, 'other')", None, None, None, None, "a17"],
    ["end_group", None, None, None, None, None, None, None, None, None, "a18"],
    ["begin_group", "needs", "Training needs", None, None, None, None, None, None, None, "a19"],
    ["range", "confidence", "How confident are you explaining UNTOC to a government official?", "1 = not at all, 5 = very", "yes", None, None, None, None, "start=1 end=5 step=1", "a20"],
    ["text", "confidence_help", "What would help you feel more confident?", None, None, "${confidence} <= 2", "string-length(.) <= 500", None, None, None, "a21"],
    ["begin_group", "topics", "Topics", None, None, None, None, None, None, None, "a22"],
    ["select_multiple topic", "priority_topics", "Which topics should the training cover?", "Choose up to three.", "yes", None, "count-selected(.) >= 1 and count-selected(.) <= 3", None, None, None, "a23"],
    ["select_one level", "cyber_level", "How familiar are you with cybercrime legislation?", None, None, "selected(${priority_topics}, 'cybercrime')", None, None, "likert", None, "a24"],
    ["text", "cyber_laws", "Which cybercrime laws do you work with?", None, None, "${cyber_level} >= 3", None, None, None, None, "a25"],
    ["end_group", None, None, None, None, None, None, None, None, None, "a26"],
    ["select_one format", "preferred_format", "Which training format do you prefer?", None, "yes", None, None, None, None, None, "a27"],
    ["select_one yes_no", "needs_interpretation", "Would you need interpretation?", None, None, "(${preferred_format} = 'in_person' or ${preferred_format} = 'hybrid') and ${org_type} != 'government'", None, None, None, None, "a28"],
    ["text", "comments", "Anything else we should know?", None, None, None, "string-length(.) <= 2000", None, "multiline", None, "a29"],
    ["end_group", None, None, None, None, None, None, None, None, None, "a30"],
    ["note", "thanks", "Thank you for your time!", None, None, None, None, None, None, None, "a31"],
]
_TRAINING_NEEDS_CHOICES: Rows = [
    ["list_name", "name", "label"],
    ["org_type", "ngo", "Non-governmental organisation"],
    ["org_type", "academia", "Academia or research"],
    ["org_type", "private", "Private sector"],
    ["org_type", "government", "Government"],
    ["yes_no", "yes", "Yes"],
    ["yes_no", "no", "No"],
    ["contribution", "written", "Written submission"],
    ["contribution", "country_visit", "Meeting during a country visit"],
    ["contribution", "side_event", "Side event"],
    ["barrier", "information", "Lack of information"],
    ["barrier", "access", "No access to the process"],
    ["barrier", "capacity", "Limited staff capacity"],
    ["topic", "trafficking", "Trafficking in persons"],
    ["topic", "smuggling", "Smuggling of migrants"],
    ["topic", "cybercrime", "Cybercrime"],
    ["topic", "corruption", "Corruption"],
    ["topic", "firearms", "Firearms"],
    ["level", 1, "Not at all"],
    ["level", 2, "A little"],
    ["level", 3, "Well"],
    ["level", 4, "Very well"],
    ["format", "in_person", "In person"],
    ["format", "online", "Online"],
    ["format", "hybrid", "Hybrid"],
]
_TRAINING_NEEDS_SETTINGS: Rows = [
    ["form_title", "form_id", "version"],
    ["Training needs assessment — civil society and UNTOC", "training_needs_2024", "2024031501"],
]
# fmt: on
TRAINING_NEEDS = Form(_TRAINING_NEEDS_SURVEY, _TRAINING_NEEDS_CHOICES, _TRAINING_NEEDS_SETTINGS)


# --- 2. A bilingual (English/French) workshop feedback form -------------------------

# fmt: off
_WORKSHOP_FEEDBACK_SURVEY: Rows = [
    ["type", "name", "label::English (en)", "label::French (fr)", "hint::English (en)", "hint::French (fr)", "required", "relevant", "constraint"],
    ["begin_group", "about", "About you", "À propos de vous"],
    ["note", "privacy", "Your answers are anonymous.", "Vos réponses sont anonymes."],
    ["select_one role", "role", "What is your role?", "Quel est votre rôle ?", None, None, "yes"],
    ["decimal", "advocacy_hours", "How many hours a week do you spend on advocacy?", "Combien d'heures par semaine consacrez-vous au plaidoyer ?", "Decimals are fine, e.g. 2.5", "Les décimales sont acceptées, p. ex. 2,5", None, None, ". >= 0 and . <= 80"],
    ["end_group"],
    ["begin_group", "workshop", "The workshop", "L'atelier"],
    ["date", "attended_on", "When did you attend?", "Quand avez-vous participé ?", None, None, "yes", None, ". >= date('2024-01-01')"],
    ["select_one agree", "useful", "The workshop was useful for my work.", "L'atelier était utile pour mon travail.", None, None, "yes"],
    ["text", "why_not_useful", "Why not?", "Pourquoi pas ?", None, None, None, "${useful} = 'disagree' or ${useful} = 'strongly_disagree'"],
    ["select_multiple follow_up", "follow_up", "What would you like next?", "Que souhaitez-vous ensuite ?", "Select all that apply."],
    ["end_group"],
]
_WORKSHOP_FEEDBACK_CHOICES: Rows = [
    ["list_name", "name", "label::English (en)", "label::French (fr)"],
    ["role", "staff", "NGO staff", "Personnel d'ONG"],
    ["role", "volunteer", "Volunteer", "Bénévole"],
    ["role", "researcher", "Researcher", "Chercheur ou chercheuse"],
    ["agree", "strongly_agree", "Strongly agree", "Tout à fait d'accord"],
    ["agree", "agree", "Agree", "D'accord"],
    ["agree", "disagree", "Disagree", "Pas d'accord"],
    ["agree", "strongly_disagree", "Strongly disagree", "Pas du tout d'accord"],
    ["follow_up", "mentoring", "Mentoring", "Mentorat"],
    ["follow_up", "online_course", "An online course", "Un cours en ligne"],
    ["follow_up", "materials", "Printed materials"],
]
_WORKSHOP_FEEDBACK_SETTINGS: Rows = [
    ["form_title", "form_id", "default_language"],
    ["Workshop feedback", "workshop-feedback", "English (en)"],
]
# fmt: on
WORKSHOP_FEEDBACK = Form(
    _WORKSHOP_FEEDBACK_SURVEY, _WORKSHOP_FEEDBACK_CHOICES, _WORKSHOP_FEEDBACK_SETTINGS
)


# --- 3. A form with what cannot be converted ----------------------------------------

# fmt: off
_COMMUNITY_SAFETY_SURVEY: Rows = [
    ["type", "name", "label", "required", "relevant", "constraint", "calculation", "parameters"],
    ["today", "today"],
    ["geopoint", "location", "Where are you?"],
    ["text", "village", "Name of your village or town", "yes"],
    ["integer", "household_size", "How many people live in your household?", "yes", None, ". > 0 and . <= 30"],
    ["begin_repeat", "members", "Household members"],
    ["text", "member_name", "Name"],
    ["integer", "member_age", "Age"],
    ["end_repeat"],
    ["calculate", "adults", None, None, None, None, "${household_size} - 1"],
    ["select_one yes_no", "felt_unsafe", "In the past year, did you ever feel unsafe in your area?", "yes"],
    ["text", "unsafe_where", "Where did you feel unsafe?", None, "${felt_unsafe} = 'yes' and ${adults} > 1"],
    ["image", "photo", "Take a photo of the place (optional)"],
    ["select_one yes_no", "reported", "Did you report it to the police?", None, "${felt_unsafe} = 'yes' and regex(${village}, '^[A-Z]')"],
    ["text", "contact_email", "Your e-mail address (optional)", None, None, "regex(., '^[^@]+@[^@]+$')"],
    ["select_one yes_no", "contact_ok", "May we contact you again?", None, "${contact_email} != ''"],
    ["select_one_from_file villages.csv", "district", "Which district?"],
    ["text", "early", "Why did you answer yes above?", None, "${final_remarks} != ''"],
    ["range", "safety_score", "How safe do you feel, from 0 to 100?", None, None, None, None, "start=0 end=100 step=10"],
    ["text", "final_remarks", "Any final remarks?"],
]
_COMMUNITY_SAFETY_CHOICES: Rows = [
    ["list_name", "name", "label"],
    ["yes_no", "yes", "Yes"],
    ["yes_no", "no", "No"],
]
_COMMUNITY_SAFETY_SETTINGS: Rows = [
    ["form_title", "form_id"],
    ["Community safety survey", "community-safety"],
]
# fmt: on
COMMUNITY_SAFETY = Form(
    _COMMUNITY_SAFETY_SURVEY, _COMMUNITY_SAFETY_CHOICES, _COMMUNITY_SAFETY_SETTINGS
)
