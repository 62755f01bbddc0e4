"""neural-pdb --backend real answers every command as python -m pdb does, to the character."""

from __future__ import annotations

import pytest

from .conftest import PROGRAMS as PROGRAMS_DIR, assert_parity

STEPS = ["s"] * 12 + ["n"] * 8

SCENARIOS = {
    # stepping, into and over calls, to the end of the program and the restart
    "loops_step_next": ("loops.py", ["s", "s", "s", "s", "w", "s", "n", "n", "n", "r", "n", "n", "n", "n", "n", "n",
                                     "n", "n", "n", "n", "n", "n", "n", "n", "n", "n", "n", "n", "n", "n", "n",
                                     "n", "n", "n", "n", "n", "n", "n", "n", "n", "s", "s", "s", "s"]),
    "loops_until": ("loops.py", ["b 3", "c", "unt", "unt", "unt", "unt", "unt 6", "cl 1", "unt 15", "unt", "unt",
                                 "p i", "unt 17", "p squares", "c", "c"]),
    "loops_display": ("loops.py", ["b count_letter", "c", "display count", "display ch", "display", "n", "n", "n",
                                   "n", "n", "undisplay ch", "n", "n", "undisplay nope", "display", "c", "c", "c"]),
    # breakpoints of every kind
    "recursion_breaks": ("recursion.py", ["b fib", "b recursion.py:12", "tbreak 17", "b", "c", "w", "p n", "c", "w",
                                          "up", "p n", "down", "down", "cl 1", "b", "c", "c", "a", "p out", "c", "c",
                                          "c"]),
    "recursion_conditions": ("recursion.py", ["b 3, n == 1", "b 13", "condition 2 item == 5", "ignore 1 2", "c",
                                              "p n", "bt", "c", "p n", "disable 1", "c", "p item", "enable 1",
                                              "condition 1", "b", "clear 2", "c", "c", "c", "c"]),
    "recursion_return": ("recursion.py", ["b 2", "c", "r", "r", "rv", "r", "r", "r", "n", "n", "s", "s", "r", "r",
                                          "r", "ll", "l", "l", "l .", "l 1, 5", "l 10", "c", "c"]),
    # exceptions raised, caught and shown as pdb shows them
    "exceptions": ("exceptions.py", ["b withdraw", "c", "c", "n", "n", "n", "n", "n", "n", "n", "p message",
                                     "b safe_div", "c", "c", "n", "n", "n", "n", "n", "n", "p nothing", "c"]),
    "exceptions_step": ("exceptions.py", ["unt 20", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s",
                                          "s", "s", "s", "w", "s", "s", "c"]),
    # classes and methods
    "classes": ("classes.py", ["b MinStack.push", "b Stack.pop", "c", "a", "s", "s", "s", "s", "w", "u", "p self",
                               "p self.items", "whatis self", "whatis self.push", "whatis Stack", "whatis 3",
                               "c", "c", "c", "c", "p s", "pp s.items", "r", "c"]),
    # string handling, expressions, ! statements, aliases, ;;, empty lines, errors
    "strings_values": ("strings.py", ["b caesar", "c", "p text", "pp text * 20", "!shift = 1", "p shift",
                                      "n", "n", "n", "n", "", "", "p out", "p undefined_name", "p 1/0",
                                      "whatis ch", "alias pt p text", "pt", "alias", "unalias pt", "pt",
                                      "p len(text);; p shift", "foo bar", "b 999", "b 23", "b 0", "b nosuch",
                                      "b strings.py:abc", "enable 99", "disable x", "ignore", "condition",
                                      "up", "up", "up", "up", "down", "down", "down", "down", "c", "c"]),
    "source_and_values": ("strings.py", ["b caesar", "c", "source caesar", "source normalize", "source 3",
                                         "pp {'k': list(range(30)), 'w': 'x' * 90}", "whatis caesar", "whatis len",
                                         "whatis str", "display out", "display ch", "n", "n", "n", "n", "n", "n",
                                         "undisplay", "n", "p [c for c in text if c != ' ']", "c"]),
    "help": ("strings.py", ["help next", "h p", "help b", "help nosuch", "help exec", "help ll", "q"]),
    "retval_where": ("strings.py", ["b normalize", "c", "r", "rv", "w", "n", "rv", "a", "c"]),
    # program end, restart and run
    "restart": ("loops.py", ["n", "restart", "n", "run", "b 17", "c", "c", "c", "q"]),
    # generators
    "generators": ("gen.py", ["b countdown", "c", "n", "n", "n", "n", "n", "n", "n", "r", "n", "n", "n", "n",
                              "s", "s", "s", "c", "c"]),
    # stepping into the standard library, and out again
    "stdlib": ("stdlib_calls.py", ["b summarize", "c", "s", "s", "s", "s", "w", "r", "u", "d", "r", "n", "n", "s",
                                   "s", "r", "r", "n", "n", "n", "n", "c"]),
    # breakpoint command lists
    "bp_commands": ("loops.py", ["b 4", "commands 1", "silent", "p ch", "end", "b 12", "commands 2", "p n",
                                 "cont", "end", "c", "c", "c", "cl 1", "c", "c", "c"]),
    # past the end: the exception seen in Bdb.run (down into its traceback), and
    # input ending at Bdb.run's last lines (pdb then reports its own BdbQuit)
    "crash_past_the_end": ("crash.py", ["b 6", "c", "s", "s", "s", "s", "d", "d", "d", "u", "s", "s", "s", "s"]),
    "quit_after_the_end": ("gen.py", ["unt", "s", "l", "s", "s", "n", "c", "s", "n", "d", "w", "s", "w", "c", "s",
                                      "r", "b 3", "cl 1", "n", "disable 3", "ll", "n", "n", "r", "s", "b 1", "s",
                                      "w"]),
    # jump
    "jump": ("loops.py", ["n", "n", "j 2", "n", "n", "j 9", "j 1", "j x", "b 3", "c", "j 6", "u", "j 4", "d", "n",
                          "c", "c", "c", "c", "c"]),
    # sys.exit
    "sys_exit": ("exits.py", ["c", "n", "b check", "c", "c", "c", "c", "c"]),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_answers_as_pdb(name: str, workdir) -> None:
    program, commands = SCENARIOS[name]
    transcript = assert_parity(program, commands, workdir)
    assert "(Pdb) " in transcript


def test_uncaught_exception_post_mortem(workdir) -> None:
    # post-mortem: pdb's header, its stack (which starts in pdb.py's own main()), the
    # values of the dying frames, and the restart
    assert_parity("crash.py", ["c", "p value", "ll", "w", "u", "p numbers", "u", "u", "u", "u", "u", "d", "l",
                               "c", "n", "q"], workdir)


def test_commands_from_dash_c(workdir) -> None:
    from .conftest import PROGRAMS, run_debugger
    import sys
    script = str(PROGRAMS / "loops.py")
    stdin = "p totals\nc\nq\n"
    args = ["-c", "b 11", "-c", "c"]
    expected = run_debugger([sys.executable, "-m", "pdb", *args, script], stdin, workdir)
    actual = run_debugger([sys.executable, "-m", "neural_pdb", "--backend", "real", *args, script], stdin, workdir)
    assert actual == expected
    assert "Breakpoint 1 at" in actual


def test_pdbrc_in_working_directory(workdir) -> None:
    (workdir / ".pdbrc").write_text("alias pl p len(%1)\nb 12\n")
    assert_parity("loops.py", ["c", "pl totals", "c", "c", "q"], workdir)


def test_help_lists_pdb_commands_and_ours(workdir) -> None:
    from .conftest import PROGRAMS, run_debugger
    import sys
    script = str(PROGRAMS / "loops.py")
    pdb_out = run_debugger([sys.executable, "-m", "pdb", script], "help\nq\n", workdir)
    ours = run_debugger([sys.executable, "-m", "neural_pdb", "--backend", "real", script], "help\nq\n", workdir)

    def commands(text: str) -> set[str]:
        table = text.split("========================================")[1].split("Miscellaneous")[0]
        return set(table.split())
    # every pdb command, plus ours (other debugger commands may come with later features)
    assert commands(pdb_out) | {"back", "bk", "compare"} <= commands(ours)
    assert "exec  pdb" in ours


def test_module_mode(workdir) -> None:
    import sys
    from .conftest import run_debugger
    (workdir / "mymod.py").write_text((PROGRAMS_DIR / "crash.py").read_text().replace('"three"', '"3"')
                                      + "import sys\nargs = sys.argv\n")
    stdin = "s\ns\ns\nw\nn\nn\nn\nn\nn\nn\nn\np args\nc\nrestart\nq\n"
    expected = run_debugger([sys.executable, "-m", "pdb", "-m", "mymod", "a", "b"], stdin, workdir)
    actual = run_debugger([sys.executable, "-m", "neural_pdb", "--backend", "real", "-m", "mymod", "a", "b"], stdin,
                          workdir)
    assert actual == expected
    assert "Restarting mymod with arguments:\n\ta b\n" in actual
