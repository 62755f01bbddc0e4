"""``neural-pdb serve``: one model loaded once, many debugging sessions over HTTP.

The server speaks the OpenAI-compatible completions API that existing inference servers
(vLLM) speak, with token-id prompts, so ``neural-pdb --backend remote`` works against it
and against vLLM alike. Modules: ``config`` (settings), ``protocol`` (request validation,
response shapes; no torch), ``worker`` (the model thread, bounded queue, per-session KV
caches), ``server`` (HTTP endpoints, auth, limits, graceful shutdown).

Serving CWM itself on GPUs is vLLM's job; these flags keep the trace tokens intact and the
answers those of a local session::

    vllm serve facebook/cwm --served-model-name cwm --tensor-parallel-size 4 \
        --enable-prefix-caching --enable-prompt-tokens-details \
        --logprobs-mode raw_logprobs --generation-config vllm --api-key "$KEY"

- prompts go as token ids (the client never sends text, so nothing is re-tokenized and
  source text cannot become a control token);
- the client asks per request for ``skip_special_tokens: false`` and
  ``spaces_between_special_tokens: false`` (trace tokens stay in the text),
  ``return_tokens_as_token_ids`` / ``return_token_ids`` (ids back, not text),
  ``stop_token_ids`` = ``<|frame_sep|>``, ``<|end_of_text|>`` with ``ignore_eos`` (stop
  exactly where a local session stops), and ``user`` = the session id;
- ``--enable-prefix-caching``: a step costs its new tokens (the trace so far is cached);
  ``--enable-prompt-tokens-details`` reports how much was cached;
- ``--logprobs-mode raw_logprobs``: confidence from the model's own distribution, as
  locally; ``--generation-config vllm``: no sampling defaults (repetition penalty, top-k)
  taken from the checkpoint's generation config behind the client's back.

Greedy answers of a vLLM server equal a local session's up to numerical near-ties (its
kernels differ from transformers'); ``neural-pdb serve`` runs the local generator itself,
so its answers are identical, sampled ones included.
"""

from .config import ServeConfig
from .protocol import ApiError
from .server import CompletionServer

__all__ = ["ApiError", "CompletionServer", "ServeConfig"]
