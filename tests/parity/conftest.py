"""Parity harness: the same commands on stdin to ``python -m pdb`` and to
``neural-pdb --backend real``; pdb's transcript is made at test time (never stored) and the
answers are compared command by command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).resolve().parent / "programs"
PROMPT = "(Pdb) "


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOME"] = str(home)            # no ~/.pdbrc of the machine
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONHASHSEED"] = "0"
    env.pop("NO_COLOR", None)
    return env


def run_debugger(argv: list[str], commands: str, cwd: Path) -> str:
    proc = subprocess.run(argv, input=commands, capture_output=True, text=True, timeout=60, cwd=cwd,
                          env=_env(cwd))
    return proc.stdout


def answers(transcript: str) -> list[str]:
    """The transcript cut at each prompt: the answer to each command, in order."""
    return transcript.split(PROMPT)


def assert_parity(program: str, commands: list[str], cwd: Path, extra_args: list[str] = ()) -> str:
    script = str(PROGRAMS / program)
    stdin = "\n".join(commands) + "\n"
    expected = run_debugger([sys.executable, "-m", "pdb", script, *extra_args], stdin, cwd)
    actual = run_debugger([sys.executable, "-m", "neural_pdb", "--backend", "real", script, *extra_args], stdin, cwd)
    exp, act = answers(expected), answers(actual)
    for i, (e, a) in enumerate(zip(exp, act)):
        cmd = "(start)" if i == 0 else (commands[i - 1] if i - 1 < len(commands) else "EOF")
        assert a == e, f"answer {i} to {cmd!r} differs:\n--- pdb\n{e}\n--- neural-pdb\n{a}"
    assert len(act) == len(exp), f"pdb answered {len(exp)} times, neural-pdb {len(act)}"
    assert expected == actual
    return expected


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
