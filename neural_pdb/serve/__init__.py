"""``neural-pdb serve``: one model loaded once, many debugging sessions over HTTP.

The server speaks the OpenAI-compatible completions API that existing inference servers
(vLLM) speak, with token-id prompts, so ``neural-pdb --backend remote`` works against it
and against vLLM alike. Modules: ``config`` (settings), ``protocol`` (request validation,
response shapes; no torch), ``worker`` (the model thread, bounded queue, per-session KV
caches), ``server`` (HTTP endpoints, auth, limits, graceful shutdown).
"""

from .config import ServeConfig
from .protocol import ApiError
from .server import CompletionServer

__all__ = ["ApiError", "CompletionServer", "ServeConfig"]
