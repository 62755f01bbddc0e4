"""The shipped default model: loads offline from the package, speaks the trace format,
fits the size limit, and predicts a simple loop's trace."""

from pathlib import Path

import pytest

from neural_pdb.evaluation.simple_loops import PROGRAMS
from neural_pdb.model.loading import DEFAULT_MODEL_DIR
from trace_format import ACTION_TOKENS, tokens

pytestmark = pytest.mark.skipif(not (Path(DEFAULT_MODEL_DIR) / "config.json").exists(),
                                reason="no shipped default model in this checkout")

LOOP, LOOP_ARGS = PROGRAMS["sum range(n)"]     # never in the training data (datagen.dedup)


@pytest.fixture(scope="module")
def shipped():
    from transformers import AutoModelForCausalLM, AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(DEFAULT_MODEL_DIR, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(DEFAULT_MODEL_DIR, local_files_only=True)
    return model.eval(), tokenizer


def test_loads_offline_with_the_trace_tokens_as_single_special_tokens(shipped):
    model, tokenizer = shipped
    for t in tokens.TRACE_TOKENS + tuple(ACTION_TOKENS):
        tid = tokenizer.convert_tokens_to_ids(t)
        assert tid is not None and tid != tokenizer.unk_token_id and tid < model.config.vocab_size
        assert tokenizer(t, add_special_tokens=False)["input_ids"] != [tid]  # text never becomes a control token
    assert tokenizer.eos_token == tokens.END_OF_TEXT and tokenizer.pad_token == tokens.PAD
    assert model.config.model_type == "cwm"


def test_within_the_size_limit_and_has_a_model_card():
    size = sum(p.stat().st_size for p in Path(DEFAULT_MODEL_DIR).rglob("*") if p.is_file())
    assert size <= 64 * 1024 * 1024
    card = (Path(DEFAULT_MODEL_DIR) / "MODEL_CARD.md").read_text()
    for section in ("Data", "Training", "Metrics", "neural-pdb train", "neural-pdb data"):
        assert section in card


def test_predicts_a_simple_loop_exactly(shipped):
    """Greedy decoding frame by frame from the true history reproduces every frame (checked
    teacher-forced: all argmax tokens right is the same as greedy reproducing the frame)."""
    from neural_pdb.tracer import trace_call
    from neural_pdb.training.evaluate import score_traces, span_trace
    from neural_pdb.training.tokenizer import SegmentEncoder

    model, tokenizer = shipped
    trace = trace_call(LOOP, "f", LOOP_ARGS).trace
    spanned = span_trace(trace, SegmentEncoder(tokenizer), model.config.max_position_embeddings)
    scores = score_traces(model, [spanned])
    assert scores.frames == len(trace.frames) - 1      # the call frame is given (its argument n)
    assert scores.frame_exact == scores.frames, scores.summary()
