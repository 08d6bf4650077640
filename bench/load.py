"""Load and fault benchmark through gunicorn on loopback: `python -m bench load`.

Every scenario starts `gunicorn -c gunicorn.conf.py wsgi:app` on a fresh database (made with
`flask survey init-db`) and warms each worker up. Then N simulated participants open the
questionnaire (GET; CSRF is on, so each keeps its session cookie and posts back the form's
hidden csrf_token and submission_token) and submit it, C at a time. Only a 303 to the
thanks page counts as acknowledged; afterwards the database is read directly to check
that every acknowledged token is stored, once, with every answer of a complete response.

burst   the submissions alone, against GET /livez (no database) at the same concurrency.
kill    SIGKILL one worker at 25/50/75 % of the submissions (--kills); clients whose
        connection died retry once with the same token, as the browser's draft does.
report  10,000 demo responses; a staff member logs in and downloads the sample report's PDF
        at 20 % of the submissions; participant latency with and without it.
outage  PostgreSQL only: `pg_ctl stop -m fast` at 25 %, start again --outage-seconds later;
        /healthz is polled throughout; participants press Submit again every second.
"""

from __future__ import annotations

import http.client
import math
import os
import platform
import random
import secrets
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select

from survey_app.models import Answer, Response
from survey_app.questionnaire import load_registry
from tests.conftest import NEEDS, needs_assessment_answers

from .servers import (
    ROOT,
    AppServer,
    Gunicorn,
    PostgresCluster,
    Unavailable,
    app_server,
    flask,
    logged_exceptions,
    postgres_cluster,
    temporary_folder,
)

SCENARIOS = ("burst", "kill", "report", "outage")
BACKENDS = ("sqlite", "postgresql")
FORM_PATH = f"/q/{NEEDS}"
REPORT_PATH = "/reports/untoc-needs-assessment-report.pdf"
LOGIN_PATH = "/staff/login"
STAFF_EMAIL = "bench@example.org"
#: Where in the burst (share of submissions finished) each scenario acts.
KILL_POINTS = (0.25, 0.5, 0.75)
REPORT_AT = 0.2
OUTAGE_AT = 0.25
#: The participant target: a phone user notices a page that takes longer than a second.
P95_TARGET_SECONDS = 1.0

T = TypeVar("T")
R = TypeVar("R")


# --- one simulated browser ---------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What came back for one request."""

    status: int
    location: str
    body: bytes


