"""Teacher-forced scores: which frames count, and lines decoded under the debugger's line
constraint."""

import torch

from neural_pdb.datagen.dataset import read_records, shard_paths
from neural_pdb.training.evaluate import common_frames, score_traces, span_trace
from neural_pdb.training.tokenizer import SegmentEncoder, build_tokenizer, text_segments
from neural_pdb.tracer import trace_call

LOOP = "def f(n):\n    total = 0\n    for i in range(n):\n        total += i\n    return total\n"


class FixedLogits(torch.nn.Module):
    """A 'model' whose logits at every position are given: the true next token (teacher
    forcing) gets ``true_score``, except in the source lines of frames, where a token
    outside every program line (``wrong``) scores highest and the true one second."""

    def __init__(self, ids, line_positions, vocab_size, wrong):
        super().__init__()
        logits = torch.zeros(len(ids), vocab_size)
        for p in range(1, len(ids)):
            logits[p - 1, ids[p]] = 5.0
            if p in line_positions:
                logits[p - 1, wrong] = 9.0
        self.logits = logits

    def forward(self, input_ids):
        return type("Out", (), {"logits": self.logits.unsqueeze(0)})()


def test_the_constraint_recovers_lines_a_model_ranks_second_to_a_token_no_line_has(tiny_data):
    tok = build_tokenizer("byte", text_segments(read_records(shard_paths(tiny_data))), 600)
    enc = SegmentEncoder(tok)
    spanned = span_trace(trace_call(LOOP, "f", "2").trace, enc, 4096)
    line_positions = {p for fs in spanned.frames for p in range(fs.line[0], fs.line[1])}
    wrong = enc.encode_text("@")[0]                       # no line of LOOP has an "@"
    model = FixedLogits(spanned.ids, line_positions, len(tok), wrong)
    free = score_traces(model, [spanned]).summary()
    constrained = score_traces(model, [spanned], constrain_lines_with=enc).summary()
    assert free["next_line"] == 0.0 and free["frame_exact"] == 0.0
    assert constrained["next_line_constrained"] == 1.0 and constrained["frame_exact_constrained"] == 1.0
    assert "next_line_constrained" not in free


def test_the_given_first_frame_is_not_scored_and_any_later_wrong_token_fails_its_frame(tiny_data):
    tok = build_tokenizer("byte", text_segments(read_records(shard_paths(tiny_data))), 600)
    enc = SegmentEncoder(tok)
    trace = trace_call(LOOP, "f", "3").trace
    spanned = span_trace(trace, enc, 4096)
    wrong = enc.encode_text("@")[0]
    # wrong in the entry call's arguments (not in the prompt: no model can know them)
    args = set(range(*spanned.frames[0].locals_))
    scores = score_traces(FixedLogits(spanned.ids, args, len(tok), wrong), [spanned])
    assert scores.frames == len(trace.frames) - 1
    assert scores.frame_exact == scores.frames and scores.locals_exact == scores.locals_total
    assert scores.missed == []
    # one wrong token in a later frame's locals costs exactly that frame
    later = set(range(*spanned.frames[5].locals_))
    scores = score_traces(FixedLogits(spanned.ids, {min(later)}, len(tok), wrong), [spanned])
    assert scores.frame_exact == scores.frames - 1 and scores.next_line == scores.frames
    assert scores.locals_exact == scores.locals_total - 1
    assert scores.missed == [(0, 5)]          # which frame of which trace, for reports


def test_models_with_different_tokenizers_are_cut_to_the_same_frames_of_the_same_text(tiny_data):
    texts = list(text_segments(read_records(shard_paths(tiny_data))))
    byte = SegmentEncoder(build_tokenizer("byte", texts, 600))
    bpe = SegmentEncoder(build_tokenizer("bpe", texts, 600))
    traces = [trace_call(LOOP, "f", str(n)).trace for n in (2, 12)]
    # the byte encoding is longer: in the same window it holds fewer frames of the long trace
    spanned = {"byte": [span_trace(t, byte, 700) for t in traces], "bpe": [span_trace(t, bpe, 700) for t in traces]}
    assert len(spanned["byte"][1].frames) < len(spanned["bpe"][1].frames)
    common = common_frames(spanned)
    for b, p in zip(common["byte"], common["bpe"], strict=True):
        assert len(b.frames) == len(p.frames)
        assert byte.tokenizer.decode(b.ids) == bpe.tokenizer.decode(p.ids)
        assert b.frames[-1].end == len(b.ids) and p.frames[-1].end == len(p.ids)
    assert len(common["byte"][1].frames) == len(spanned["byte"][1].frames)
    # a trace one model cannot span at all is left out for every model
    spanned["bpe"][0] = None
    assert [len(st.frames) for st in common_frames(spanned)["byte"]] == [len(common["byte"][1].frames)]
