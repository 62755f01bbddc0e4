"""A model that knows one program's trace, loaded once; a real ``neural-pdb serve`` server
on a loopback port (port 0) in this process, shared by the tests that only send requests."""

from __future__ import annotations

import bdb
import io

import pytest

from tests.serve.memorized import save_memorized_model


@pytest.fixture(scope="session")
def memorized(tmp_path_factory):
    """(model directory, script path)."""
    root = tmp_path_factory.mktemp("serve_memorized")
    script = root / "prog.py"
    model_dir = save_memorized_model(root / "model", script)
    return model_dir, script


@pytest.fixture(scope="session")
def loaded(memorized):
    from neural_pdb.model.loading import load_model
    return load_model(memorized[0], device="cpu")


@pytest.fixture(scope="session")
def server(loaded):
    from neural_pdb.serve import CompletionServer, ServeConfig
    srv = CompletionServer(loaded, ServeConfig(port=0, model_name="tiny", max_sessions=32)).start()
    yield srv
    srv.shutdown()


def run_transcript(backend, commands: list[str]) -> str:
    """A whole debugging session in the real shell, commands from a pipe; its output."""
    from neural_pdb.shell.debugger import Debugger
    from neural_pdb.shell.reader import PlainReader

    out = io.StringIO()
    reader = PlainReader(io.StringIO("\n".join(commands) + "\n"), out)
    debugger = Debugger(backend, stdout=out, reader=reader, readrc=False)
    try:
        debugger.run_session()
    finally:
        backend.close()
        # bdb keeps breakpoints in class-level registries: one process, one debugger at a
        # time when breakpoints are set (the concurrent tests set none).
        bdb.Breakpoint.clearBreakpoints()
    return out.getvalue()
