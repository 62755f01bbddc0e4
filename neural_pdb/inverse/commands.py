"""The debugger's inverse commands: ``rstep``, ``rnext``, ``rreturn``, ``inputs``.

A mixin for the pdb-style command class (``neural_pdb.shell.debugger.Debugger``): it
needs ``self.stop`` (the engine's current stop, with ``index`` and ``frame``),
``self.engine.history``, ``self.backend``, ``self.message``/``self.error``.

- ``rstep`` shows the frame before this stop, ``rnext`` the previous stop of this scope,
  ``rreturn`` this scope's call frame. Where that frame was predicted or recorded in
  this session it is read from the history (``back`` travels there); otherwise (the
  session started mid-program, the history was cut, or ``predict`` is given after an
  edit) an inverse-trained model predicts it in one step. Repeating an inverse command
  goes on backwards from the state it showed; any forward command starts over from the
  new stop.
- ``inputs [N] [real]`` proposes N arguments for the current function that lead to this
  state: sampled call frames (any model) or ``back_to_call`` predictions (an
  inverse-trained model), each checked by forward prediction, or by running the
  function for real in a sandbox with ``real``, and lists them ranked with their scores.

The commands show states; they do not move the session (its stepping state stays bdb's).
"""

from __future__ import annotations

from typing import Any

from trace_format import Event, Frame, TraceFormatError
from trace_format.actions import Action, supported_actions
from trace_format.state_tree import StateTree

_INVERSE_WORDS = {"rstep": Action.STEP_BACK_INTO, "rnext": Action.STEP_BACK_OVER, "rreturn": Action.BACK_TO_CALL}


def model_parts(backend: Any) -> tuple[Any, Any, set[Action]]:
    """(generator, vocab, supported actions) of a model backend; (None, None, set()) for
    a backend without a model."""
    generator = getattr(backend, "generator", None)
    session = getattr(backend, "session", None)
    vocab = getattr(session, "vocab", None) or getattr(backend, "vocab", None)
    if generator is None or vocab is None:
        return None, None, set()
    inner = getattr(generator, "inner", generator)
    # a local model's config says which actions it was trained on; another generator
    # (remote, scripted) may say it itself
    config = getattr(getattr(inner, "model", None), "config", None)
    return generator, vocab, supported_actions(config if config is not None else inner)


def describe_frame(frame: Frame, filename: str) -> list[str]:
    """pdb-like lines for a frame shown by an inverse command."""
    where = f"> {filename}({frame.lineno if frame.lineno is not None else '?'}){frame.function or '?'}()"
    if frame.event is Event.RETURN:
        where += f"->{frame.value}"
    lines = [where, f"-> {frame.source_line.strip()}"]
    if frame.event is Event.EXCEPTION:
        lines.append(f"   exception: {frame.value}")
    elif frame.has_locals:
        for name, value in frame.local_items:
            lines.append(f"   {name} = {value}")
    return lines


