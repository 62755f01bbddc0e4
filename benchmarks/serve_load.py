"""Load test for ``neural-pdb serve`` (or any OpenAI-compatible completions server): N
concurrent debugging sessions for a fixed duration; latency percentiles.

Each of ``--concurrency`` clients plays a debugging session: a prompt of
``--prompt-tokens`` ids, then one request per step whose prompt is the previous prompt plus
the tokens generated so far (what ``neural-pdb --backend remote`` sends), with the session's
id as ``user`` so the server reuses that session's KV cache; after ``--steps`` steps the
session starts again. Every request asks for exactly ``--max-tokens`` tokens (no stop ids),
so the work per request is fixed. Concurrency is bounded by the number of clients; the run
stops issuing requests after ``--duration`` seconds and waits for the ones in flight.

    python benchmarks/serve_load.py                       # tiny random model, in process
    python benchmarks/serve_load.py --model PATH          # a real checkpoint, in process
    python benchmarks/serve_load.py --url http://HOST:PORT [--api-key K] [--served-model NAME]

The last line is JSON: requests, errors, throughput and latency percentiles (ms).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from neural_pdb.model.generator import SamplingParams  # noqa: E402
from neural_pdb.model.remote_generator import RemoteConfig, RemoteError, RemoteGenerator  # noqa: E402


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def start_local_server(model: str | None, device: str | None, max_queue: int, max_sessions: int):
    from neural_pdb.model.loading import load_model
    from neural_pdb.serve import CompletionServer, ServeConfig
    if model is None:
        from tests.model.tiny import save_tiny_model
        model = str(save_tiny_model(tempfile.mkdtemp(prefix="serve-load-tiny-")))
        print(f"# model: a tiny random model ({model})", file=sys.stderr)
    loaded = load_model(model, device=device)
    server = CompletionServer(loaded, ServeConfig(port=0, model_name="bench", max_queue=max_queue,
                                                  max_sessions=max_sessions)).start()
    vocab = int(loaded.model.get_input_embeddings().weight.shape[0])
    return server, min(vocab, 256), loaded


def local_latencies(loaded, args, token_range: int) -> list[float]:
    """The same sessions run one at a time on a LocalGenerator in this process, no HTTP:
    the baseline that the server's overhead is measured against."""
    from neural_pdb.model.local import LocalGenerator
    rng = random.Random(0)
    out: list[float] = []
    stop_at = time.monotonic() + args.duration
    while time.monotonic() < stop_at:
        gen = LocalGenerator(loaded.model)
        ids = [rng.randrange(token_range) for _ in range(args.prompt_tokens)]
        for _ in range(args.steps):
            if time.monotonic() >= stop_at:
                break
            started = time.monotonic()
            got = gen.generate(ids, max_new_tokens=args.max_tokens, stop_ids=[], sampling=SamplingParams(0.0))
            out.append(time.monotonic() - started)
            ids = ids + list(got.token_ids)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="an existing server (default: start neural-pdb serve in this process)")
    p.add_argument("--api-key")
    p.add_argument("--served-model", help="model name on the server (default: its first)")
    p.add_argument("--model", help="checkpoint for the in-process server (default: a tiny random model)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads of the in-process server")
    p.add_argument("--concurrency", type=int, default=4, help="concurrent sessions (default 4)")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of load (default 20)")
    p.add_argument("--prompt-tokens", type=int, default=256, help="first prompt of a session (default 256)")
    p.add_argument("--max-tokens", type=int, default=32, help="tokens per request, like one frame (default 32)")
    p.add_argument("--steps", type=int, default=20, help="requests per session before it restarts (default 20)")
    p.add_argument("--no-session-id", action="store_true", help="send no 'user' (the server matches prefixes)")
    p.add_argument("--token-range", type=int, default=None, help="prompt ids are drawn below this (default 256)")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--compare-local", action="store_true",
                   help="also run the sessions one at a time on the model directly (no server), for the overhead")
    p.add_argument("--max-queue", type=int, default=64)
    args = p.parse_args(argv)
    if args.concurrency < 1 or args.duration <= 0:
        p.error("--concurrency and --duration must be positive")

    server = loaded = None
    url, token_range = args.url, args.token_range or 256
    if args.compare_local and url is not None:
        p.error("--compare-local needs the in-process server (no --url)")
    if url is None:
        if args.threads:
            import torch
            torch.set_num_threads(args.threads)
        server, token_range, loaded = start_local_server(args.model, args.device, args.max_queue, args.concurrency * 2)
        url = server.url
    config = RemoteConfig(url, api_key=args.api_key, model=args.served_model, timeout_s=args.timeout, retries=0)

    latencies: list[float] = []
    errors: dict[str, int] = {}
    tokens = {"generated": 0, "prompt": 0, "computed": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + args.duration

    def client(index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < stop_at:
            gen = RemoteGenerator(config, session_id=None if args.no_session_id else f"load-{uuid.uuid4().hex}")
            ids = [rng.randrange(token_range) for _ in range(args.prompt_tokens)]
            for step in range(args.steps):
                if time.monotonic() >= stop_at:
                    return
                started = time.monotonic()
                try:
                    out = gen.generate(ids, max_new_tokens=args.max_tokens, stop_ids=[],
                                       sampling=SamplingParams(temperature=0.0))
                except RemoteError as e:
                    with lock:
                        key = str(e.status or str(e)[:80])
                        errors[key] = errors.get(key, 0) + 1
                    time.sleep(0.05)
                    continue
                elapsed = time.monotonic() - started
                with lock:
                    latencies.append(elapsed)
                    tokens["generated"] += len(out.token_ids)
                    tokens["prompt"] += len(ids)
                    tokens["computed"] += out.prompt_tokens_computed
                ids = ids + list(out.token_ids)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(args.duration + args.timeout + 10)
    wall = time.monotonic() - began
    if server is not None:
        server.shutdown()
    local_ms = sorted(x * 1000 for x in local_latencies(loaded, args, token_range)) if args.compare_local else []

    ms = sorted(x * 1000 for x in latencies)
    result = {
        "url": url if args.url else "in-process neural-pdb serve",
        "concurrency": args.concurrency, "duration_s": round(wall, 2), "prompt_tokens": args.prompt_tokens,
        "max_tokens": args.max_tokens, "session_ids": not args.no_session_id,
        "requests": len(ms), "errors": errors,
        "requests_per_s": round(len(ms) / wall, 2),
        "generated_tokens_per_s": round(tokens["generated"] / wall, 1),
        "prompt_cached_fraction": round(1 - tokens["computed"] / tokens["prompt"], 3) if tokens["prompt"] else None,
        "latency_ms": {"mean": round(statistics.fmean(ms), 1) if ms else None,
                       **{f"p{q}": round(percentile(ms, q), 1) for q in (50, 90, 95, 99)},
                       "max": round(ms[-1], 1) if ms else None},
    }
    if local_ms:
        result["local_direct_latency_ms"] = {"mean": round(statistics.fmean(local_ms), 1),
                                             **{f"p{q}": round(percentile(local_ms, q), 1) for q in (50, 90, 99)}}
    print(f"{result['requests']} requests in {wall:.1f} s from {args.concurrency} sessions: "
          f"p50 {result['latency_ms']['p50']} ms, p99 {result['latency_ms']['p99']} ms, "
          f"{result['requests_per_s']} req/s, errors {errors or 'none'}", file=sys.stderr)
    print(json.dumps(result))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
