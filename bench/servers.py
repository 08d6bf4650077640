"""Throwaway servers for bench/load.py: a PostgreSQL cluster and gunicorn, always cleaned up.

Both are context managers whose exit stops the server and removes its temporary folder,
also on Ctrl-C or SIGTERM (`python -m bench` turns SIGTERM into SystemExit).
"""

from __future__ import annotations

import http.client
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The interpreter's own bin folder: .venv/bin when run as `.venv/bin/python -m bench`.
BIN = Path(sys.executable).parent
PG_USER = "postgres"
START_TIMEOUT = 60.0


class Unavailable(RuntimeError):
    """A server this benchmark needs cannot run on this machine; the message says why."""


def app_environment(database_url: str, instance_dir: Path) -> dict[str, str]:
    """The environment for the app's CLI and gunicorn: this database, a fresh secret key."""
    env = dict(os.environ)
    env.update(
        SURVEY_DATABASE_URL=database_url,
        SURVEY_INSTANCE_DIR=str(instance_dir),
        SURVEY_SECRET_KEY=secrets.token_urlsafe(32),
        # Every simulated participant posts from 127.0.0.1, hundreds within seconds: exactly
        # what the submission limits stop. The benchmark measures storage, so they are off
        # (tests/views/test_submission_limits.py covers them).
        SURVEY_SUBMISSION_LIMIT_PER_ADDRESS="0",
        SURVEY_SUBMISSION_LIMIT_PER_FORM="0",
    )
    return env


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `flask --app wsgi ARGS` with this environment; its output, or raise with it."""
    done = subprocess.run(  # noqa: S603  # our own venv's flask, fixed arguments
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# --- PostgreSQL --------------------------------------------------------------------------


def postgres_bin() -> Path:
    """The folder with initdb/pg_ctl/postgres, newest version first; Unavailable if none."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise Unavailable("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")


def as_postgres_user() -> list[str]:
    """The command prefix that runs a program as the cluster's owner.

    Why: initdb and postgres refuse to run as root; as root we switch to the `postgres`
    OS user, otherwise the cluster simply belongs to whoever runs the benchmark.
    """
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        raise Unavailable(f"running as root and there is no '{PG_USER}' OS user") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Unavailable("running as root and `runuser` is not installed")
    return [runuser, "-u", PG_USER, "--"]


