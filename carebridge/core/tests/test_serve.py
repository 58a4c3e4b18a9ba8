"""`carebridge serve`: the web server and the task worker start together and stop together."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

DEMO_LOGINS = {
    "organization": "demo",
    "users": [{"username": "maria", "password": "demo-pass-1", "role": "coordinator"}],
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "django", *args]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def server_env(home: Path) -> dict[str, str]:
    """A migrated SQLite home, whatever database the suite itself runs on."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        CAREBRIDGE_HOME=str(home),
        DJANGO_SETTINGS_MODULE="carebridge.settings",
        HOST="127.0.0.1",
        WEB_CONCURRENCY="1",
    )
    subprocess.run(command("migrate", "-v0"), env=env, check=True)
    return env


@pytest.fixture
def port(server_env) -> str:
    server_env["PORT"] = str(free_port())
    return server_env["PORT"]


def processes_using(home: Path) -> list[int]:
    """Every process started for this home: serve, the web server and its workers, the task
    worker."""
    marker = f"CAREBRIDGE_HOME={home}".encode() + b"\0"
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes():
                pids.append(int(environ.parent.name))
        except OSError:
            continue
    return pids


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url) as response:
        return response.status, response.read()


def start_serving(env: dict[str, str]) -> tuple[subprocess.Popen, list[str]]:
    """`carebridge serve`, once it says it is running, and what it said until then."""
    server = subprocess.Popen(command("serve"), env=env, stdout=subprocess.PIPE, text=True)
    greeting = []
    for line in server.stdout:
        greeting.append(line.rstrip())
        if line.startswith("Press Ctrl-C"):
            break
    return server, greeting


def web_workers(home: Path) -> set[int]:
    """The web server's worker processes: those of this home whose parent is the server."""
    parents = {}
    for pid in processes_using(home):
        try:
            if b"granian" in Path(f"/proc/{pid}/cmdline").read_bytes():
                stat = Path(f"/proc/{pid}/stat").read_text()
                parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        except OSError:  # ended since it was listed
            continue
    return {pid for pid, parent in parents.items() if parent in parents}


def test_serves_pages_and_static_files_then_stops_both_children(server_env, port, home):
    (home / "demo-logins.json").write_text(json.dumps(DEMO_LOGINS))
    server, greeting = start_serving(server_env)
    url = f"http://127.0.0.1:{port}/"
    running = processes_using(home)

    health = get(url + "healthz")
    stylesheet = get(url + "static/admin/css/base.css")
    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate()

    assert f"CareBridge is running at {url}" in greeting
    assert "Demo clinic 'demo'; sign in as:" in greeting
    assert any("maria" in line and "demo-pass-1" in line for line in greeting)
    assert health == (200, b'{"status": "ok"}')
    assert stylesheet[0] == 200 and b"body" in stylesheet[1]
    assert len(running) == 4, "serve, the web server's main process and its worker, the task worker"
    assert server.returncode == 0
    assert output.rstrip().endswith("CareBridge stopped.")
    assert processes_using(home) == []


def test_a_web_worker_that_dies_is_started_again(server_env, port, home):
    # GRANIAN_* variables reach the server: here, a short pause before the new worker.
    server, _ = start_serving({**server_env, "GRANIAN_RESPAWN_INTERVAL": "0.1"})
    try:
        [first] = web_workers(home)
        os.kill(first, signal.SIGKILL)
        health = answer_within(f"http://127.0.0.1:{port}/healthz", seconds=30)
        replaced_by = web_workers(home)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)

    assert health == (200, b'{"status": "ok"}')
    assert replaced_by and first not in replaced_by
    assert server.returncode == 0


def test_stopping_while_a_web_worker_starts_again_leaves_nothing_running(server_env, port, home):
    server, _ = start_serving({**server_env, "GRANIAN_RESPAWN_INTERVAL": "0.1"})
    [first] = web_workers(home)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while web_workers(home) in (set(), {first}) and time.monotonic() < deadline:
        time.sleep(0.01)
    # The new worker is still loading the application: the server is told to stop now.
    # granian then waits for a worker that never answers its stop, until serve ends the
    # whole group after STOP_TIMEOUT_SECONDS (this test's half minute).
    server.send_signal(signal.SIGTERM)
    server.communicate(timeout=60)

    assert server.returncode == 0
    assert processes_using(home) == []


def answer_within(url: str, seconds: float) -> tuple[int, bytes] | None:
    """The first answer from `url`, asked until it answers; None if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return get(url)
        except OSError:  # refused or reset while the new worker starts
            time.sleep(0.05)
    return None


def test_a_failing_web_server_stops_the_worker_too(server_env, port, home):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", int(port)))
        taken.listen()

        finished = subprocess.run(
            command("serve"), env=server_env, capture_output=True, text=True, check=False
        )

    assert finished.returncode == 1
    assert "CommandError: the web server exited with code 1" in finished.stderr
    assert "CareBridge is running" not in finished.stdout
    assert processes_using(home) == []


def test_a_bad_port_is_named(server_env):
    finished = subprocess.run(
        command("serve"),
        env={**server_env, "PORT": "80a"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 1
    assert "PORT: '80a' is not a port number (1-65535)" in finished.stderr


@pytest.mark.parametrize(("name", "value"), [("WEB_THREADS", "0"), ("WEB_CONCURRENCY", "two")])
def test_a_bad_process_or_thread_count_is_named_and_nothing_starts(
    server_env, port, home, name, value
):
    finished = subprocess.run(
        command("serve"),
        env={**server_env, name: value},
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 1
    assert f"{name}: {value!r} is not a whole number of at least 1" in finished.stderr
    assert processes_using(home) == []
