"""A tiny model that has learned one program's real trace by heart, built in a few seconds.

A randomly initialised model only produces malformed frames, so a debugging session over it
is all error lines. For transcripts worth comparing (stops, locals, ``p``), this trains a
tiny Llama on the real trace of :data:`SCRIPT`, twice: stepping into every call, and with
each nested call's frames skipped (``<|return_sep|>`` right after the call frame, as the
session forces for ``next``). Training stops once greedy decoding reproduces every token
of both (teacher-forced argmax accuracy 1.0), so the model's greedy session is the real
one: a fixed point that the local and remote sessions must both reach.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from trace_format import Event, TraceEncoder, prompt_segments

SCRIPT = textwrap.dedent('''\
    def sq(a):
        b = a * a
        return b

    x = sq(3)
    y = sq(x)
''')


def _skip_nested_calls(frames: list) -> list:
    """The frames a session sees when it steps over every call but the module's own."""
    out, depth, skipping_to = [], 0, None
    for f in frames:
        if skipping_to is not None:
            if f.event is Event.CALL:
                depth += 1
            elif f.event is Event.RETURN:
                depth -= 1
            if depth == skipping_to and f.event is Event.RETURN:
                out.append(f)
                skipping_to = None
            continue
        out.append(f)
        if f.event is Event.CALL:
            depth += 1
            if depth > 1:
                skipping_to = depth - 1
        elif f.event is Event.RETURN:
            depth -= 1
    return out


def save_memorized_model(directory: Path, script_path: Path, max_steps: int = 400, *, hidden: int = 64,
                         lr: float = 1e-2) -> Path:
    """Write :data:`SCRIPT` to ``script_path``, train the model, ``save_pretrained`` it and
    its tokenizer into ``directory``."""
    import torch

    from neural_pdb.model.vocab import TraceVocab
    from neural_pdb.tracer import trace_script
    from tests.model.tiny import build_tiny_model, build_tiny_tokenizer

    script_path.write_text(SCRIPT)
    result = trace_script(str(script_path), capture_output=True)
    if result.error is not None or not result.trace.finished:
        raise RuntimeError(f"the tracer failed on the test script: {result.error}")
    frames = list(result.trace.frames)
    tokenizer = build_tiny_tokenizer()
    vocab = TraceVocab.from_tokenizer(tokenizer)
    prompt = vocab.encode_segments(prompt_segments(result.trace.source))

    def encode(fs: list) -> tuple[list[int], list[int]]:
        """The ids (the encoder ends the last frame with ``<|end_of_text|>``) and the
        positions of forced event tokens (the one after each call frame), not learned:
        the session forces them, and the two sequences differ there."""
        enc, ids, forced = TraceEncoder(), list(prompt), []
        for f in fs:
            ids += vocab.encode_segments(enc.encode(f))
            if f.event is Event.CALL:
                forced.append(len(ids))
        return ids, forced

    sequences = [encode(frames), encode(_skip_nested_calls(frames))]
    width = max(len(s) for s, _ in sequences)
    pad = vocab.ids["<|pad|>"]
    ids = torch.tensor([s + [pad] * (width - len(s)) for s, _ in sequences])
    labels = ids.clone()
    for row, (s, forced) in enumerate(sequences):
        labels[row, len(s):] = -100
        labels[row, [i for i in forced if i < width]] = -100

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: threads only contend with the other tests
    try:
        model = build_tiny_model(len(tokenizer), arch="llama", hidden=hidden, layers=2, max_positions=2048,
                                 special_ids=(vocab.ids["<|begin_of_text|>"], vocab.ids["<|end_of_text|>"], pad))
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=lr)
        for step in range(max_steps):
            out = model(input_ids=ids, labels=labels)
            opt.zero_grad()
            out.loss.backward()
            opt.step()
            if step % 10 == 9 and out.loss.item() < 0.05:
                with torch.no_grad():  # the weights as they will be saved
                    pred = model(input_ids=ids).logits[:, :-1].argmax(-1)
                mask = labels[:, 1:] != -100
                if bool((pred[mask] == labels[:, 1:][mask]).all()):
                    break
        else:
            raise RuntimeError("the tiny model did not learn the trace")
        model.eval()
    finally:
        torch.set_num_threads(threads)
    tokenizer.save_pretrained(directory)
    model.save_pretrained(directory)
    return directory