class Browser:
    """A cookie jar, and a fresh loopback connection per request (as from a proxy)."""

    def __init__(self, port: int, timeout: float = 300.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None) -> Reply:
        """Send one request; raises OSError or HTTPException when the connection fails."""
        headers = {"User-Agent": "survey-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Reply(response.status, response.getheader("Location", ""), data)
        finally:
            conn.close()


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    """Name -> value of every hidden input on the page (what a browser posts back)."""
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values


def participant_body(hidden: Mapping[str, str]) -> bytes:
    """The form's hidden inputs plus the sample answers, under the form's submission token."""
    answers = needs_assessment_answers(submission_token=hidden["submission_token"])
    return urlencode({**hidden, **answers}, doseq=True).encode()


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), interpolated between closest ranks; nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_figures(latencies: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max in seconds."""
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=math.nan),
    }


# --- requests, participants and bursts ---------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One request: start (seconds on its burst's clock), duration, what came back."""

    started: float
    seconds: float
    status: int | None  # None: the connection failed
    acknowledged: bool = False
    error: str = ""

    def overlaps(self, window: tuple[float, float]) -> bool:
        """True when the request was in flight at some moment of `window`."""
        return self.started + self.seconds > window[0] and self.started < window[1]


def timed(
    browser: Browser, method: str, path: str, t0: float, body: bytes | None = None
) -> tuple[Attempt, Reply | None]:
    """One request as an Attempt; a failed connection is recorded, not raised."""
    start = time.perf_counter()
    try:
        reply = browser.request(method, path, body)
    except (OSError, http.client.HTTPException) as exc:
        return Attempt(
            start - t0, time.perf_counter() - start, None, error=type(exc).__name__
        ), None
    ok = reply.status == 303 and "/thanks" in reply.location
    return Attempt(start - t0, time.perf_counter() - start, reply.status, ok), reply


def in_parallel(function: Callable[[T], R], items: Iterable[T], concurrency: int) -> list[R]:
    """map() on `concurrency` threads; on Ctrl-C the requests not yet sent are dropped."""
    pool = ThreadPoolExecutor(concurrency)
    try:
        return list(pool.map(function, items))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Phase:
    """Many requests of one kind, C at a time, and the wall time they took together."""

    attempts: list[Attempt]
    seconds: float

    def latencies(self, window: tuple[float, float] | None = None) -> list[float]:
        """Requests that got an HTTP answer (with `window`: only those overlapping it)."""
        return [
            a.seconds
            for a in self.attempts
            if a.status is not None and (window is None or a.overlaps(window))
        ]

    def row(self, name: str, base_rate: float | None = None) -> dict[str, Any]:
        """A table line: counts, rate, latencies, rate relative to `base_rate`."""
        ok = sum(a.status in (200, 303) for a in self.attempts)
        rate = ok / self.seconds
        return {
            "request": name,
            "requests": len(self.attempts),
            "ok": ok,
            "errors": len(self.attempts) - ok,
            "seconds": self.seconds,
            "per_second": rate,
            **latency_figures(self.latencies()),
            "vs_livez": rate / base_rate if base_rate else 1.0,
        }


def get_many(port: int, path: str, count: int, concurrency: int) -> Phase:
    """`count` GETs of `path`, each from a new browser, `concurrency` at a time."""
    t0 = time.perf_counter()
    attempts = in_parallel(
        lambda _: timed(Browser(port), "GET", path, t0)[0], range(count), concurrency
    )
    return Phase(attempts, time.perf_counter() - t0)


@dataclass
class Participant:
    """A browser with the questionnaire open and its answers ready to send."""

    browser: Browser
    token: str
    body: bytes
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        """One of the attempts was redirected to the thanks page."""
        return any(a.acknowledged for a in self.attempts)


def open_forms(port: int, count: int, concurrency: int) -> tuple[list[Participant], Phase]:
    """`count` participants open the questionnaire; raises if a form does not come."""
    t0 = time.perf_counter()

    def one(_: int) -> tuple[Participant, Attempt]:
        browser = Browser(port)
        attempt, reply = timed(browser, "GET", FORM_PATH, t0)
        if reply is None or reply.status != 200:
            raise RuntimeError(f"GET {FORM_PATH}: {attempt.status or attempt.error}")
        hidden = hidden_inputs(reply.body.decode())
        return Participant(browser, hidden["submission_token"], participant_body(hidden)), attempt

    pairs = in_parallel(one, range(count), concurrency)
    return [p for p, _ in pairs], Phase([a for _, a in pairs], time.perf_counter() - t0)


@dataclass(frozen=True)
class Event:
    """Something done to the server once `at` (0..1) of the submissions have finished."""

    name: str
    at: float
    action: Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class RetryPolicy:
    """When a participant sends the same submission again, and how often."""

    retries: int = 0
    delay: float = 1.0
    statuses: frozenset[int] = frozenset()

    def wants(self, attempt: Attempt) -> bool:
        """Retry after a dropped connection, or after one of `statuses`."""
        return attempt.status is None or attempt.status in self.statuses


@dataclass
class Burst:
    """The participants after their submissions, and what each event reported."""

    participants: list[Participant]
    phase: Phase
    events: dict[str, dict[str, Any]]

    @property
    def acknowledged(self) -> int:
        """Participants who reached the thanks page."""
        return sum(p.acknowledged for p in self.participants)


def submit_all(
    participants: list[Participant],
    concurrency: int,
    events: Sequence[Event] = (),
    retry: RetryPolicy = RetryPolicy(),  # frozen, so one shared default is safe
    t0: float | None = None,
) -> Burst:
    """Every participant POSTs, `concurrency` at a time; events fire in threads of their
    own once their share of submissions has finished. Times count from `t0` (default now)."""
    finished = 0
    over = False
    progress = threading.Condition()
    outcomes: dict[str, dict[str, Any]] = {}
    start = time.perf_counter()
    clock = start if t0 is None else t0

    def submit(p: Participant) -> None:
        nonlocal finished
        for n in range(retry.retries + 1):
            if n:
                time.sleep(retry.delay)
            attempt = timed(p.browser, "POST", FORM_PATH, clock, p.body)[0]
            p.attempts.append(attempt)
            if attempt.acknowledged or not retry.wants(attempt):
                break
        with progress:
            finished += 1
            progress.notify_all()

    def fire(event: Event) -> None:
        with progress:
            progress.wait_for(lambda: over or finished >= event.at * len(participants))
        began = time.perf_counter() - clock
        try:
            result = event.action()
        except Exception as exc:  # recorded and printed: the burst's own figures still count
            result = {"error": f"{type(exc).__name__}: {exc}"}
        outcomes[event.name] = {"start": began, "end": time.perf_counter() - clock, **result}

    threads = [threading.Thread(target=fire, args=(e,), daemon=True) for e in events]
    for thread in threads:
        thread.start()
    in_parallel(submit, participants, concurrency)
    seconds = time.perf_counter() - start
    with progress:
        over = True
        progress.notify_all()
    for thread in threads:
        thread.join()
    phase = Phase([a for p in participants for a in p.attempts], seconds)
    return Burst(participants, phase, outcomes)


def warm_up(server: Gunicorn, workers: int) -> str:
    """A few submissions per worker, so templates and form classes exist before timing;
    returns the token of one, whose stored answers are what a complete response holds."""
    participants, _ = open_forms(server.port, 3 * workers, workers)
    if submit_all(participants, workers).acknowledged != len(participants):
        raise RuntimeError("warm-up submissions were not acknowledged")
    get_many(server.port, "/livez", 3 * workers, workers)
    return participants[0].token


# --- what the database holds -------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """One burst's submissions as the database holds them."""

    acknowledged: int
    stored: int
    duplicates: int
    #: Acknowledged but not stored: lost submissions.
    lost: int
    #: Stored although the client never saw the thanks page (died after the commit).
    unacknowledged: int
    #: Stored without every answer row a complete response has.
    partial: int


def required_questions() -> frozenset[str]:
    """Questions of the sample questionnaire every response answers (no show_if)."""
    loaded = load_registry([ROOT / "questionnaires"]).questionnaire(NEEDS)
    assert loaded is not None
    return frozenset(q.id for q in loaded.model.questions() if q.required and q.show_if is None)


def answer_counts(database_url: str, tokens: Sequence[str]) -> dict[str, Counter[str]]:
    """Token -> answer rows per question, for the stored responses among `tokens`
    (a token stored twice would appear as one key: see duplicates in check_stored)."""
    engine = create_engine(database_url)
    found: dict[str, Counter[str]] = {}
    try:
        with engine.connect() as conn:
            for i in range(0, len(tokens), 500):
                query = (
                    select(Response.submission_token, Answer.question_id, func.count())
                    .join(Answer, Answer.response_id == Response.id)
                    .where(Response.submission_token.in_(tokens[i : i + 500]))
                    .group_by(Response.id, Response.submission_token, Answer.question_id)
                )
                for token, question_id, n in conn.execute(query):
                    found.setdefault(token, Counter())[question_id] += n
            rows = select(Response.submission_token, func.count()).group_by(
                Response.submission_token
            )
            twice = [t for t, n in conn.execute(rows.having(func.count() > 1)) if t in found]
    finally:
        engine.dispose()
    for token in twice:
        found[token]["__duplicate__"] = 1
    return found


def check_stored(database_url: str, participants: list[Participant], reference: str) -> Stored:
    """Compare the database with what the participants were told."""
    counts = answer_counts(database_url, [reference, *(p.token for p in participants)])
    expected = counts.pop(reference)
    if not required_questions() <= set(expected):
        raise RuntimeError(f"the reference response lacks required answers: {dict(expected)}")
    acknowledged = {p.token for p in participants if p.acknowledged}
    return Stored(
        acknowledged=len(acknowledged),
        stored=len(counts),
        duplicates=sum("__duplicate__" in c for c in counts.values()),
        lost=len(acknowledged - set(counts)),
        unacknowledged=len(set(counts) - acknowledged),
        partial=sum(c != expected for c in counts.values() if "__duplicate__" not in c),
    )


# --- the scenarios -----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The command line's load options."""

    participants: int = 500
    concurrency: int = 50
    scenarios: tuple[str, ...] = SCENARIOS
    backends: tuple[str, ...] = BACKENDS
    workers: int | None = None
    gunicorn_args: tuple[str, ...] = ()
    demo_responses: int = 10_000
    kills: int = 3
    outage_seconds: float = 5.0
    outage_retries: int = 20


def run_burst(app: AppServer, options: Options) -> dict[str, Any]:
    """Scenario 1: /livez, then the forms, then every submission."""
    reference = warm_up(app.server, app.workers)
    n, c = options.participants, options.concurrency
    livez = get_many(app.server.port, "/livez", n, c).row("GET /livez")
    participants, forms = open_forms(app.server.port, n, c)
    burst = submit_all(participants, c)
    return {
        "rows": [
            livez,
            forms.row(f"GET {FORM_PATH}", livez["per_second"]),
            burst.phase.row(f"POST {FORM_PATH}", livez["per_second"]),
        ],
        "error_rate": 1 - burst.acknowledged / n,
        "stored": asdict(check_stored(app.database_url, participants, reference)),
    }


def kill_one_worker(server: Gunicorn) -> dict[str, Any]:
    """SIGKILL one of the master's workers, picked at random."""
    pid = random.choice(server.worker_pids())  # noqa: S311  # not security: which worker dies
    os.kill(pid, signal.SIGKILL)
    return {"pid": pid}


def run_kill(app: AppServer, options: Options) -> dict[str, Any]:
    """Scenario 2: SIGKILL a worker at points of the burst; a dropped POST is retried once."""
    reference = warm_up(app.server, app.workers)
    participants, _ = open_forms(app.server.port, options.participants, options.concurrency)
    events = [
        Event(f"kill {i + 1}", at, lambda: kill_one_worker(app.server))
        for i, at in enumerate(KILL_POINTS[: options.kills])
    ]
    burst = submit_all(participants, options.concurrency, events, RetryPolicy(retries=1))
    first = [p.attempts[0] for p in participants]
    retried = [p for p in participants if len(p.attempts) > 1]
    return {
        "killed": sum("pid" in e for e in burst.events.values()),
        "dropped": sum(a.status is None for a in first),
        "other_status": sum(a.status is not None and not a.acknowledged for a in first),
        "retried": len(retried),
        "retry_acknowledged": sum(p.attempts[-1].acknowledged for p in retried),
        "never_acknowledged": options.participants - burst.acknowledged,
        "workers_after": len(app.server.worker_pids()),
        **latency_figures(burst.phase.latencies()),
        "stored": asdict(check_stored(app.database_url, participants, reference)),
    }


def log_in(port: int, password: str) -> Browser:
    """A staff browser logged in through the login form (CSRF on)."""
    browser = Browser(port)
    page = browser.request("GET", LOGIN_PATH)
    fields = {**hidden_inputs(page.body.decode()), "email": STAFF_EMAIL, "password": password}
    reply = browser.request("POST", LOGIN_PATH, urlencode(fields).encode())
    if reply.status != 303:
        raise RuntimeError(f"staff login answered {reply.status}")
    return browser


def download_report(browser: Browser) -> dict[str, Any]:
    """GET the sample report's PDF: time, status, whether a PDF came, its size."""
    start = time.perf_counter()
    reply = browser.request("GET", REPORT_PATH)
    seconds = time.perf_counter() - start
    ok = reply.status == 200 and reply.body.startswith(b"%PDF")
    return {"seconds": seconds, "status": reply.status, "ok": ok, "kib": len(reply.body) / 1024}


def run_report(app: AppServer, options: Options) -> dict[str, Any]:
    """Scenario 3: the burst twice, the second with the report downloaded in its middle."""
    password = secrets.token_urlsafe(16)
    flask(app.env, "users", "create", STAFF_EMAIL, "--password-stdin", stdin=password + "\n")
    staff = log_in(app.server.port, password)
    reference = warm_up(app.server, app.workers)
    # Twice: the first PDF a worker renders also pays for importing WeasyPrint and loading fonts.
    alone = [download_report(staff), download_report(staff)]
    n, c = options.participants, options.concurrency
    runs = []
    for events in ([], [Event("report", REPORT_AT, lambda: download_report(staff))]):
        participants, _ = open_forms(app.server.port, n, c)
        burst = submit_all(participants, c, events)
        stored = asdict(check_stored(app.database_url, participants, reference))
        common = {"never_acknowledged": n - burst.acknowledged, "stored": stored}
        lat = burst.phase.latencies()
        name = "with PDF" if events else "without PDF"
        runs.append({"burst": name, "posts": len(lat), **latency_figures(lat), **common})
        if events:
            pdf = burst.events["report"]
            lat = burst.phase.latencies((pdf["start"], pdf["end"]))
            runs.append(
                {
                    "burst": "  POSTs during the PDF",
                    "posts": len(lat),
                    **latency_figures(lat),
                    **common,
                }
            )
            runs[-1]["pdf"] = pdf
        runs[-1]["burst_seconds"] = burst.phase.seconds
    return {"pdf_alone": alone, "runs": runs}


def poll_health(server: Gunicorn, stop: threading.Event, t0: float, into: list[Any]) -> None:
    """Append (seconds since t0, status of GET /healthz) every 0.1 s until `stop` is set."""
    while not stop.is_set():
        into.append((time.perf_counter() - t0, server.get_status("/healthz", timeout=10)))
        stop.wait(0.1)


def run_outage(app: AppServer, options: Options, cluster: PostgresCluster) -> dict[str, Any]:
    """Scenario 4: stop PostgreSQL in the middle of the burst, start it again."""
    reference = warm_up(app.server, app.workers)
    workers_before = set(app.server.worker_pids())
    participants, _ = open_forms(app.server.port, options.participants, options.concurrency)
    t0 = time.perf_counter()

    def outage() -> dict[str, Any]:
        cluster.stop("fast")
        down = time.perf_counter() - t0
        time.sleep(options.outage_seconds)
        restart = time.perf_counter() - t0
        cluster.start()
        return {"down": down, "restart": restart, "up": time.perf_counter() - t0}

    health: list[tuple[float, int | None]] = []
    stop = threading.Event()
    poller = threading.Thread(target=poll_health, args=(app.server, stop, t0, health))
    poller.start()
    retry = RetryPolicy(options.outage_retries, 1.0, frozenset({500, 502, 503, 504}))
    try:
        burst = submit_all(
            participants, options.concurrency, [Event("outage", OUTAGE_AT, outage)], retry, t0
        )
        deadline = time.perf_counter() + 30
        up = burst.events["outage"].get("up", math.inf)
        while time.perf_counter() < deadline and not any(t > up and s == 200 for t, s in health):
            time.sleep(0.2)
    finally:
        stop.set()
        poller.join()
    event = burst.events["outage"]
    if "error" in event:
        raise RuntimeError(f"the outage did not happen as planned: {event['error']}")
    down, restart, up = event["down"], event["restart"], event["up"]
    statuses = Counter(
        "dropped" if a.status is None else str(a.status) for a in burst.phase.attempts
    )
    return {
        "down_seconds": up - down,
        # Polls started after the stop returned and before the start began.
        "health_while_down": dict(Counter(str(s) for t, s in health if down <= t < restart)),
        "health_back_after": next((t - up for t, s in health if t > up and s == 200), math.nan),
        "post_statuses": dict(statuses),
        "retried": sum(len(p.attempts) > 1 for p in participants),
        "never_acknowledged": options.participants - burst.acknowledged,
        "workers_unchanged": set(app.server.worker_pids()) == workers_before,
        "stored": asdict(check_stored(app.database_url, participants, reference)),
    }


def run(options: Options) -> dict[str, Any]:
    """Every chosen scenario on every chosen backend: scenario -> backend -> figures."""
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_at_start": os.getloadavg(),
            "python": platform.python_version(),
        }
    }
    with temporary_folder("survey-load-") as workdir, ExitStack() as stack:
        cluster = None
        if "postgresql" in options.backends:
            try:
                cluster = stack.enter_context(postgres_cluster())
            except Unavailable as exc:
                print(f"PostgreSQL scenarios SKIPPED: {exc}.", flush=True)
                results["skipped"] = f"postgresql: {exc}"
        for scenario in options.scenarios:
            for backend in options.backends:
                if (backend == "postgresql" and cluster is None) or (
                    scenario == "outage" and backend != "postgresql"
                ):
                    continue
                figures = run_one(scenario, backend, options, workdir, cluster)
                results.setdefault(scenario, {})[backend] = figures
    results["machine"]["load_at_end"] = os.getloadavg()
    return results


