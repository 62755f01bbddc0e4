"""Language models that speak CWM's trace format: loading, tokenization per segment,
generation with a KV cache kept across steps, and the prediction session.

Importing this package is cheap; torch and transformers are imported by the modules that
need them (``loading``, ``local``), so a remote client can use the rest without them.
"""

from .generator import Generation, GenerationError, SamplingParams, TokenGenerator

__all__ = ["Generation", "GenerationError", "SamplingParams", "TokenGenerator"]
