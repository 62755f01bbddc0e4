"""The child side of :func:`run_traced_subprocess`: ``python -m neural_pdb.tracer.worker``.

Reads one JSON request on stdin, runs it with the in-process tracer, writes one JSON
reply to the stdout it started with. Before the program runs, file descriptor 1 is
pointed at stderr, so nothing the program writes (even with ``os.write(1, ...)``) can
corrupt the reply.

Request: ``{"kind": "script"|"call", "filename", "source", "argv", "entry", "args",
"limits": {...}, "capture_output": bool, "memory_limit_mb": int|null}``.
Reply: ``{"result": TraceResult.to_json()}`` or ``{"program_error": "one line"}``.
"""

from __future__ import annotations

import json
import os
import sys


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    try:
        import resource
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the timeout still holds
        pass


def handle(request: dict) -> dict:
    from ..program import Program, ProgramError
    from .inprocess import trace_call, trace_script
    from .results import TraceLimits

    limits = TraceLimits(**request.get("limits", {}))
    capture = bool(request.get("capture_output", True))
    try:
        if request["kind"] == "script":
            program = Program(request["filename"], request["source"])
            result = trace_script(program, request.get("argv", ()), limits, capture_output=capture)
        else:
            result = trace_call(request["source"], request["entry"], request.get("args", ""),
                                request.get("filename", "<input>"), limits, capture_output=capture)
    except ProgramError as e:
        return {"program_error": str(e)}
    return {"result": result.to_json()}


def main() -> int:
    request = json.loads(sys.stdin.read())
    reply_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdin = open(os.devnull)
    _limit_memory(request.get("memory_limit_mb"))
    reply = handle(request)
    reply_stream.write(json.dumps(reply, ensure_ascii=False))
    reply_stream.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