def run_one(
    scenario: str, backend: str, options: Options, workdir: Path, cluster: PostgresCluster | None
) -> dict[str, Any]:
    """One scenario on one backend, with its own gunicorn and database."""
    name = f"{scenario}_{backend}"
    if backend == "postgresql":
        assert cluster is not None
        url = cluster.create_database(name)
    else:
        url = f"sqlite:///{workdir / f'{name}.db'}"
    demo = options.demo_responses if scenario == "report" else 0
    print(f"running {scenario} on {backend} ...", flush=True)
    with app_server(url, workdir, name, options.gunicorn_args, options.workers, demo) as app:
        if scenario == "outage":
            assert cluster is not None
            figures = run_outage(app, options, cluster)
        else:
            figures = {"burst": run_burst, "kill": run_kill, "report": run_report}[scenario](
                app, options
            )
        figures["server"] = {
            "workers": app.workers,
            "worker_class": app.worker_class,
            "exceptions": logged_exceptions(app.server.log.read_text()),
        }
    return figures


# --- tables ------------------------------------------------------------------------------

Column = tuple[str, Callable[[Mapping[str, Any]], object]]


def ms(seconds: float) -> str:
    """Seconds as whole milliseconds, '-' for nan."""
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.0f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1) -> str:
    """Plain columns: the first `left` left-aligned, the rest right-aligned."""
    cells = [list(headers), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in cells
    )