@dataclass
class PostgresCluster:
    """A private cluster listening only on a unix socket in its own temporary folder."""

    bin: Path
    root: Path
    prefix: list[str]

    @property
    def data(self) -> Path:
        """The data directory."""
        return self.root / "data"

    def run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run one of the server's tools as the cluster's owner."""
        done = subprocess.run(  # noqa: S603  # server tools by absolute path, fixed arguments
            [*self.prefix, str(self.bin / tool), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and done.returncode:
            raise RuntimeError(f"{tool} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done

    def init(self) -> None:
        """initdb with trust auth; no TCP, the socket in our folder."""
        self.run(
            "initdb",
            "--auth=trust",
            "--username",
            PG_USER,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "-D",
            str(self.data),
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nlisten_addresses = ''\nunix_socket_directories = '{self.root}'\n")

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        log = str(self.root / "postgres.log")
        self.run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast", check: bool = True) -> None:
        """Stop; `fast` rolls back open transactions and disconnects every client."""
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=check)

    def running(self) -> bool:
        """True while the postmaster runs."""
        return self.run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def create_database(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL (psycopg 3 over the unix socket)."""
        self.run("createdb", "-h", str(self.root), "-U", PG_USER, name)
        return f"postgresql+psycopg://{PG_USER}@/{name}?host={self.root}"


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A started throwaway cluster; stopped (immediate) and deleted on exit."""
    bin_dir = postgres_bin()
    prefix = as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="survey-pg-"))
    try:
        if prefix:
            entry = pwd.getpwnam(PG_USER)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        cluster = PostgresCluster(bin_dir, root, prefix)
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if (root / "data" / "postmaster.pid").exists():
            PostgresCluster(bin_dir, root, prefix).stop("immediate", check=False)
        shutil.rmtree(root, ignore_errors=True)


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces: fields start after the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


@dataclass
class Gunicorn:
    """A running gunicorn master on loopback."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def worker_pids(self) -> list[int]:
        """The master's worker processes right now."""
        return children(self.process.pid)

    def get_status(self, path: str, timeout: float = 5.0) -> int | None:
        """The status of one GET, None when nothing answered."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        except OSError:
            return None
        finally:
            conn.close()


@contextmanager
def gunicorn(
    env: dict[str, str], workdir: Path, args: Sequence[str] = (), workers: int | None = None
) -> Iterator[Gunicorn]:
    """gunicorn -c gunicorn.conf.py wsgi:app on a free loopback port, in its own process
    group; on exit the whole group gets SIGTERM, then SIGKILL if it lingers."""
    port = free_port()
    env = {**env, "SURVEY_BIND": f"127.0.0.1:{port}"}
    if workers is not None:
        env["SURVEY_WORKERS"] = str(workers)
    log = workdir / f"gunicorn-{port}.log"
    command = [
        str(BIN / "gunicorn"),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        # Our own control socket: the default one in $HOME is shared with any other gunicorn.
        "--control-socket",
        str(workdir / f"gunicorn-{port}.ctl"),
        *args,
        "wsgi:app",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603  # our own venv's gunicorn
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Gunicorn(process, port, log)
    try:
        _wait_until_ready(server, workers)
        yield server
    finally:
        _stop_group(process)


def _wait_until_ready(server: Gunicorn, workers: int | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {server.log}\n{server.log.read_text()}")
        pids = server.worker_pids()
        booted = len(pids) >= workers if workers is not None else bool(pids)
        if booted and server.get_status("/livez", timeout=2.0) == 200:
            # With the config's worker count unknown here, wait until it stops growing.
            time.sleep(0.5)
            if workers is not None or len(server.worker_pids()) == len(pids):
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /livez within {START_TIMEOUT:.0f} s")


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    # SIGTERM lets the master stop its workers gracefully; the SIGKILL that follows only
    # finds anything when that failed (or a worker outlived its master).
    for sig, wait in ((signal.SIGTERM, 35.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


@dataclass(frozen=True)
class AppServer:
    """gunicorn serving the app on its own fresh database."""

    server: Gunicorn
    database_url: str
    env: dict[str, str]
    workers: int
    worker_class: str


@contextmanager
def app_server(
    database_url: str,
    workdir: Path,
    name: str,
    gunicorn_args: Sequence[str] = (),
    workers: int | None = None,
    demo_responses: int = 0,
) -> Iterator[AppServer]:
    """Tables created with `flask survey init-db` (plus demo responses), then gunicorn."""
    instance = workdir / f"{name}-instance"
    instance.mkdir()
    env = app_environment(database_url, instance)
    flask(env, "survey", "init-db")
    if demo_responses:
        flask(env, "survey", "demo", "--responses", str(demo_responses), "--seed", "1")
    with gunicorn(env, workdir, gunicorn_args, workers) as server:
        log = server.log.read_text()
        used = log.split("Using worker: ", 1)[1].split()[0] if "Using worker: " in log else "?"
        yield AppServer(server, database_url, env, len(server.worker_pids()), used)


def logged_exceptions(log: str) -> dict[str, int]:
    """The last line ("Class: message") of every traceback in a server log, counted."""
    found: dict[str, int] = {}
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last):"):
            last = next((x for x in lines[i + 1 :] if x and not x[0].isspace()), None)
            if last is not None:
                found[last[:300]] = found.get(last[:300], 0) + 1
    return dict(sorted(found.items(), key=lambda item: -item[1]))


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder removed on exit, whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
