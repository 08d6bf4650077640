"""`flask users create|list` and `flask trainings create|list|open|close`."""

from __future__ import annotations

import re
from importlib.metadata import entry_points

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, ParticipantLink, Training, User

PASSWORD = "correct horse battery staple"
TRAINING = [
    "--title",
    "Regional workshop, Putrajaya",
    "--place",
    "Putrajaya, Malaysia",
    "--starts",
    "2027-01-15",
    "--ends",
    "2027-01-17",
    "--organiser",
    "UNODC",
]
BOTH = ["--pre", "untoc-needs-assessment", "--post", "untoc-post-training"]
LINK = re.compile(r"^  (pre|post|followup) +(\S+)\s+(\S*/t/([\w-]{43}))$", re.MULTILINE)


@pytest.fixture
def invoke(runner):
    """Runs `flask ARGS...` against the test app; asserts the exit code."""

    def run(*args, input=None, exit_code=0):
        result = runner.invoke(args=list(args), input=input)
        assert result.exit_code == exit_code, result.output
        return result

    return run


def accounts(app):
    with app.app_context():
        return [(u.email, u.role, u.active) for u in db.session.scalars(select(User))]


def audit(app):
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.detail, AuditEvent.address))
        return [tuple(row) for row in rows]


def trainings(app):
    with app.app_context():
        return [(t.id, t.title, t.status) for t in db.session.scalars(select(Training))]


# --- flask users ---------------------------------------------------------------------------


def test_users_create_prompts_twice_for_the_password_and_stores_only_its_hash(app, invoke):
    result = invoke(
        "users", "create", "Admin@Example.org", "--role", "admin", input=f"{PASSWORD}\n" * 2
    )
    assert result.output.endswith("Created admin account admin@example.org.\n")
    assert PASSWORD not in result.output
    assert accounts(app) == [("admin@example.org", "admin", True)]
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$")
    assert audit(app) == [("user_created", "admin@example.org (admin)", "command line")]


@pytest.mark.usefixtures("fast_password_hashing")
def test_users_create_asks_again_when_the_two_passwords_differ(app, invoke):
    typed = f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n"
    result = invoke("users", "create", "officer@example.org", input=typed)
    assert "The two entered values do not match." in result.output
    assert accounts(app) == [("officer@example.org", "staff", True)]


@pytest.mark.usefixtures("fast_password_hashing")
def test_users_create_reads_the_password_from_stdin_for_scripts(app, invoke):
    result = invoke(
        "users", "create", "officer@example.org", "--password-stdin", input=f"{PASSWORD}\n"
    )
    assert result.output == "Created staff account officer@example.org.\n"
    login = app.test_client().post(
        "/staff/login", data={"email": "officer@example.org", "password": PASSWORD}
    )
    assert login.status_code == 303


@pytest.mark.usefixtures("fast_password_hashing")
@pytest.mark.parametrize(
    ("args", "typed", "exit_code", "message"),
    [
        (["nobody@example.org", "--password-stdin"], "short\n", 1, "at least 12 characters"),
        (["nobody@example.org", "--password-stdin"], "", 1, "at least 12 characters"),
        (["nobody@example.org", "--password-stdin"], "qwerty123456\n", 1, "common or breached"),
        (["nobody@example.org", "--password-stdin"], "Password2024!\n", 1, "common or breached"),
        (["not-an-email", "--password-stdin"], f"{PASSWORD}\n", 1, "is not an email address"),
        (
            ["x@example.org", "--role", "root"],
            "",
            2,
            "'root' is not one of 'admin', 'editor', 'staff'",
        ),
    ],
)
def test_users_create_refuses_bad_input_and_stores_nothing(
    app, invoke, args, typed, exit_code, message
):
    result = invoke("users", "create", *args, input=typed, exit_code=exit_code)
    assert message in result.output
    assert accounts(app) == []


@pytest.mark.usefixtures("fast_password_hashing")
def test_users_create_refuses_an_email_that_has_an_account(app, invoke):
    invoke("users", "create", "officer@example.org", "--password-stdin", input=f"{PASSWORD}\n")
    result = invoke(
        "users",
        "create",
        "OFFICER@example.org",
        "--password-stdin",
        input=f"{PASSWORD}\n",
        exit_code=1,
    )
    assert "there is already an account for officer@example.org" in result.output
    assert len(accounts(app)) == 1


def test_users_list_without_accounts_says_how_to_make_one(invoke):
    assert "flask users create EMAIL --role admin" in invoke("users", "list").output


@pytest.mark.usefixtures("fast_password_hashing")
def test_users_list_shows_every_account_with_role_and_state(app, invoke):
    invoke("users", "create", "zed@example.org", "--password-stdin", input=f"{PASSWORD}\n")
    invoke(
        "users",
        "create",
        "a@example.org",
        "--role",
        "admin",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "zed@example.org")).active = False
        db.session.commit()
    lines = invoke("users", "list").output.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["a@example.org", "admin", "active"],
        ["zed@example.org", "staff", "deactivated"],
    ]
    assert all(re.search(r"  \d{4}-\d{2}-\d{2}$", line) for line in lines)


# --- flask trainings -----------------------------------------------------------------------


def created_id(output: str) -> int:
    """The id `flask trainings create` printed (PostgreSQL's ids don't restart per test)."""
    match = re.match(r"Created training #(\d+) ", output)
    assert match, output
    return int(match.group(1))


