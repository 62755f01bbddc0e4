"""Teacher-forced next-frame accuracy of a trained model, and its generation speed.

For every trace of a set, one forward pass over the true trace; a frame counts as right
when the model's argmax is right at all of its tokens (= greedy decoding of that frame
from the true history reproduces it). Sets: the held-out generated programs
(``heldout.jsonl`` of ``neural-pdb data``: single calls and whole scripts, never in
training) and cruxeval-dev (each program traced for real on its input). Metrics: frame
exact match, next line (event + source line), locals exact match (call/line frames),
return value (the entry's return frame: CruxEval output prediction, teacher-forced),
then greedy generation speed (tokens/s, seconds per frame) with the model backend's own
generator (a KV cache kept across frames). ``next_line_constrained`` and
``frame_exact_constrained``: the same with the source line decoded as the debugger decodes
it, among the lines of the frame's scope (``neural_pdb.model.constraint``).

Reproduce::

    python benchmarks/default_model.py --model neural_pdb/default_model --heldout runs/data/heldout.jsonl \
        --out neural_pdb/default_model/metrics.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neural_pdb.datagen.dataset import DEFAULT_CRUXEVAL, read_records  # noqa: E402
from neural_pdb.training.evaluate import score_traces, span_trace  # noqa: E402
from neural_pdb.training.tokenizer import SegmentEncoder  # noqa: E402
from trace_format import Trace, tokens  # noqa: E402


def cruxeval_traces(path: str, limit: int | None) -> list[Trace]:
    from neural_pdb.tracer import TraceLimits, trace_call
    out = []
    for record in read_records([path]):
        if limit is not None and len(out) >= limit:
            break
        result = trace_call(record["code"], "f", record["input"], limits=TraceLimits(max_frames=2000, max_seconds=5))
        if result.trace.frames and not result.stopped:
            out.append(result.trace)
    return out


def generation_speed(model, tokenizer, traces: list[Trace], frames: int = 40) -> dict:
    """Greedy frame-by-frame rollout from each trace's prompt with the KV-cached generator."""
    from neural_pdb.model.generator import SamplingParams
    from neural_pdb.model.local import LocalGenerator
    from trace_format.encode import prompt_segments

    enc = SegmentEncoder(tokenizer)
    stops = [enc.special[tokens.FRAME_SEP], enc.special[tokens.END_OF_TEXT]]
    n_tokens, n_frames, seconds = 0, 0, 0.0
    for trace in traces:
        gen = LocalGenerator(model)
        ids = enc.encode(prompt_segments(trace.source))
        for _ in range(frames):
            t0 = time.time()
            out = gen.generate(ids, max_new_tokens=256, stop_ids=stops, sampling=SamplingParams())
            seconds += time.time() - t0
            ids += list(out.token_ids)
            n_tokens += len(out.token_ids)
            n_frames += 1
            if out.stop_id != stops[0] or len(ids) > model.config.max_position_embeddings - 256:
                break
        gen.close()
    return {"tokens_per_s": round(n_tokens / seconds, 1), "seconds_per_frame": round(seconds / max(1, n_frames), 3),
            "frames": n_frames}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="neural_pdb/default_model")
    p.add_argument("--heldout", default="runs/data/heldout.jsonl")
    p.add_argument("--cruxeval", default=str(DEFAULT_CRUXEVAL), help="cruxeval-dev JSONL (none: skip that set)")
    p.add_argument("--limit", type=int, default=None, help="at most N traces per set")
    p.add_argument("--speed-traces", type=int, default=5, help="traces to time generation on (0: no speed run)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", help="write the results as JSON here")
    args = p.parse_args()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(args.model, local_files_only=True)
    model.eval()
    enc = SegmentEncoder(tokenizer)
    ctx = model.config.max_position_embeddings
    sets = {}
    if Path(args.heldout).exists():
        held = [Trace.from_json(r["trace"]) for r in read_records([args.heldout])]
        sets["heldout"] = held[: args.limit] if args.limit else held
    if args.cruxeval != "none" and Path(args.cruxeval).exists():
        sets["cruxeval-dev"] = cruxeval_traces(args.cruxeval, args.limit)
    results: dict = {"model": args.model, "context": ctx}
    for name, traces in sets.items():
        spanned = [s for s in (span_trace(t, enc, ctx) for t in traces) if s is not None]
        complete = sum(len(s.frames) == len(t.frames) for s, t in zip(spanned, traces))
        t0 = time.time()
        scores = score_traces(model, spanned, constrain_lines_with=enc).summary()
        results[name] = {**scores, "traces": len(spanned), "traces_within_context": complete,
                         "seconds": round(time.time() - t0, 1)}
        print(name, results[name], flush=True)
    if sets and args.speed_traces > 0:
        first = next(iter(sets.values()))
        results["generation"] = generation_speed(model, tokenizer, first[: args.speed_traces])
        print("generation", results["generation"], flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
