"""``neural-pdb [--backend real|model] [-c CMD]... [-m MODULE] SCRIPT [ARGS...]``

A debugging session, as ``python -m pdb SCRIPT`` opens one. Commands come from a
prompt_toolkit prompt when stdin is a terminal, and line by line from stdin otherwise
(scripted sessions); end of input quits. ``-c CMD`` (repeatable) runs commands first,
after ``~/.pdbrc`` and ``./.pdbrc``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

from neural_pdb.program import ProgramError, read_program

#: the backend used when ``--backend`` is not given: the model (the embedded default model
#: unless ``--model``), as the product promises; ``--backend real`` is pdb itself
DEFAULT_BACKEND = "model"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neural-pdb",
        description="pdb, answered by the real program or by a code world model.",
        epilog="Commands: pdb's (help at the prompt), plus back/bk (step backwards) and compare.")
    parser.add_argument("--backend", choices=("real", "model", "remote"), default=DEFAULT_BACKEND,
                        help=f"who answers: a model (default: the embedded one; --model PATH for another), the real "
                             f"program (exactly as pdb), or a model behind a server (default: {DEFAULT_BACKEND})")
    parser.add_argument("-c", "--command", action="append", default=[], metavar="CMD",
                        help="a debugger command to run first (repeatable), as pdb's -c")
    parser.add_argument("-m", dest="module", metavar="MODULE", default=None,
                        help="debug a module found on sys.path (its file is run as __main__)")
    parser.add_argument("--no-rc", action="store_true", help="do not read ~/.pdbrc and ./.pdbrc")
    try:
        from neural_pdb.backends.model import add_model_arguments
        add_model_arguments(parser)
    except ImportError:  # the model backend is optional at this stage
        pass
    from neural_pdb.inverse.jumps import add_jump_arguments
    from neural_pdb.inverse.start import add_start_arguments
    add_start_arguments(parser)
    add_jump_arguments(parser)
    from neural_pdb.backends.remote import add_remote_arguments  # --url, --api-key, --timeout
    add_remote_arguments(parser)
    parser.add_argument("script", nargs="?", help="the program to debug")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the program's arguments")
    return parser


def _module_file(name: str) -> str:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError) as e:
        raise ProgramError(f"Error: cannot find module {name}: {e}") from None
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        raise ProgramError(f"Error: no module named {name}")
    origin = spec.origin
    if spec.submodule_search_locations:  # a package: run its __main__
        main = os.path.join(os.path.dirname(origin), "__main__.py")
        if not os.path.isfile(main):
            raise ProgramError(f"Error: {name} is a package and cannot be directly executed")
        origin = main
    return origin


def make_backend(ns: argparse.Namespace, path: str, source: str):
    if ns.backend == "real":
        if getattr(ns, "start", None) is not None:
            raise ProgramError("neural-pdb: --start needs --backend model (a real program starts at its beginning)")
        from neural_pdb.backends.real import RealBackend
        return RealBackend(path, ns.args, module=getattr(ns, "module", None))
    if ns.backend == "remote":  # the model backend, its generator on a server
        from neural_pdb.backends.remote import build_remote_backend
        from neural_pdb.engine.backend import BackendError
        try:
            return build_remote_backend(ns, os.path.abspath(path), source)
        except BackendError as e:
            raise ProgramError(f"neural-pdb: {e}") from None
    try:
        from neural_pdb.backends import model as model_module
    except ImportError as e:
        raise ProgramError(f"neural-pdb: the model backend is not available ({e})") from None
    options = model_module.options_from_args(ns)
    # a model trained on debugger actions can jump (where --jumps lets it)
    from neural_pdb.inverse.jumps import DEFAULT_JUMPS, ActionModelBackend, parse_jumps
    from neural_pdb.inverse.start import start_state_from_args
    try:
        start_state = start_state_from_args(ns, source)
        jump_actions = parse_jumps(getattr(ns, "jumps", DEFAULT_JUMPS))
    except ValueError as e:   # a StartError, or a bad --jumps
        raise ProgramError(f"neural-pdb: {e}") from None
    try:
        backend = ActionModelBackend.load(os.path.abspath(path), source, options)
        backend.start_state = start_state
        backend.jump_actions = jump_actions
        return backend
    except Exception as e:  # loading errors are one line (ModelLoadError) by contract
        raise ProgramError(f"neural-pdb: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    ns = parser.parse_args(argv)
    if ns.module:
        if ns.script is not None:
            ns.args = [ns.script] + list(ns.args)
    elif ns.script is None:
        parser.print_usage(sys.stderr)
        print("neural-pdb: error: a SCRIPT (or -m MODULE) to debug is required", file=sys.stderr)
        return 2
    if ns.module and sys.path:
        sys.path[0] = os.getcwd()  # as `python -m pdb -m MODULE` finds it
    try:
        path = _module_file(ns.module) if ns.module else ns.script
        program = read_program(path)
        backend = make_backend(ns, path, program.source)
    except ProgramError as e:
        print(str(e), file=sys.stderr)
        return 1
    from neural_pdb.shell.reader import make_reader
    from neural_pdb.inverse.shell import ActionDebugger as Debugger  # pdb's commands + jumps + inverse commands
    reader = make_reader(backend, sys.stdin, sys.stdout)
    debugger = Debugger(backend, stdout=sys.stdout, reader=reader, readrc=not ns.no_rc, commands=ns.command)
    reader.attach(debugger)
    try:
        return debugger.run_session()
    finally:
        reader.close()
