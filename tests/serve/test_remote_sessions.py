"""Remote debugging sessions against a real ``neural-pdb serve`` on a loopback port answer
exactly as local ones: one session, four at once, and a sampled one."""

from __future__ import annotations

import threading

import pytest

from neural_pdb.backends.model import ModelBackend, ModelOptions
from neural_pdb.backends.remote import RemoteBackend
from neural_pdb.engine.backend import BackendError
from neural_pdb.model.remote_generator import RemoteConfig
from tests.serve.conftest import run_transcript

# Breakpoints live in bdb's class-level registries, shared by every debugger of a process:
# the sessions run at the same time set none (see test_breakpoints_...).
SESSIONS = [
    ["s", "s", "s", "p a", "n", "n", "p b", "bk", "p b", "where", "n", "n", "n", "p x", "c"],
    ["n", "n", "p x", "n", "c"],
    ["s", "s", "s", "r", "p x", "n", "s", "s", "up", "p x", "down", "p a", "q"],
    ["n", "s", "s", "s", "bk", "bk", "p a", "n", "n", "c"],
]


def local_backend(loaded, script, options: ModelOptions = ModelOptions()) -> ModelBackend:
    from neural_pdb.model.local import LocalGenerator
    return ModelBackend(str(script), script.read_text(), LocalGenerator(loaded.model), loaded.vocab,
                        options.prediction_config())


def remote_backend(server, script, model_dir=None, options: ModelOptions = ModelOptions()) -> RemoteBackend:
    opts = ModelOptions(model=str(model_dir) if model_dir else None, temperature=options.temperature,
                        seed=options.seed)
    return RemoteBackend.connect(str(script), script.read_text(), RemoteConfig(server.url, timeout_s=60), opts)


def test_remote_session_answers_exactly_as_the_local_one(server, loaded, memorized):
    model_dir, script = memorized
    before = server.worker.stats.cached_tokens
    local = run_transcript(local_backend(loaded, script), SESSIONS[0])
    remote = run_transcript(remote_backend(server, script, model_dir), SESSIONS[0])
    assert remote == local
    # The model knows this program: the session is real stops, not error lines.
    assert local.count("\n-> ") >= 12 and "sq()->9" in local
    # Steps reused the session's cache on the server.
    assert server.worker.stats.cached_tokens > before


def test_four_concurrent_remote_sessions_answer_as_local_ones(server, loaded, memorized):
    model_dir, script = memorized
    expected = [run_transcript(local_backend(loaded, script), cmds) for cmds in SESSIONS]
    got: list[str | BaseException | None] = [None] * len(SESSIONS)

    def run(i: int) -> None:
        try:
            # The tokenizer comes from the server for half of them, from --model for the rest.
            backend = remote_backend(server, script, model_dir if i % 2 else None)
            got[i] = run_transcript(backend, SESSIONS[i])
        except BaseException as e:  # reported below, with the session's number
            got[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(SESSIONS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert not any(t.is_alive() for t in threads), "a remote session hung"
    for i, (want, have) in enumerate(zip(expected, got)):
        assert not isinstance(have, BaseException), f"session {i} failed: {have!r}"
        assert have == want, f"session {i} differs"


def test_breakpoints_in_a_remote_session(server, loaded, memorized):
    model_dir, script = memorized
    cmds = ["b 3", "c", "p b", "c", "p b", "p a", "r", "n", "p x", "c"]
    local = run_transcript(local_backend(loaded, script), cmds)
    remote = run_transcript(remote_backend(server, script, model_dir), cmds)
    assert remote == local
    assert "sq()->81" in local


def test_a_sampled_session_with_a_seed_is_the_same_remotely(server, loaded, memorized):
    # Our server runs the local generator's sampling code: with the same seed, the same
    # samples (vLLM samples differently; only greedy answers are promised there).
    model_dir, script = memorized
    options = ModelOptions(temperature=1.5, seed=7)
    cmds = ["s", "s", "s", "s", "s", "p a", "c"]
    local = run_transcript(local_backend(loaded, script, options), cmds)
    remote = run_transcript(remote_backend(server, script, model_dir, options), cmds)
    assert remote == local


def test_wrong_served_model_name_and_bad_url_are_one_line_errors(server, memorized):
    model_dir, script = memorized
    with pytest.raises(BackendError) as info:
        RemoteBackend.connect(str(script), script.read_text(), RemoteConfig(server.url, model="not-there"),
                              ModelOptions(model=str(model_dir)))
    assert str(info.value) == f"the server at {server.url} serves tiny, not not-there"
    with pytest.raises(BackendError) as info:
        RemoteBackend.connect(str(script), script.read_text(), RemoteConfig("localhost:8000"))
    assert "http://" in str(info.value)


def test_neural_pdb_backend_remote_on_the_command_line(server, loaded, memorized, tmp_path):
    """The real command, two at once, each its own process (bdb's breakpoints are per
    process, so these may set some): ``neural-pdb --backend remote --url URL SCRIPT`` with
    commands on stdin answers as the local session."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    _, script = memorized
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(repo), HOME=str(tmp_path))
    sessions = [SESSIONS[0], ["b 3", "c", "p b", "c", "p b", "p a", "r", "n", "p x", "c"]]
    procs = [subprocess.Popen([sys.executable, "-m", "neural_pdb", "--backend", "remote", "--url", server.url,
                               str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=tmp_path) for _ in sessions]
    outputs = [p.communicate("\n".join(cmds) + "\n", timeout=180) for p, cmds in zip(procs, sessions)]
    for p, (out, err), cmds in zip(procs, outputs, sessions):
        assert p.returncode == 0 and "Traceback" not in err, err
        assert out == run_transcript(local_backend(loaded, script), cmds)


def test_api_key_reaches_the_server_and_a_wrong_one_is_one_line(loaded, memorized):
    from neural_pdb.serve import CompletionServer, ServeConfig

    model_dir, script = memorized
    with CompletionServer(loaded, ServeConfig(port=0, api_key="k3y", model_name="tiny")) as srv:
        with pytest.raises(BackendError) as info:
            RemoteBackend.connect(str(script), script.read_text(), RemoteConfig(srv.url, api_key="nope"))
        assert str(info.value) == (f"server at {srv.url} returned 401: missing or wrong API key "
                                   "(send 'Authorization: Bearer KEY')")
        backend = RemoteBackend.connect(str(script), script.read_text(), RemoteConfig(srv.url, api_key="k3y"))
        cmds = ["s", "s", "s", "p a", "c"]
        assert run_transcript(backend, cmds) == run_transcript(local_backend(loaded, script), cmds)
