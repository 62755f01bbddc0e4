"""Step latency of a long predicted session: with the KV cache kept across steps, a step
costs the tokens of the new frame, not the whole trace.

Reproduce (from the repository root; a minute or two on 2 CPU cores):

    python benchmarks/step_latency.py --steps 200
    python benchmarks/step_latency.py --steps 200 --model PATH --device cuda   # any CWM-format model

What runs: the real trace of a long loop (Collatz chains) is the session. At each step the
model generates as many tokens as the next real frame has, on top of the trace so far,
and the session then continues with the real frame (teacher forcing). So every step costs
what a predicted step costs (the prompt so far, one frame of new tokens) for any model,
trained or random, and the trace keeps growing exactly as in a predicted session.

- cached: one :class:`~neural_pdb.model.local.LocalGenerator` for the whole session (what
  ``neural-pdb`` does): each step forwards only the previous frame and the new tokens.
- baseline (CWM's demo): the whole prompt re-encoded at every step (the cache dropped);
  measured on the first and last ten steps only, which is all the summary needs.

``--max-context N`` keeps the model's input within N tokens as the debugger does for a
model with a bounded context (``TraceSession``'s window: the source and the latest frames,
about half of N, moved when full; one re-prefill per move): the step cost is then bounded
by the window instead of growing with the trace.

Without ``--model`` a random CWM-architecture model is built (``--hidden``, ``--layers``;
byte-level tokenizer with CWM's trace tokens). The last line printed is JSON:
``{"step_ms_first10", "step_ms_last10", "baseline_reencode_ms_first10",
"baseline_reencode_ms_last10", ...}`` (mean wall-clock milliseconds per step), with the
same means in CPU time of the process (``*_cpu_ms_*``): on a shared machine the wall clock
also counts time other processes held the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROGRAM = '''\
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


total = 0
for k in range(1, 60):
    total += collatz(k)
print(total)
'''


def build_model(args, workdir: Path):
    from neural_pdb.model.loading import load_model
    if args.model:
        return load_model(args.model, device=args.device, dtype=args.dtype)
    from tests.model.tiny import save_tiny_model
    import torch
    from tests.model.tiny import build_tiny_model, build_tiny_tokenizer
    from trace_format import tokens
    tokenizer = build_tiny_tokenizer()
    ids = tuple(tokenizer.convert_tokens_to_ids(t) for t in (tokens.BEGIN_OF_TEXT, tokens.END_OF_TEXT, tokens.PAD))
    model = build_tiny_model(len(tokenizer), arch="cwm", hidden=args.hidden, layers=args.layers,
                             sliding_window=args.sliding_window, special_ids=ids, max_positions=65536)
    tokenizer.save_pretrained(workdir)
    model.save_pretrained(workdir)
    del torch
    return load_model(str(workdir), device=args.device, dtype=args.dtype)


def session_frames(vocab, steps: int, workdir: Path):
    """Prompt ids and the ids of each real frame, for at least ``steps`` + 1 frames."""
    from neural_pdb.tracer import TraceLimits, trace_script
    from trace_format import TraceEncoder, prompt_segments
    path = workdir / "collatz.py"
    path.write_text(PROGRAM)
    trace = trace_script(str(path), limits=TraceLimits(max_frames=100_000), capture_output=True).trace
    if len(trace.frames) < steps + 1:
        raise SystemExit(f"the program has only {len(trace.frames)} frames; use --steps < {len(trace.frames)}")
    enc = TraceEncoder()
    frames = [vocab.encode_segments(enc.encode(f)) for f in trace.frames[:steps + 1]]
    return vocab.encode_segments(prompt_segments(trace.source)), frames


def timed_step(generator, ids, n_new: int, sync) -> tuple[float, float]:
    """(wall-clock ms, CPU ms of this process) for one step."""
    start, cpu = time.perf_counter(), time.process_time()
    generator.generate(ids, max_new_tokens=n_new, stop_ids=())
    sync()
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--model", default=None, help="a CWM-format model (default: a random tiny CWM model)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default=None)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--sliding-window", type=int, default=None,
                        help="give the random model sliding-window layers of this size")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "1")))
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--max-context", type=int, default=None,
                        help="keep the model's input within N tokens as the debugger does for a model with a "
                             "bounded context (the source and the latest frames, about half of N, moved when full)")
    args = parser.parse_args(argv)

    import torch
    torch.set_num_threads(args.threads)
    from neural_pdb.model.local import LocalGenerator

    sync = torch.cuda.synchronize if args.device and args.device.startswith("cuda") else (lambda: None)
    with tempfile.TemporaryDirectory() as tmp:
        loaded = build_model(args, Path(tmp))
        prompt, frames = session_frames(loaded.vocab, args.steps, Path(tmp))
        ids = list(prompt) + frames[0]          # the forced first frame
        window = 0                              # --max-context: index of the first frame the model sees
        cached = LocalGenerator(loaded.model)
        fresh = LocalGenerator(loaded.model)
        timed_step(cached, ids, 1, sync)        # warm-up (allocations, kernels)
        step_ms, step_cpu, base_ms, base_cpu, lengths = [], [], {}, {}, []
        for i in range(1, args.steps + 1):
            n_new = len(frames[i])
            if args.max_context and len(ids) + n_new > args.max_context:
                # TraceSession's window: the source and the latest frames, about half the
                # context, so that the window moves rarely (one re-prefill each time)
                window = i - 1
                while window > 0 and len(prompt) + sum(map(len, frames[window - 1:i])) <= args.max_context // 2:
                    window -= 1
                ids = list(prompt) + [t for f in frames[window:i] for t in f]
            wall, cpu = timed_step(cached, ids, n_new, sync)
            step_ms.append(wall)
            step_cpu.append(cpu)
            baseline_here = i <= 10 or i > args.steps - 10
            if baseline_here and not args.no_baseline:
                fresh.reset()                   # CWM's demo: the whole prompt every step
                base_ms[i], base_cpu[i] = timed_step(fresh, ids, n_new, sync)
            lengths.append(len(ids))
            ids.extend(frames[i])               # the session goes on with the real frame
            if i % 50 == 0:
                print(f"step {i}: {len(ids)} tokens in the trace, last step {step_ms[-1]:.1f} ms", file=sys.stderr)

    mean = lambda xs: round(statistics.mean(xs), 2)  # noqa: E731
    rows = [("cached (neural-pdb)", step_ms, step_cpu)]
    result = {"step_ms_first10": mean(step_ms[:10]), "step_ms_last10": mean(step_ms[-10:])}
    if base_ms:
        order = sorted(base_ms)
        b_wall, b_cpu = [base_ms[i] for i in order], [base_cpu[i] for i in order]
        rows.append(("re-encode every step (CWM demo)", b_wall, b_cpu))
        result["baseline_reencode_ms_first10"] = mean(b_wall[:10])
        result["baseline_reencode_ms_last10"] = mean(b_wall[-10:])
    # CPU time of this process: on a shared machine, wall-clock time also counts the
    # time other processes held the cores; with one thread, CPU time does not.
    result.update({"step_cpu_ms_first10": mean(step_cpu[:10]), "step_cpu_ms_last10": mean(step_cpu[-10:])})
    if base_ms:
        result.update({"baseline_reencode_cpu_ms_first10": mean(b_cpu[:10]),
                       "baseline_reencode_cpu_ms_last10": mean(b_cpu[-10:])})
    result.update({"steps": args.steps, "trace_tokens_first": lengths[0], "trace_tokens_last": lengths[-1],
                   "mean_frame_tokens": round(statistics.mean(len(f) for f in frames[1:]), 1),
                   "model": loaded.name if args.model else f"random CWM {args.hidden}x{args.layers}",
                   "device": str(loaded.device), "threads": args.threads, "max_context": args.max_context,
                   "cache_stats": vars(cached.stats)})
    print(f"{'':34}{'first 10 steps':>22}{'last 10 steps':>22}   (wall / CPU ms)")
    for name, wall, cpu in rows:
        print(f"{name:34}{mean(wall[:10]):>12.1f} /{mean(cpu[:10]):>7.1f}{mean(wall[-10:]):>14.1f} /{mean(cpu[-10:]):>7.1f}")
    print(f"trace length: {lengths[0]} -> {lengths[-1]} tokens over {args.steps} steps")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
