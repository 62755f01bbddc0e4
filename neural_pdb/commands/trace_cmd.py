"""``neural-pdb trace``: run a program for real and print its CWM trace."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys

DESCRIPTION = """\
Run a Python program for real and print its execution trace in CWM's format.

  neural-pdb trace SCRIPT [ARGS...]              the whole script, from module level
  neural-pdb trace SCRIPT --entry f --args "1, 'a'"
                                                  one call f(1, 'a') after the module
                                                  body ran untraced (CruxEval style)

Options may come before or after SCRIPT; everything after `--` goes to the script
(`neural-pdb trace x.py -- --json` gives x.py the argument --json).

Output: the trace on stdout, as CWM text with special tokens written as their strings
(--json: the frames as JSON, with line numbers, functions and depths). The program's
own output (its stdout and stderr) goes to stderr, as it runs, so that stdout holds
the trace alone: `neural-pdb trace x.py > x.trace` keeps the two apart.

The trace runs with PYTHONHASHSEED=0 (re-running itself if needed), so the same
program gives the same trace.

Exit status: 0 when the program ended normally; 1 when it raised (the trace up to
and through the exception is printed, then one error line on stderr) or hit a limit
(--max-frames, --timeout: the trace so far is printed); 2 for bad input (a missing,
binary or non-Python file, a syntax error, a bad --entry or --args).
"""


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump: main() prints it, exit 2
        raise _ArgumentError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="neural-pdb trace", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("script", help="the Python program to run")
    p.add_argument("script_args", nargs="*", metavar="ARGS", help="arguments for the script (sys.argv[1:])")
    p.add_argument("--json", action="store_true", help="print the trace as JSON (Trace.to_json)")
    p.add_argument("--entry", metavar="NAME", help="trace one call of this top-level function")
    p.add_argument("--args", metavar="ARGS", default="", help="the call's arguments as Python source, e.g. \"[1, 2], 'a'\"")
    p.add_argument("--max-frames", type=int, default=10000, metavar="N", help="stop after N frames (default 10000)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="stop after S seconds (default 10)")
    p.add_argument("--max-repr", type=int, default=200, metavar="N", help="cut reprs longer than N characters (default 200)")
    return p


def main(argv: list[str]) -> int:
    parser = build_parser()
    ours, theirs = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    try:
        opts = parser.parse_intermixed_args(ours)
        opts.script_args = [*opts.script_args, *theirs]
    except _ArgumentError as e:
        print(f"neural-pdb trace: error: {e}", file=sys.stderr)
        return 2
    if opts.max_frames < 1 or opts.timeout <= 0:
        print("neural-pdb trace: error: --max-frames and --timeout must be positive", file=sys.stderr)
        return 2
    if os.environ.get("PYTHONHASHSEED") != "0":
        return _rerun_with_fixed_hash_seed(argv)
    return _trace(opts)


def _rerun_with_fixed_hash_seed(argv: list[str]) -> int:
    """Set iteration order depends on the hash seed; the trace must not."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    try:
        return subprocess.call([sys.executable, "-m", "neural_pdb.commands.trace_cmd", *argv], env=env)
    except KeyboardInterrupt:
        return 130


def _trace(opts: argparse.Namespace) -> int:
    from trace_format import encode_trace

    from ..program import ProgramError, read_program
    from ..tracer import TraceLimits, trace_call, trace_script

    limits = TraceLimits(max_frames=opts.max_frames, max_seconds=opts.timeout, max_repr=opts.max_repr)
    try:
        program = read_program(opts.script)
        # The program writes to stderr: stdout is the trace's.
        with contextlib.redirect_stdout(sys.stderr):
            if opts.entry:
                if opts.script_args:
                    raise ProgramError("Error: script arguments cannot be given with --entry")
                result = trace_call(program.source, opts.entry, opts.args, program.filename, limits,
                                    capture_output=False)
            else:
                result = trace_script(program, opts.script_args, limits)
    except ProgramError as e:
        print(str(e), file=sys.stderr)
        return 2
    sys.stderr.flush()
    try:
        if opts.json:
            print(json.dumps(result.trace.to_json(), ensure_ascii=False, indent=1))
        else:
            print(encode_trace(result.trace))
        sys.stdout.flush()
    except BrokenPipeError:  # `neural-pdb trace x.py | head`: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if result.error is not None:
        print(result.error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
