"""CWM's trace tokens, by name, with the ids CWM's own tokenizer gives them.

Other tokenizers (ours included) give the same strings other ids: always look a token
up by its string, never by these ids.
"""

from __future__ import annotations

from typing import Final

BEGIN_OF_TEXT: Final = "<|begin_of_text|>"
END_OF_TEXT: Final = "<|end_of_text|>"
PAD: Final = "<|pad|>"
FRAME_SEP: Final = "<|frame_sep|>"
ACTION_SEP: Final = "<|action_sep|>"
RETURN_SEP: Final = "<|return_sep|>"
CALL_SEP: Final = "<|call_sep|>"
LINE_SEP: Final = "<|line_sep|>"
EXCEPTION_SEP: Final = "<|exception_sep|>"
ARG_SEP: Final = "<|arg_sep|>"
TRACE_CONTEXT_START: Final = "<|trace_context_start|>"

#: Token string -> id in CWM's tokenizer (reference only).
CWM_TOKEN_IDS: Final[dict[str, int]] = {
    BEGIN_OF_TEXT: 128000,
    END_OF_TEXT: 128001,
    PAD: 128004,
    FRAME_SEP: 128100,
    ACTION_SEP: 128101,
    RETURN_SEP: 128102,
    CALL_SEP: 128103,
    LINE_SEP: 128104,
    EXCEPTION_SEP: 128105,
    ARG_SEP: 128106,
    TRACE_CONTEXT_START: 128107,
}

#: Every token a model must have, as a single special token, to speak the format.
TRACE_TOKENS: Final[tuple[str, ...]] = tuple(CWM_TOKEN_IDS)

#: The tokens that open a frame, one per event.
EVENT_TOKENS: Final[tuple[str, ...]] = (CALL_SEP, LINE_SEP, RETURN_SEP, EXCEPTION_SEP)
