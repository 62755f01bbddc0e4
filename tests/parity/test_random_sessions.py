"""Random command sequences (fixed seeds) answered by both debuggers: the same, to the
character, up to object addresses (the two processes allocate differently)."""

from __future__ import annotations

import random
import re
import sys

import pytest

from .conftest import PROGRAMS, answers, run_debugger

ADDRESS = re.compile(r"0x[0-9a-f]*(\.\.\.)?[0-9a-f]*")
# stdlib_calls.py imports json, which neural-pdb itself has imported: stepping into that
# import differs from pdb's; the other programs import nothing pdb has not imported too
CANDIDATES = sorted(p.name for p in PROGRAMS.glob("*.py") if p.name != "stdlib_calls.py")


def random_commands(rng: random.Random, n_lines: int) -> list[str]:
    choices = [
        (25, lambda: "s"), (20, lambda: "n"), (7, lambda: "r"), (5, lambda: "unt"), (5, lambda: "c"),
        (8, lambda: f"b {rng.randint(1, n_lines)}"), (3, lambda: f"tbreak {rng.randint(1, n_lines)}"),
        (3, lambda: f"cl {rng.randint(1, 4)}"), (3, lambda: "w"), (3, lambda: "u"), (3, lambda: "d"),
        (3, lambda: "a"), (2, lambda: "l"), (2, lambda: "ll"), (2, lambda: "rv"),
        (2, lambda: f"unt {rng.randint(1, n_lines)}"), (2, lambda: f"disable {rng.randint(1, 3)}"),
        (2, lambda: "display"),
    ]
    weights = [w for w, _ in choices]
    return [rng.choices(choices, weights)[0][1]() for _ in range(rng.randint(10, 40))]


@pytest.mark.parametrize("seed", range(8))
def test_random_session_answers_as_pdb(seed: int, workdir) -> None:
    rng = random.Random(seed)
    program = rng.choice(CANDIDATES)
    path = PROGRAMS / program
    commands = random_commands(rng, len(path.read_text().splitlines()))
    stdin = "\n".join(commands) + "\n"
    expected = ADDRESS.sub("0x", run_debugger([sys.executable, "-m", "pdb", str(path)], stdin, workdir))
    actual = ADDRESS.sub("0x", run_debugger([sys.executable, "-m", "neural_pdb", "--backend", "real", str(path)],
                                            stdin, workdir))
    for i, (e, a) in enumerate(zip(answers(expected), answers(actual))):
        assert a == e, f"{program}: answer {i} after {commands[:i]} differs:\n--- pdb\n{e}\n--- neural-pdb\n{a}"
    assert actual == expected