def columns(spec: Sequence[Column], rows: Iterable[Mapping[str, Any]], left: int = 1) -> str:
    """A table of `rows`, one column per (header, getter)."""
    return table([h for h, _ in spec], [[get(r) for _, get in spec] for r in rows], left)


def each(figures: Mapping[str, Any], key: str | None = None) -> list[dict[str, Any]]:
    """Backend-tagged rows: the figures themselves, or each item of figures[key]."""
    return [{"backend": b, **row} for b, f in figures.items() for row in (f[key] if key else [f])]


def pick(*keys: str, fmt: Callable[[Any], object] = str) -> Callable[[Mapping[str, Any]], object]:
    """A getter of row[keys[0]][keys[1]]..., formatted with `fmt`."""

    def get(row: Mapping[str, Any]) -> object:
        value: Any = row
        for key in keys:
            value = value[key]
        return fmt(value)

    return get


BACKEND: Column = ("backend", pick("backend"))
LATENCY: list[Column] = [(f"{p} ms", pick(p, fmt=ms)) for p in ("p50", "p95", "p99", "max")]
STORED: list[Column] = [
    (header, pick("stored", key))
    for header, key in (
        ("acked", "acknowledged"),
        ("stored", "stored"),
        ("dup", "duplicates"),
        ("LOST", "lost"),
        ("stored unacked", "unacknowledged"),
        ("PARTIAL", "partial"),
    )
]


