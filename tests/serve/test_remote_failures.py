"""What a remote session does when the server fails: real servers on loopback ports that
misbehave (5xx, garbage, silence, a closed socket), a ``neural-pdb serve`` process killed
mid-session, and a server that is not there at all. Always one clear line, retries where
safe, never a hang, and the session stays at its last good stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from neural_pdb.backends.remote import RemoteBackend
from neural_pdb.backends.model import ModelOptions
from neural_pdb.model.remote_generator import RemoteConfig, RemoteError, RemoteGenerator
from neural_pdb.shell.reader import PlainReader
from tests.serve.conftest import run_transcript

REPO = Path(__file__).resolve().parents[2]
GOOD = {"choices": [{"token_ids": [5, 6, 9], "finish_reason": "stop", "logprobs": None}],
        "usage": {"prompt_tokens": 2, "prompt_tokens_details": {"cached_tokens": 1}}}


class ScriptedServer:
    """A real HTTP server whose answers to POST /v1/completions are given in advance:
    (status, body bytes) pairs, ``"close"`` (drop the connection) or ``("sleep", s)``."""

    def __init__(self, answers: list) -> None:
        self.answers = list(answers)
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests += 1
                answer = outer.answers.pop(0) if outer.answers else (200, json.dumps(GOOD).encode())
                if answer == "close":
                    self.close_connection = True
                    self.connection.close()
                    return
                if answer[0] == "sleep":
                    time.sleep(answer[1])
                    answer = (200, json.dumps(GOOD).encode())
                status, body = answer
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def generator(url: str, **kw) -> RemoteGenerator:
    config = RemoteConfig(url, model="m", backoff_s=0.01, **kw)
    return RemoteGenerator(config)


def ask(gen: RemoteGenerator):
    return gen.generate([1, 2], max_new_tokens=8, stop_ids=[9])


def error(status: int, message: str) -> tuple[int, bytes]:
    return status, json.dumps({"error": {"message": message}}).encode()


def test_busy_and_failing_servers_are_retried_with_backoff():
    srv = ScriptedServer([error(503, "busy"), error(500, "boom"), "close"])
    try:
        gen = generator(srv.url, retries=3)
        got = ask(gen)
        assert got.token_ids == (5, 6, 9) and got.stop_id == 9 and got.prompt_tokens_computed == 1
        assert srv.requests == 4 and gen.client.retried == 3
    finally:
        srv.close()


def test_a_server_that_keeps_failing_gives_its_message_after_the_retries():
    srv = ScriptedServer([error(500, "CUDA out of memory")] * 3)
    try:
        with pytest.raises(RemoteError) as info:
            ask(generator(srv.url, retries=2))
        assert str(info.value) == f"server at {srv.url} returned 500: CUDA out of memory"
        assert srv.requests == 3
    finally:
        srv.close()


def test_a_refused_request_is_not_retried():
    srv = ScriptedServer([error(400, "'prompt' holds token id 999999")])
    try:
        with pytest.raises(RemoteError) as info:
            ask(generator(srv.url, retries=3))
        assert "returned 400: 'prompt' holds token id 999999" in str(info.value) and srv.requests == 1
    finally:
        srv.close()


@pytest.mark.parametrize("answer, fragment", [
    ((200, b"<html>gateway</html>"), "malformed response from server at {url}: not JSON"),
    ((200, json.dumps({"choices": [{"text": "x", "finish_reason": "stop"}]}).encode()),
     "malformed response from server at {url}: no generated token ids"),
    ((502, b"Bad Gateway"), "server at {url} returned 502: Bad Gateway"),
])
def test_malformed_answers_are_one_line(answer, fragment):
    srv = ScriptedServer([answer])
    try:
        with pytest.raises(RemoteError) as info:
            ask(generator(srv.url, retries=0))
        assert str(info.value).startswith(fragment.format(url=srv.url))
        assert "\n" not in str(info.value)
    finally:
        srv.close()


def test_a_silent_server_times_out_instead_of_hanging():
    srv = ScriptedServer([("sleep", 3.0)])
    try:
        started = time.monotonic()
        with pytest.raises(RemoteError) as info:
            ask(generator(srv.url, timeout_s=0.5, retries=2))
        assert str(info.value) == f"server at {srv.url} did not answer within 0.5 s"
        assert time.monotonic() - started < 2.5  # a timeout is not retried
    finally:
        srv.close()


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dead_server_on_the_command_line_is_one_line_not_a_traceback(memorized):
    _, script = memorized
    env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(script.parent))
    proc = subprocess.run([sys.executable, "-m", "neural_pdb", "--backend", "remote", "--url",
                           f"http://127.0.0.1:{_free_port()}", str(script)],
                          input="n\n", capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"neural-pdb: server at {proc.args[6]} is not reachable (connection refused)"]


class KillingReader(PlainReader):
    """Reads commands from a pipe; runs an action just before handing out command i."""

    def __init__(self, lines: list[str], out, actions: dict) -> None:
        import io
        super().__init__(io.StringIO("\n".join(lines) + "\n"), out)
        self.actions = actions
        self.count = 0

    def read(self, prompt: str):
        action = self.actions.get(self.count)
        if action is not None:
            action()
        self.count += 1
        return super().read(prompt)


def test_server_killed_mid_session_then_back(memorized, loaded):
    """``neural-pdb serve`` in its own process, killed (SIGKILL) in the middle of a
    session: the next step is one error line, the session stays at its last stop (``p``
    still answers), and once a server is back on the port, stepping goes on as if
    nothing had happened."""
    import io

    from neural_pdb.serve import CompletionServer, ServeConfig
    from neural_pdb.shell.debugger import Debugger
    from tests.serve.test_remote_sessions import local_backend

    model_dir, script = memorized
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "neural_pdb", "serve", "--model", str(model_dir), "--port", "0",
                             "--device", "cpu", "--served-name", "tiny"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    restarted = []
    try:
        line = proc.stdout.readline()  # "neural-pdb serve: serving tiny on http://127.0.0.1:PORT (...)"
        assert " on http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.split(" on ", 1)[1].split()[0]
        port = int(url.rsplit(":", 1)[1])
        remote = RemoteBackend.connect(str(script), script.read_text(), RemoteConfig(url, timeout_s=30, backoff_s=0.05),
                                       ModelOptions(model=str(model_dir)))

        def kill() -> None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)

        def restart() -> None:
            restarted.append(CompletionServer(loaded, ServeConfig(port=port, model_name="tiny")).start())

        commands = ["s", "s", "s", "n", "p a", "n", "p b", "n", "c"]
        out = io.StringIO()
        reader = KillingReader(commands, out, {3: kill, 5: restart})
        started = time.monotonic()
        debugger = Debugger(remote, stdout=out, reader=reader, readrc=False)
        debugger.run_session()
        assert time.monotonic() - started < 60
        remote.close()
        answers = out.getvalue().split(debugger.prompt)
        # answers[i] is the answer to commands[i - 1]
        assert answers[4].splitlines()[0] == \
            f"*** backend error: server at {url} is not reachable (connection refused)"
        assert answers[4].splitlines()[-1] == "-> b = a * a"  # the stop it stays at, shown again
        assert answers[5] == "3\n"            # p a: still at the last good stop
        local = run_transcript(local_backend(loaded, script), ["s", "s", "s", "p a", "n", "p b", "n", "c"])
        # Without the failed step, the remote session is the local one.
        assert debugger.prompt.join(answers[:4] + answers[5:]) == local
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for srv in restarted:
            srv.shutdown()
