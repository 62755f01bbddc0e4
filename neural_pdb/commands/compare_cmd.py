"""``neural-pdb compare [options] SCRIPT [ARGS...]``: one debugger session, played on a
model and on the real program, compared command by command.

Commands come from ``-c CMD`` (repeatable) or, without ``-c``, from stdin, one per line.
Prints a side-by-side table: where each session stopped, the locals that differ, the
values returned, and an agreement score at the end (a command agrees when the stop, the
locals, the return value and the printed answer are the same; ``--Predicted--`` banners
aside). ``--backend real`` compares the real program with itself (a self-check: 100%).

Example::

    neural-pdb compare demos/count_letters.py -c 'b 5' -c c -c 'p n' -c n -c r
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys

from neural_pdb.program import ProgramError, read_program


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neural-pdb compare", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Play one debugger session on a model and on the real program and compare them, "
                    "command by command.",
        epilog="Commands come from -c (repeatable) or, without -c, from stdin (one per line). Options may "
               "come before or after SCRIPT; program arguments that start with '-' go after '--'.")
    parser.add_argument("--backend", choices=("model", "remote", "real"), default="model",
                        help="the side compared with the real program: a local model (default), a model on a "
                             "server (--url), or the real program itself (a self-check)")
    parser.add_argument("-c", "--command", action="append", default=[], metavar="CMD",
                        help="a debugger command (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.add_argument("--width", type=int, default=34, help="width of a side's column (default 34)")
    try:
        from neural_pdb.backends.model import add_model_arguments
        add_model_arguments(parser)
    except ImportError:  # the model backend is optional
        pass
    try:
        from neural_pdb.backends.remote import add_remote_arguments
        add_remote_arguments(parser)
    except ImportError:
        pass
    from neural_pdb.inverse.jumps import add_jump_arguments
    add_jump_arguments(parser)
    parser.add_argument("script", help="the program to debug")
    parser.add_argument("args", nargs="*", help="the program's arguments")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Options anywhere (``compare SCRIPT -c n`` as the issue writes it); after ``--``,
    everything is the program's."""
    argv = list(argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    ns = build_parser().parse_intermixed_args(argv)
    ns.args = list(ns.args) + extra
    return ns


def read_commands(ns: argparse.Namespace) -> list[str]:
    if ns.command:
        return list(ns.command)
    if sys.stdin.isatty():
        print("neural-pdb compare: reading commands from stdin, one per line; end with Ctrl-D", file=sys.stderr)
    return [line.rstrip("\r\n") for line in sys.stdin]


def _as_json(comparisons) -> list[dict]:
    def record(r):
        if r is None:
            return None
        s = r.state
        return {"event": s.event, "lineno": s.lineno, "function": s.function, "locals": s.locals,
                "return_value": s.return_value, "output": r.output}

    return [{"index": c.index, "command": c.command, "agree": c.agree, "same_stop": c.same_stop,
             "same_return": c.same_return, "same_output": c.same_output,
             "locals_differ": {k: list(v) for k, v in c.locals_differ.items()},
             "real": record(c.left), "predicted": record(c.right)} for c in comparisons]


def main(argv: list[str]) -> int:
    ns = parse_args(argv)
    from neural_pdb.commands.debug_cmd import make_backend
    from neural_pdb.evaluation.session_compare import compare_sessions, record_session

    try:
        program = read_program(ns.script)
        commands = read_commands(ns)
        predicted_side = ns.backend
        ns.backend = "real"
        real_backend = make_backend(ns, ns.script, program.source)
        ns.backend = predicted_side
        other_backend = make_backend(ns, ns.script, program.source)
    except ProgramError as e:
        print(str(e), file=sys.stderr)
        return 1
    program_output = io.StringIO()
    real = record_session(real_backend, commands, program_output)
    other = record_session(other_backend, commands)
    comparisons = compare_sessions(real, other)
    try:
        _print(ns, predicted_side, comparisons, program_output.getvalue())
    except BrokenPipeError:  # `| head`: the reader has gone; say nothing more
        sys.stdout = open(os.devnull, "w")
    return 0


def _print(ns: argparse.Namespace, predicted_side: str, comparisons, program_output: str) -> None:
    from neural_pdb.evaluation.session_compare import agreement, format_table

    if ns.json:
        print(json.dumps({"agreement": agreement(comparisons), "commands": len(comparisons),
                          "comparisons": _as_json(comparisons)}, indent=1, ensure_ascii=False))
    else:
        label = {"model": "model", "remote": "model (remote)"}.get(predicted_side, f"{predicted_side} (again)")
        for line in format_table(comparisons, "real", label, ns.width):
            print(line)
        printed = program_output.count("\n")
        if printed:
            print(f"(the real program printed {printed} line(s), not compared: a model does not print)")