def _servers(figures: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{b} {f['server']['workers']} {f['server']['worker_class']} workers"
        for b, f in figures.items()
    )


def burst_tables(figures: Mapping[str, Any], o: Options) -> str:
    """Scenario 1."""
    requests = columns(
        [
            BACKEND,
            ("request", lambda r: r["request"]),
            ("n", lambda r: r["requests"]),
            ("ok", lambda r: r["ok"]),
            ("err", lambda r: r["errors"]),
            ("s", lambda r: f"{r['seconds']:.2f}"),
            ("req/s", lambda r: f"{r['per_second']:.1f}"),
            *LATENCY,
            ("vs livez", lambda r: f"{r['vs_livez']:.3f}"),
        ],
        each(figures, "rows"),
        left=2,
    )
    checks = columns(
        [BACKEND, *STORED, ("error rate", lambda r: f"{r['error_rate']:.2%}")], each(figures)
    )
    head = f"BURST: {o.participants} participants, {o.concurrency} in flight ({_servers(figures)})"
    return f"{head}\n{requests}\n\n{checks}"


def kill_tables(figures: Mapping[str, Any], o: Options) -> str:
    """Scenario 2."""
    points = ", ".join(f"{p:.0%}" for p in KILL_POINTS[: o.kills])
    head = (
        f"KILL: SIGKILL one worker at {points} of {o.participants} submissions,"
        f" {o.concurrency} in flight; a dropped POST is retried once with the same token"
        f" ({_servers(figures)})"
    )
    keys = ("killed", "dropped", "other_status", "retried", "retry_acknowledged")
    spec: list[Column] = [BACKEND, *((k.replace("_", " "), pick(k)) for k in keys)]
    spec += [
        ("never acked", lambda r: r["never_acknowledged"]),
        ("workers after", lambda r: r["workers_after"]),
        *LATENCY,
    ]
    return f"{head}\n{columns(spec, each(figures))}\n\n{columns([BACKEND, *STORED], each(figures))}"


