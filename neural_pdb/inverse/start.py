"""Starting a session mid-program: ``--start LINE --locals JSON``.

The state is given in full (the line about to run and its locals) and the history before
it is unknown: the model goes on from ``<|npdb:state|>`` + that frame (see
:mod:`trace_format.actions`), so only a model trained on actions can do it; inverse
commands (``rstep``, ``rreturn``, ``inputs``) then predict the states that led there.

``--locals`` is a JSON object of the local names; a string value is the value's repr, as
in the trace format (``{"s": "'abc'", "n": "3"}``); any other JSON value is taken as the
value itself (``{"n": 3, "xs": [1, 2]}``).
"""

from __future__ import annotations

import argparse
import json

from trace_format import Frame, ProgramStructure, line_frame


class StartError(ValueError):
    """A ``--start``/``--locals`` that does not describe a state of the program; one line."""


def add_start_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("starting mid-program (a model trained on actions)")
    g.add_argument("--start", type=int, metavar="LINE", default=None,
                   help="start at this line, with --locals, instead of at the beginning")
    g.add_argument("--locals", metavar="JSON", default=None,
                   help='the locals at --start, e.g. \'{"x": 3, "s": "\\\'abc\\\'"}\' (strings are reprs)')


def state_frame(source: str, line: int, locals_json: str | None) -> Frame:
    """The state at ``line`` (1-based) of ``source`` with these locals, located."""
    lines = source.split("\n")
    if not 1 <= line <= len(lines) or not lines[line - 1].strip():
        raise StartError(f"--start {line}: not a line of code in the program (1-{len(lines)})")
    try:
        data = json.loads(locals_json) if locals_json else {}
    except json.JSONDecodeError as e:
        raise StartError(f"--locals is not valid JSON ({e.msg} at char {e.pos})") from None
    if not isinstance(data, dict):
        raise StartError("--locals must be a JSON object of local names")
    values = {str(k): v if isinstance(v, str) else repr(v) for k, v in data.items()}
    structure = ProgramStructure(source)
    function = structure.scope_name(structure.owner[line])
    return line_frame(lines[line - 1], values, lineno=line, function=function, depth=0)


def start_state_from_args(ns: argparse.Namespace, source: str) -> Frame | None:
    """The start state the command line asks for, or None (start at the beginning)."""
    start = getattr(ns, "start", None)
    if start is None:
        if getattr(ns, "locals", None):
            raise StartError("--locals needs --start LINE")
        return None
    return state_frame(source, start, getattr(ns, "locals", None))
