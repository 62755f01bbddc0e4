"""The engine, jumping where the backend can: ``next``, ``return`` and ``continue`` in one
prediction each with an action-trained model.

When the user's command (bdb's stepping state) is ``continue`` (to the enabled line
breakpoints of the program), ``next`` or ``return``, and the backend says it can jump
(``can_jump(action)``: the model can and ``--jumps`` lets it, see
:class:`neural_pdb.inverse.jumps.ActionModelBackend`), the
engine asks for the target frame (``jump(action, breakpoints)``) instead of rolling out
frame by frame, then dispatches it through bdb's rules as any frame: a condition that is
false, a temporary breakpoint, the stop's display, all as before. Any other backend
(the real program, CWM, a model without ``npdb_actions``) is stepped frame by frame,
exactly as by :class:`~neural_pdb.engine.engine.Engine`.

A jump does not see the calls and returns it skips: the backend places each frame by
its function (``Frame.depth``) and the engine brings its stack of activations to that
depth, so ``where`` shows the scopes the jumps know.

No model imports here: the engine stays light for the real backend.
"""

from __future__ import annotations

import bdb
from typing import Any

from neural_pdb.engine.backend import BackendError, FrameInfo
from neural_pdb.engine.engine import Engine, ProgramEnd, Stop
from neural_pdb.engine.views import FrameView
from trace_format import Event, Frame
from trace_format.actions import Action, breakpoint_map


class JumpEngine(Engine):
    """The engine, jumping where the backend can (see the module docstring)."""

    #: jumps in a row before stepping frame by frame (a condition false at each hit)
    max_jumps = 16

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: frames predicted by jumps, and jumps given up for frame-by-frame stepping, for measurements
        self.jumps_made = 0
        self.jump_fallbacks = 0

    def _reset_session(self) -> None:
        super()._reset_session()
        #: history indices of jumped-to frames: the history has a gap before each
        self._jump_records: set[int] = set()

    def back(self) -> Stop | None:
        """``back``, and forget the frames after the restored stop if a jump is among
        them: the history has gaps there, so replaying it would step over the gap. The
        next command predicts afresh from the restored stop."""
        stop = super().back()
        if stop is not None and any(i >= self.cursor for i in self._jump_records):
            dropped = len(self.history) - self.cursor
            if self.backend.rewind(dropped):
                del self.history[self.cursor:]
                self._jump_records = {i for i in self._jump_records if i < self.cursor}
        return stop

    def _jump_action(self) -> Action | None:
        can = getattr(self.backend, "can_jump", None)
        if not callable(can) or not self.at_frontier or self._first_pending or self.finished is not None:
            return None
        last = self.stops[-1].view if self.stops else None
        if last is None:
            return None
        action = None
        if self.stopframe is self.botframe and self.stoplineno == -1 and self.returnframe is None:
            if self._breakpoints_expressible():
                action = Action.CONTINUE
        elif self.stopframe is last and self.returnframe is None and self.stoplineno == 0:
            action = Action.STEP_OVER
        elif self.returnframe is last and self.stopframe is last.f_back and self.stoplineno == 0:
            action = Action.STEP_OUT
        return action if action is not None and can(action) else None

    def _breakpoint_list(self) -> list[bdb.Breakpoint]:
        return [bp for bp in bdb.Breakpoint.bpbynumber if bp is not None]

    def _breakpoints_expressible(self) -> bool:
        """Line breakpoints in the program's file only: a function breakpoint or one in
        another file cannot be said to the model (then: frame by frame)."""
        for bp in self._breakpoint_list():
            if bp.enabled and (bp.funcname or self.canonic(bp.file) != self.mainpyfile):
                return False
        return True

    def _breakpoint_lines(self) -> dict[int, str]:
        lines = {bp.line for bp in self._breakpoint_list() if bp.enabled and self.canonic(bp.file) == self.mainpyfile}
        return breakpoint_map(self.backend.source, lines)

    def resume(self) -> Stop | ProgramEnd:
        last = self.stops[-1] if self.stops else None
        if last is not None and last.event == "return" and self.stopframe is last.view and self.stoplineno != -1:
            # bdb: 'next' or 'until' at a return stop stops at the very next event (as
            # Engine.resume does; here before choosing a jump)
            self._set_stopinfo(None, None)
        action = self._jump_action()
        if action is None:
            return super().resume()
        self._stop = None
        for _ in range(self.max_jumps):
            # the activation `next` / `return` was issued in (bdb: stopframe / returnframe)
            scope = {Action.STEP_OVER: self.stopframe, Action.STEP_OUT: self.returnframe}.get(action)
            bps = self._breakpoint_lines() if action is Action.CONTINUE else {}
            try:
                frame = self.backend.jump(action, bps)
            except BackendError:
                if getattr(self.backend, "jumped", False):
                    raise                 # the context is in the action format now: the stop stays
                # no valid target from the plain history: step frame by frame instead, as for
                # a model without actions (a wrong jump must not leave `next` unusable)
                self.jump_fallbacks += 1
                break
            if frame is None:
                return self._end()
            self.jumps_made += 1
            record = self._record(frame, self.backend.info())
            self.history.append(record)
            self.cursor = len(self.history)
            self._jump_records.add(len(self.history) - 1)
            if scope is not None and record.view is not scope and scope not in self._model_stack:
                # The jump landed past the return of that activation without predicting it
                # (pdb would stop there, at '--Return--'; bdb would never stop in the caller
                # now, and the jumps would run on through the program): stop where it landed.
                self._set_stopinfo(None, None)
            self._dispatch(record)
            if self._stop is not None:
                return self._stop
            action = self._jump_action() or None
            if action is None:
                break
        return super().resume()

    def _record(self, frame: Frame, info: FrameInfo):
        """After a jump, bring the model stack to the frame's depth first (the calls and
        returns in between were not seen); then record it as any frame."""
        if info.live is None and getattr(self.backend, "jumped", False) and frame.depth is not None:
            stack = self._model_stack
            depth = frame.depth
            if frame.event is Event.CALL:
                del stack[max(depth, 1):]
            else:
                del stack[max(depth + 1, 1):]
                if depth >= 1 and len(stack) == depth + 1 and frame.function is not None \
                        and stack[-1].f_code.co_name != frame.function:
                    del stack[-1]        # returned into a caller not seen, in the left scope's place
                if len(stack) == depth:  # a scope whose call was not seen
                    parent = stack[-1] if stack else self._synthetic_root()
                    code = self.program.for_call(frame.function, None)
                    stack.append(FrameView(code, parent, lineno=frame.lineno or 0))
        return super()._record(frame, info)
