"""The model backend, able to jump: a debugger action's target frame in one prediction.

:class:`ActionModelBackend` is the model backend plus ``can_jump(action)`` and
``jump(action, breakpoints)``: the target frame of a debugger action, predicted in one go
(:class:`~neural_pdb.inverse.action_session.ActionSession`) from the plain history
predicted so far. Once it has jumped, the frames in between are not in the model's
context, so it goes on in the action format: ``step`` is ``<|npdb:step_into|>``, a
skipped call is ``<|npdb:step_out|>``. The engine that asks for jumps is
:class:`neural_pdb.inverse.jump_engine.JumpEngine`.

A jump does not see the calls and returns it skips. A frame is placed by its function:
the current function, a caller on the stack (returned to), or else a scope the jumps did
not see (``where`` then shows one level for the unseen frames between).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import replace
from typing import Any, Mapping, Sequence

from neural_pdb.backends.model import ModelBackend
from neural_pdb.engine.backend import BackendError, FrameInfo
from trace_format import Event, Frame
from trace_format.actions import Action, supported_actions

from .action_session import ActionError, ActionSession


#: the debugger commands a jump can answer, by their ``--jumps`` names
JUMPABLE: dict[str, Action] = {"next": Action.STEP_OVER, "return": Action.STEP_OUT, "continue": Action.CONTINUE}


def parse_jumps(text: str) -> set[Action]:
    """``--jumps`` (a comma list of next, return, continue; or none) as actions.
    Raises ``ValueError`` with a one-line message."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if names == ["none"]:
        return set()
    unknown = [n for n in names if n not in JUMPABLE]
    if unknown or not names:
        raise ValueError(f"--jumps: {', '.join(unknown) or repr(text)} is not one of next, return, continue, none")
    return {JUMPABLE[n] for n in names}


#: Off by default: on the default model every jump is right less often than the rollout
#: it replaces (benchmarks/results/action_jumps.md: next 1/8 vs 5/8, return 1/8 vs 3/8,
#: continue 0/8 vs 2/8), a `continue` to a breakpoint jumped past it in the demos, and
#: after a jump every later step is an action prediction too. Rollouts cost more only
#: in long runs (the repeated-state stop bounds a loop the model does not leave).
DEFAULT_JUMPS = "none"


def add_jump_arguments(parser: Any) -> None:
    parser.add_argument_group("jumps (a model trained on debugger actions)").add_argument(
        "--jumps", default=DEFAULT_JUMPS, metavar="CMDS",
        help="commands answered by one prediction of their target instead of frame by frame: a comma list "
             "of next, return, continue, or none (default: %(default)s; after a jump every step is an "
             "action prediction)")


