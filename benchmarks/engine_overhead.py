"""Engine overhead: our generation loop and session against raw ``model.generate`` on the
same tokens.

Reproduce (from the repository root; about a minute on 2 CPU cores):

    python benchmarks/engine_overhead.py
    python benchmarks/engine_overhead.py --model PATH --device cuda   # any CWM-format model

Rows (milliseconds for one frame, median of ``--repeat``):

- ``model.generate``: transformers' greedy generation of exactly the next frame's number
  of tokens, on a ``DynamicCache`` prefilled with the trace so far (a fresh deep copy per
  repeat, copied outside the timing): the library's own cost for one step.
- ``LocalGenerator.generate``: our explicit loop on the same tokens, with its session
  cache (each repeat crops back to the prompt: part of the cost of a real step). Its
  tokens are checked to be the ones ``model.generate`` produced.
- ``TraceSession.predict (no model)``: the rest of a step without any model: tokens to
  segments, parse, ``..`` resolution, line location, confidence, bookkeeping; measured
  with a generator that returns the real next frame instantly.

The last line printed is JSON with all numbers.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.step_latency import build_model, session_frames  # noqa: E402


def median_ms(fn, repeat: int, setup=None) -> float:
    times = []
    for _ in range(repeat):
        arg = setup() if setup else None
        start = time.perf_counter()
        fn(arg)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default=None)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--sliding-window", type=int, default=None)
    parser.add_argument("--frames", type=int, default=40, help="length of the trace so far, in frames")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "1")))
    args = parser.parse_args(argv)

    import torch
    from transformers import DynamicCache

    from neural_pdb.model.local import LocalGenerator
    from neural_pdb.model.session import TraceSession
    from neural_pdb.tracer import TraceLimits, trace_script
    from neural_pdb.model.generator import Generation

    torch.set_num_threads(args.threads)
    sync = torch.cuda.synchronize if args.device and args.device.startswith("cuda") else (lambda: None)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = build_model(args, Path(tmp))
        prompt, frames = session_frames(loaded.vocab, args.frames + 1, Path(tmp))
        trace = trace_script(str(Path(tmp) / "collatz.py"), limits=TraceLimits(max_frames=100_000),
                             capture_output=True).trace
    model, vocab = loaded.model, loaded.vocab
    ids = list(prompt) + [t for f in frames[:args.frames] for t in f]
    n_new = len(frames[args.frames])
    device = loaded.device

    # --- raw transformers generate on a prefilled cache -------------------------------------
    prefilled = DynamicCache(config=model.config)
    with torch.no_grad():
        model(torch.tensor([ids[:-1]], device=device), past_key_values=prefilled, use_cache=True)
    input_ids = torch.tensor([ids], device=device)
    raw_tokens: list[int] = []

    def raw(cache):
        with torch.no_grad():
            out = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), past_key_values=cache,
                                 max_new_tokens=n_new, min_new_tokens=n_new, do_sample=False, eos_token_id=None,
                                 pad_token_id=vocab.id("<|pad|>"))
        sync()
        raw_tokens[:] = out[0, len(ids):].tolist()

    raw(copy.deepcopy(prefilled))   # warm-up
    raw_ms = median_ms(raw, args.repeat, setup=lambda: copy.deepcopy(prefilled))

    # --- our loop, session cache ----------------------------------------------------------
    gen = LocalGenerator(model)
    ours_tokens: list[int] = []

    def ours(_):
        out = gen.generate(ids, max_new_tokens=n_new, stop_ids=())
        sync()
        ours_tokens[:] = out.token_ids

    ours(None)   # prefill (the session's cache), warm-up
    ours_ms = median_ms(ours, args.repeat)

    # --- the session without a model --------------------------------------------------------
    class Replay:
        """Replies instantly with the real next frame."""
        def generate(self, ids, *, max_new_tokens, stop_ids, forced_ids=(), sampling=None):
            reply = frames[args.frames][len(forced_ids):]
            return Generation(tuple(reply), tuple(-0.1 for _ in reply), reply[-1])

        def close(self):
            pass

    session = TraceSession(Replay(), vocab, trace.source)
    session.force_frame(trace.frames[0])
    for frame in trace.frames[1:args.frames]:
        session.force_frame(frame)

    def predict(_):
        session.predict()
        session.rewind(1)

    predict(None)
    if session.predict().frame != trace.frames[args.frames]:
        raise SystemExit("the session did not reproduce the real frame")
    session.rewind(1)
    session_ms = median_ms(predict, args.repeat * 20)

    same = ours_tokens == raw_tokens
    result = {"frame_tokens": n_new, "trace_tokens": len(ids), "model_generate_ms": round(raw_ms, 2),
              "local_generator_ms": round(ours_ms, 2), "session_without_model_ms": round(session_ms, 3),
              "overhead_vs_generate": round(ours_ms / raw_ms - 1, 3), "same_tokens": same,
              "model": loaded.name if args.model else f"random CWM {args.hidden}x{args.layers}",
              "device": str(device)}
    print(f"one frame = {n_new} new tokens after {len(ids)} cached tokens")
    print(f"{'model.generate (prefilled cache)':40}{raw_ms:>10.1f} ms")
    print(f"{'LocalGenerator.generate (session)':40}{ours_ms:>10.1f} ms   ({ours_ms / raw_ms - 1:+.0%})")
    print(f"{'TraceSession.predict (no model)':40}{session_ms:>10.2f} ms")
    print(f"same tokens as model.generate: {same}")
    print(json.dumps(result))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
