"""Language models that speak CWM's trace format: loading, tokenization per segment,
generation with a KV cache kept across steps, and the prediction session.

Public API (import from the submodules; importing this package is cheap, torch and
transformers are imported only by ``loading`` and ``local``):

- ``generator``: :class:`TokenGenerator` (the one seam to a model: extend full token ids,
  with forced ids, stop ids, a token limit and sampling), :class:`Generation`,
  :class:`SamplingParams`, :class:`GenerationError`.
- ``local``: ``LocalGenerator(model)``, a TokenGenerator over a transformers model with
  one ``DynamicCache`` per session, cropped on rollback, re-prefilled only when it cannot
  be cropped.
- ``loading``: ``load_model(path_or_id=None, device=None, dtype=None,
  local_files_only=None) -> LoadedModel`` (model, tokenizer, vocab); ``ModelLoadError``
  (one line); ``DEFAULT_MODEL_DIR``.
- ``vocab``: ``TraceVocab.from_tokenizer(tokenizer)``: trace token ids by string,
  ``encode_segments`` (text with special-token parsing off), ``to_segments`` (ids back).
- ``session``: ``TraceSession(generator, vocab, source, PredictionConfig())``: the
  trace so far as ids; ``force_frame``, ``predict(forced_event)``, ``rewind``,
  ``edit_locals``, ``restart``; per-frame and per-value confidence.

The debugger's backend over all this is :class:`neural_pdb.backends.model.ModelBackend`.
"""

from .generator import Generation, GenerationError, SamplingParams, TokenGenerator

__all__ = ["Generation", "GenerationError", "SamplingParams", "TokenGenerator"]
