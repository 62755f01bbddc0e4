"""``neural-pdb``: the debugger, and its sub-commands.

``neural-pdb [options] SCRIPT [ARGS...]`` opens a debugging session (as ``python -m pdb``);
``neural-pdb trace|eval|compare|data|train|serve ...`` run the tools. Each sub-command
lives in its own module with a ``main(argv) -> int``.
"""

from __future__ import annotations

import importlib
import sys

SUBCOMMANDS = {
    "trace": "neural_pdb.commands.trace_cmd",
    "eval": "neural_pdb.commands.eval_cmd",
    "compare": "neural_pdb.commands.compare_cmd",
    "data": "neural_pdb.commands.data_cmd",
    "train": "neural_pdb.commands.train_cmd",
    "serve": "neural_pdb.commands.serve_cmd",
}
DEBUG_MODULE = "neural_pdb.commands.debug_cmd"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    module = SUBCOMMANDS.get(argv[0]) if argv else None
    if module is not None:
        argv = argv[1:]
    else:
        module = DEBUG_MODULE
    try:
        run = importlib.import_module(module).main
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("neural_pdb"):
            print(f"neural-pdb: this command is not available yet ({module})", file=sys.stderr)
            return 2
        raise
    try:
        return int(run(argv) or 0)
    except KeyboardInterrupt:
        print("\nneural-pdb: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
