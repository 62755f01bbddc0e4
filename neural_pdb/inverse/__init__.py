"""Inverse execution: which earlier states, which inputs, lead to a state?

- :mod:`.propose`: candidate call frames from any CWM-format model (sampled call
  frames), or conditioned on the state by an inverse-trained model
  (``<|npdb:back_to_call|>``);
- :mod:`.verify`: a candidate is checked by forward prediction (the model runs the
  function on it) or by real execution in a sandbox (``--verify real``);
- :mod:`.search`: propose, check, rank: :func:`search_inputs`;
- :mod:`.eval_task`: ``neural-pdb eval --task input`` (CruxEval-I).
"""

from .propose import GivenProposer, ModelProposer
from .search import ScoredCandidate, return_states, search_inputs
from .verify import Candidate, Check, RealVerifier, SessionVerifier, TargetState, candidate_from_call_locals

__all__ = ["GivenProposer", "ModelProposer", "ScoredCandidate", "return_states", "search_inputs", "Candidate",
           "Check", "RealVerifier", "SessionVerifier", "TargetState", "candidate_from_call_locals"]