def report_tables(figures: Mapping[str, Any], o: Options) -> str:
    """Scenario 3."""
    head = (
        f"REPORT: {o.demo_responses:,} demo responses; {o.participants} participants,"
        f" {o.concurrency} in flight; the PDF is downloaded at {REPORT_AT:.0%} of the second"
        f" burst ({_servers(figures)}). Target: POST p95 under {P95_TARGET_SECONDS:g} s."
    )
    latency = columns(
        [
            BACKEND,
            ("burst", lambda r: r["burst"]),
            ("posts", lambda r: r["posts"]),
            *LATENCY,
            ("never acked", lambda r: r["never_acknowledged"]),
            ("LOST", lambda r: r["stored"]["lost"]),
            ("PARTIAL", lambda r: r["stored"]["partial"]),
            ("target", lambda r: "met" if r["p95"] < P95_TARGET_SECONDS else "MISSED"),
        ],
        each(figures, "runs"),
        left=2,
    )

    def pdf_during(f: Mapping[str, Any]) -> str:
        pdf = f["runs"][-1]["pdf"]
        return pdf.get("error") or f"{pdf['seconds']:.2f} s (HTTP {pdf['status']})"

    pdf = columns(
        [
            BACKEND,
            (
                "PDF alone (1st / 2nd)",
                lambda f: " / ".join(f"{r['seconds']:.2f} s" for r in f["pdf_alone"]),
            ),
            ("PDF during the burst", pdf_during),
            ("KiB", lambda f: f"{f['pdf_alone'][0]['kib']:.0f}"),
            (
                "burst without / with PDF",
                lambda f: " / ".join(
                    f"{r['burst_seconds']:.2f} s" for r in f["runs"] if "burst_seconds" in r
                ),
            ),
        ],
        each(figures),
    )
    return f"{head}\n{latency}\n\n{pdf}"