class ActionModelBackend(ModelBackend):
    """A :class:`ModelBackend` that can also jump (see the module docstring)."""

    def __init__(self, *args: Any, actions: set[Action] | None = None, start_state: Frame | None = None,
                 jump_actions: set[Action] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: the commands answered by a jump when the model can (``--jumps``); the others roll out
        self.jump_actions: set[Action] = parse_jumps(DEFAULT_JUMPS) if jump_actions is None else set(jump_actions)
        #: a state given in full to start from (``--start LINE --locals JSON``)
        self.start_state = start_state
        if actions is None:
            inner = getattr(self.generator, "inner", self.generator)
            config = getattr(getattr(inner, "model", None), "config", None)
            actions = supported_actions(config if config is not None else inner)
        self.actions: set[Action] = set(actions)
        self._reset_jumps()

    def _reset_jumps(self) -> None:
        self._jumps: ActionSession | None = None
        self._names: list[str] = []     # function of each open scope, index = depth
        self._returned = False          # the last frame was a return: its scope closes next
        self._jump_info: list[FrameInfo] = []
        self._jump_finished = False
        self._active = False            # jumped: from here on every step is an action

    def can_act(self, action: Action) -> bool:
        """The model can answer ``action`` (after a jump every step is an action, so
        stepping must be one too)."""
        return action in self.actions and Action.STEP_INTO in self.actions and Action.STEP_OUT in self.actions

    def can_jump(self, action: Action) -> bool:
        """The engine should answer this command by a jump: the model can, and ``--jumps``
        lets it."""
        return action in self.jump_actions and self.can_act(action)

    @property
    def jumped(self) -> bool:
        return self._active

    # --- where frames stand -----------------------------------------------------------------

    def _advance_names(self, frame: Frame, action: Action | None = None) -> Frame:
        """Move the scope names past ``frame`` and give it its depth, by its function: a
        call opens a scope; another frame runs in the current scope if it is that
        function's, else in the nearest caller of that name (returned to), else in a
        scope the jumps did not see: after ``step_over`` or ``step_out``, which never stop
        in a callee, a caller returned to (it takes the left scope's place); otherwise a
        callee that was entered. Placing by function corrects itself: a scope placed too
        shallow after a jump is placed right once it returns."""
        names = self._names
        if self._returned:
            if names:
                names.pop()
            self._returned = False
        fn = frame.function or "?"
        if frame.event is Event.CALL:
            depth = len(names)
            names.append(fn)
        else:
            if names and names[-1] == fn:
                depth = len(names) - 1
            elif fn in names:
                depth = len(names) - 1 - names[::-1].index(fn)
                del names[depth + 1:]
            else:
                if action in (Action.STEP_OVER, Action.STEP_OUT) and names:
                    names.pop()
                depth = len(names)
                names.append(fn)
            if frame.event is Event.RETURN:
                self._returned = True
        if frame.depth != depth:
            frame = frame.with_position(frame.lineno, frame.function, depth)
        return frame

    def _replay_names(self) -> None:
        self._names, self._returned = [], False
        if self.start_state is not None:
            self._advance_names(self.start_state.with_position(self.start_state.lineno, self.start_state.function, None))
        for f in self.session.frames:
            self._advance_names(f)
        if self._jumps is not None:
            for step in self._jumps.steps:
                self._advance_names(step.result.frame, step.result.action)

    # --- jumping --------------------------------------------------------------------------

    def _new_action_session(self) -> ActionSession:
        """An action context over this backend's generator, with the session's settings."""
        c = self.config
        return ActionSession(self.generator, self.session.vocab, self.source, temperature=c.temperature,
                             top_p=c.top_p, seed=c.seed, max_frame_tokens=c.max_frame_tokens,
                             max_retries=c.max_retries, constrain_lines=c.constrain_lines)

    def _open_jumps(self) -> ActionSession:
        if self._jumps is None:
            current = self.session.current
            if current is None:
                raise BackendError("no frame to jump from")
            session = self._new_action_session()
            session.start_from_ids(self.session.ids, current.frame)
            self._jumps = session
            self._replay_names()
        return self._jumps

    def jump(self, action: Action, breakpoints: Mapping[int, str] | Sequence[int] = ()) -> Frame | None:
        """The frame ``action`` leads to; None once the program has finished."""
        if self._jump_finished or (self._jumps is None and self.session.finished):
            return None
        if not self.can_act(action):
            raise BackendError(f"this model was not trained on {action.value}")
        session = self._open_jumps()
        if len(session.steps) + len(self.session.records) >= self.config.max_frames:
            raise BackendError(f"stopped: the model predicted {self.config.max_frames} frames "
                               "(limit; raise it with --max-frames)")
        cur = session.current
        if cur is not None and cur.event is Event.RETURN and cur.depth == 0:
            self._jump_finished = True
            return None
        try:
            result = session.predict(action, breakpoints if action is Action.CONTINUE else None)
        except ActionError as e:
            if not session.steps:
                self._reset_jumps()
            raise BackendError(str(e), raw=e.raw) from None
        frame = self._advance_names(result.frame, action)
        if frame is not result.frame:
            session.steps[-1].result = replace(result, frame=frame)
        self._jump_info.append(FrameInfo(predicted=True, confidence=result.confidence))
        self._active = True
        return frame

    # --- the Backend protocol in action mode ---------------------------------------------

    def next_frame(self, skip_call: bool = False) -> Frame | None:
        if not self._active:
            return super().next_frame(skip_call)
        current = self._jumps.current
        action = Action.STEP_OUT if skip_call and current is not None and current.event is Event.CALL else Action.STEP_INTO
        return self.jump(action)

    def info(self) -> FrameInfo:
        if self.jumped and self._jump_info:
            return self._jump_info[-1]
        return super().info()

    def start(self) -> Frame | None:
        self._reset_jumps()
        if self.start_state is None:
            return super().start()
        if not self.can_act(Action.STEP_INTO):
            raise BackendError("starting mid-program (--start) needs a model trained on actions "
                               "(its config has no npdb_actions)")
        self._started = True
        session = self._new_action_session()
        session.start_state(self.start_state)
        self._jumps = session
        self._active = True
        self._jump_info = [FrameInfo(predicted=False)]
        # the scope it starts in is the outermost one known: its return ends the session
        return self._advance_names(self.start_state.with_position(self.start_state.lineno,
                                                                  self.start_state.function, None))

    def rewind(self, n_frames: int) -> bool:
        if not self.jumped:
            return super().rewind(n_frames)
        steps = len(self._jumps.steps)
        if n_frames <= steps:
            self._jumps.rewind(n_frames)
            del self._jump_info[len(self._jump_info) - n_frames:]
            self._jump_finished = False
            plain = self.session.current
            if not self._jumps.steps and self.start_state is None and plain is not None \
                    and self._jumps.start_frame is plain.frame:
                self._reset_jumps()  # back before the first jump: plain stepping again
            else:
                self._replay_names()
            return True
        if self.start_state is not None:
            return False  # nothing was predicted before the given state
        self._reset_jumps()
        return super().rewind(n_frames - steps)

    def edit_locals(self, changes: dict[str, str]) -> Frame:
        if not self.jumped:
            return super().edit_locals(changes)
        current = self._jumps.current
        if current is None or not current.has_locals:
            raise BackendError("this frame has no locals to edit")
        values = dict(current.locals)
        values.update(changes)
        edited = current.with_locals(values)
        # the edited state is given in full: the model goes on from it, history unknown
        self._jumps.start_state(edited)
        return edited

    @property
    def frames(self) -> list[Frame]:
        jumped = [s.result.frame for s in self._jumps.steps] if self._jumps is not None else []
        given = [self._jumps.start_frame] if self.start_state is not None and self._jumps is not None else []
        return self.session.frames + given + jumped

    def evaluate(self, expression: str, frame_index: int) -> Any:
        frames = self.frames
        if not -len(frames) <= frame_index < len(frames):
            raise IndexError(f"no frame {frame_index}")
        frame = frames[frame_index]
        namespace: dict[str, Any] = {}
        items = frame.local_items if frame.has_locals else [("__return__", frame.value or "")]
        for name, text in items:
            try:
                namespace[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                pass
        return eval(compile(expression, "<string>", "eval"), {"__builtins__": builtins}, namespace)