class InverseCommands:
    """Mixin: add to the command class's bases (before ``pdb.Pdb``)."""

    #: where a chain of inverse commands stands: (stop index, frame index in the history
    #: or None, ActionSession or None)
    _inverse_chain: tuple[int, int | None, Any] | None = None

    def _history_frames(self) -> list[Frame]:
        stop = getattr(self, "stop", None)
        if stop is None:
            return []
        return [r.frame for r in self.engine.history[:stop.index + 1]]

    def _model_session(self, start: Frame):
        """An ActionSession started from ``start`` (a state given in full), or None without
        an inverse-trained model."""
        from .action_session import ActionSession

        generator, vocab, actions = model_parts(self.backend)
        if generator is None or not (actions & set(_INVERSE_WORDS.values())):
            return None
        session = ActionSession(generator, vocab, self.backend.source)
        session.start_state(start)
        return session

    def _inverse(self, word: str, arg: str) -> None:
        from .action_session import ActionError

        action = _INVERSE_WORDS[word]
        stop = getattr(self, "stop", None)
        if stop is None or stop.frame is None:
            self.error("no current frame")
            return
        if arg.strip() not in ("", "predict"):
            self.error(f"{word}: unknown argument {arg.strip()!r} ({word} [predict])")
            return
        predict = arg.strip() == "predict"
        chain = self._inverse_chain if self._inverse_chain and self._inverse_chain[0] == stop.index else None
        if predict:
            chain = None
        frames = self._history_frames()
        at, session = (chain[1], chain[2]) if chain else (len(frames) - 1, None)
        if session is None and not predict and frames:
            try:
                target = StateTree(frames).target(at, action)
            except TraceFormatError:
                target = None
            # a jump left a gap in the history (the frames it skipped are not there): a
            # target across it would be wrong, so the model predicts it instead
            gaps = getattr(self.engine, "_jump_records", ())
            if target is not None and any(target < g <= at for g in gaps):
                target = None
            if target is not None:
                self._inverse_chain = (stop.index, target, None)
                self.message(f"<-- {word}: frame {target} of this session's history (use 'back' to travel there)")
                for line in describe_frame(frames[target], self.mainpyfile):
                    self.message(line)
                return
        if session is None:
            start = frames[at] if (frames and at is not None and not predict) else stop.frame
            session = self._model_session(start)
        if session is None:
            self.error(f"{word}: the earlier state is not in this session's history and this model was not "
                       "trained on inverse actions (try 'inputs')")
            return
        try:
            result = session.predict(action)
        except ActionError as e:
            self.error(f"{word}: {e}")
            return
        self._inverse_chain = (stop.index, None, session)
        conf = "" if result.confidence is None else f", confidence {result.confidence:.2f}"
        self.message(f"<-- {word}: predicted earlier state ({action.value}{conf})")
        for line in describe_frame(result.frame, self.mainpyfile):
            self.message(line)

    # -- commands -------------------------------------------------------------------------
    def do_rstep(self, arg: str) -> None:
        """rstep [predict]
        Show the frame before this one (inverse step). From the session's
        history when it is there; else predicted by an inverse-trained model
        ('predict' forces a prediction, e.g. after editing a value).
        Repeat to go further back."""
        self._inverse("rstep", arg)

    def do_rnext(self, arg: str) -> None:
        """rnext [predict]
        Show the previous stop in this function (inverse next): the frame of
        this scope before this one, or the caller's line that made the call."""
        self._inverse("rnext", arg)

    def do_rreturn(self, arg: str) -> None:
        """rreturn [predict]
        Show this function's call frame: the arguments that led here."""
        self._inverse("rreturn", arg)

    def do_inputs(self, arg: str) -> None:
        """inputs [N] [real]
        Propose N (default 5) arguments for the current function that lead to
        this state, checked by forward prediction (or, with 'real', by running
        the function for real in a sandbox with a time limit), ranked by score
        (1.00: reaches this state exactly; less: the share of values matched).
        Ctrl-C stops the checks and lists what was checked."""
        from .propose import ModelProposer
        from .search import search_inputs
        from .verify import RealVerifier, SessionVerifier, TargetState
        from .calls import is_top_level_function

        stop = getattr(self, "stop", None)
        if stop is None or stop.frame is None:
            self.error("no current frame")
            return
        words = arg.split()
        real = "real" in words
        numbers = [w for w in words if w.isdigit()]
        unknown = [w for w in words if w != "real" and not w.isdigit()]
        if unknown:
            self.error(f"inputs: unknown argument {unknown[0]!r} (inputs [N] [real])")
            return
        n = int(numbers[0]) if numbers else 5
        frame = stop.frame
        function = frame.function
        source = self.backend.source
        if not function or function == "<module>":
            self.error("inputs: the current frame is not inside a function")
            return
        generator, vocab, actions = model_parts(self.backend)
        if generator is None:
            self.error("inputs: proposing inputs needs a model backend (--backend model)")
            return
        if real and not is_top_level_function(source, function):
            self.error(f"inputs: {function}() is not a top-level function: it cannot be run on its own")
            return
        target = TargetState(function, frame)
        inverse = Action.BACK_TO_CALL in actions
        proposer = ModelProposer(generator, vocab, inverse=inverse)
        verifier = RealVerifier() if real else SessionVerifier(generator, vocab, max_frames=150)
        ranked = search_inputs(source, target, proposer, verifier, n=n)
        how = "running it for real" if real else "forward prediction"
        if not ranked:
            self.error(f"inputs: the model proposed no valid call of {function}() in {n} samples")
            return
        reached = sum(1 for s in ranked if s.reached)
        self.message(f"Inputs of {function}() leading to line {frame.lineno}: {reached} of {len(ranked)} "
                     f"candidates reach this state ({'back_to_call' if inverse else 'sampled calls'}, "
                     f"checked by {how})")
        for k, s in enumerate(ranked, 1):
            mark = "reached" if s.reached else ""
            note = f"  ({s.check.error})" if s.check.error and not s.reached else ""
            self.message(f"{k:3}. {function}({s.candidate.args})  score {s.score:.2f} {mark}{note}".rstrip())