def _status_count(status: str) -> Callable[[Mapping[str, Any]], object]:
    return lambda r: r["post_statuses"].get(status, 0)


def outage_tables(figures: Mapping[str, Any], o: Options) -> str:
    """Scenario 4."""
    head = (
        f"OUTAGE: pg_ctl stop -m fast at {OUTAGE_AT:.0%} of {o.participants} submissions,"
        f" start {o.outage_seconds:g} s later; after a 5xx or a dropped connection a participant"
        f" retries every second, up to {o.outage_retries} times ({_servers(figures)})"
    )
    health = columns(
        [
            BACKEND,
            ("down s", lambda r: f"{r['down_seconds']:.1f}"),
            (
                "/healthz while down",
                lambda r: ", ".join(f"{k}: {v}" for k, v in sorted(r["health_while_down"].items())),
            ),
            ("/healthz 200 after start", lambda r: f"{r['health_back_after']:.2f} s"),
            ("workers unchanged", lambda r: "yes" if r["workers_unchanged"] else "NO"),
        ],
        each(figures),
    )
    seen = sorted({k for f in figures.values() for k in f["post_statuses"]})
    posts = columns(
        [
            BACKEND,
            *((f"POST {k}", _status_count(k)) for k in seen),
            ("retried", lambda r: r["retried"]),
            ("never acked", lambda r: r["never_acknowledged"]),
        ],
        each(figures),
    )
    return f"{head}\n{health}\n\n{posts}\n\n{columns([BACKEND, *STORED], each(figures))}"