def test_trainings_create_makes_a_draft_and_prints_its_participant_links(app, invoke):
    output = invoke("trainings", "create", *TRAINING, *BOTH).output
    tid = created_id(output)
    assert output.startswith(f"Created training #{tid} as a draft: Regional workshop, Putrajaya\n")
    assert trainings(app) == [(tid, "Regional workshop, Putrajaya", "draft")]
    printed = LINK.findall(output)
    assert [(phase.strip(), qid) for phase, qid, _, _ in printed] == [
        ("pre", "untoc-needs-assessment"),
        ("post", "untoc-post-training"),
    ]
    with app.app_context():
        tokens = db.session.scalars(select(ParticipantLink.token).order_by(ParticipantLink.id))
        assert [token for *_, token in printed] == list(tokens)
    assert f"flask trainings open {tid}" in output
    assert audit(app) == [("training_created", "Regional workshop, Putrajaya", "command line")]


def test_trainings_create_prints_full_links_with_a_base_url(invoke):
    output = invoke(
        "trainings", "create", *TRAINING, "--pre", "untoc-needs-assessment",
        "--base-url", "https://survey.example.org/",
    ).output  # fmt: skip
    [(_, _, url, token)] = LINK.findall(output)
    assert url == f"https://survey.example.org/t/{token}"
    assert "SURVEY_PUBLIC_URL" not in output


def test_trainings_links_use_the_public_url_setting(app, settings, invoke):
    public = settings.model_copy(update={"public_url": "https://survey.example.org"})
    app.config["SURVEY_SETTINGS"] = public
    output = invoke("trainings", "create", *TRAINING, "--post", "untoc-post-training").output
    [(phase, _, url, token)] = LINK.findall(output)
    assert (phase, url) == ("post", f"https://survey.example.org/t/{token}")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--pre", "no-such-questionnaire"], "Invalid value for --pre: there is no questionnaire "
         "'no-such-questionnaire' (known: untoc-follow-up, untoc-needs-assessment, "
         "untoc-post-training)"),
        (["--post", "untoc-post-trainin"], "there is no questionnaire 'untoc-post-trainin'"),
        ([], "give --pre, --post or both"),
        (["--pre", "untoc-needs-assessment", "--ends", "2027-01-14"],
         "Invalid value for --ends: the last day cannot be before the first day"),
        (["--pre", "untoc-needs-assessment", "--starts", "15/01/2027"],
         "'15/01/2027' does not match"),
        (["--pre", "untoc-needs-assessment", "--title", "   "], "Invalid value for --title"),
        (["--pre", "untoc-needs-assessment", "--place", "x" * 201], "Invalid value for --place"),
    ],
)  # fmt: skip
def test_trainings_create_refuses_bad_input_and_stores_nothing(app, invoke, change, message):
    result = invoke("trainings", "create", *TRAINING, *change, exit_code=2)
    assert message in result.output
    assert trainings(app) == []


def test_trainings_list_shows_every_training_newest_first(invoke):
    assert "No trainings yet." in invoke("trainings", "list").output
    first = created_id(invoke("trainings", "create", *TRAINING, *BOTH).output)
    second = created_id(invoke(
        "trainings", "create", "--title", "Online follow-up", "--place", "online",
        "--starts", "2027-03-01", "--ends", "2027-03-01", "--organiser", "UNODC", *BOTH,
    ).output)  # fmt: skip
    assert invoke("trainings", "list").output.splitlines() == [
        f"{f'#{second}':<5} draft   2027-03-01 – 2027-03-01  Online follow-up (online)",
        f"{f'#{first}':<5} draft   2027-01-15 – 2027-01-17  "
        "Regional workshop, Putrajaya (Putrajaya, Malaysia)",
    ]


def test_trainings_open_lets_participants_in_and_close_shuts_them_out(app, invoke):
    created = invoke("trainings", "create", *TRAINING, *BOTH).output
    tid = created_id(created)
    pre_path = LINK.findall(created)[0][2]
    participant = app.test_client()
    assert participant.get(pre_path).status_code == 403

    opened = invoke("trainings", "open", str(tid)).output
    assert opened.startswith(f"Training #{tid} is open: participants can answer at\n")
    assert LINK.findall(opened) == LINK.findall(created)
    assert participant.get(pre_path).status_code == 200

    assert invoke("trainings", "close", str(tid)).output == (
        f"Training #{tid} is closed: its links store nothing more.\n"
    )
    assert participant.get(pre_path).status_code == 403
    assert trainings(app) == [(tid, "Regional workshop, Putrajaya", "closed")]
    assert [row[:2] for row in audit(app)[1:]] == [
        ("training_status", f"#{tid} open"),
        ("training_status", f"#{tid} closed"),
    ]


@pytest.mark.parametrize("command", ["open", "close"])
def test_trainings_open_or_close_an_unknown_id_fails(invoke, command):
    assert "there is no training #7" in invoke("trainings", command, "7", exit_code=1).output


def test_staff_command_groups_are_registered_on_the_app_and_as_entry_points(app):
    assert set(app.cli.commands["users"].commands) >= {"create", "list"}
    assert set(app.cli.commands["trainings"].commands) == {
        "create",
        "list",
        "open",
        "close",
        "minimums",
    }
    plugins = {ep.name: ep.value for ep in entry_points(group="flask.commands")}
    assert plugins["users"] == "survey_app.cli:users"
    assert plugins["trainings"] == "survey_app.cli:trainings"
