"""The debugger with actions: pdb's commands over the jumping engine, plus the inverse
commands (``rstep``, ``rnext``, ``rreturn``, ``inputs``).

:class:`ActionDebugger` is ``neural_pdb.shell.debugger.Debugger`` with
:class:`~neural_pdb.inverse.jump_engine.JumpEngine` as its engine (``next``, ``return``,
``continue`` in one prediction when the backend can jump; frame by frame otherwise, as
before) and :class:`~neural_pdb.inverse.commands.InverseCommands` mixed in. With the
real program or a plain model it behaves exactly as the plain debugger, plus the inverse
commands' answers from the history.
"""

from __future__ import annotations

from typing import Any

from neural_pdb.shell.debugger import Debugger

from .commands import InverseCommands
from .jump_engine import JumpEngine


class ActionDebugger(InverseCommands, Debugger):
    def __init__(self, backend: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(backend, *args, **kwargs)
        # before any command: breakpoints and stepping state live in the engine
        self.engine = JumpEngine(backend, message=self.message)
        self.mainpyfile = self.engine.mainpyfile