TABLES: dict[str, Callable[[Mapping[str, Any], Options], str]] = {
    "burst": burst_tables,
    "kill": kill_tables,
    "report": report_tables,
    "outage": outage_tables,
}


def tables(results: Mapping[str, Any], options: Options) -> str:
    """Every scenario's tables, each followed by the exceptions its servers logged."""
    out = []
    for name in options.scenarios:
        if not results.get(name):
            continue
        text = TABLES[name](results[name], options)
        for backend, figures in results[name].items():
            for line, n in figures["server"]["exceptions"].items():
                text += f"\n{backend} server log: {n} x {line}"
        out.append(text)
    if "skipped" in results:
        out.append(f"SKIPPED: {results['skipped']}")
    m = results["machine"]
    out.append(
        "Latencies: POSTs that got an HTTP answer, timed by the client (a new connection each)."
        f" Client and servers share {m['cpus']} CPUs; 1-minute load average"
        f" {m['load_at_start'][0]:.1f} at the start, {m['load_at_end'][0]:.1f} at the end."
    )
    return "\n\n".join(out)


def problems(results: Mapping[str, Any]) -> list[str]:
    """Lost, partial or duplicated submissions anywhere: the run fails on these."""
    found = []
    for scenario in SCENARIOS:
        for backend, figures in results.get(scenario, {}).items():
            for row in figures.get("runs", [figures]):
                for key in ("lost", "partial", "duplicates"):
                    if row["stored"][key]:
                        found.append(f"{scenario}/{backend}: {row['stored'][key]} {key}")
    return sorted(set(found))
