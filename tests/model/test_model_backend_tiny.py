"""The model backend over a real (tiny, random) model loaded from disk: the cache is
prefilled once per session and then cropped, by retries, ``back``, edits and restarts;
a garbage reply never loses the session."""

from __future__ import annotations

import pytest
import torch

from neural_pdb.backends.model import ModelBackend, ModelOptions
from neural_pdb.engine.backend import BackendError
from neural_pdb.tracer import trace_script
from tests.model.scripted import OracleGenerator

SOURCE = "x = 1\nfor i in range(3):\n    x = x * 2 + i\nprint(x)\n"


def fresh_logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0, -1].float()


def test_load_with_model_path_and_survive_garbage(tmp_path, tiny_cwm_dir):
    backend = ModelBackend.load(str(tmp_path / "p.py"), SOURCE,
                                ModelOptions(model=str(tiny_cwm_dir), device="cpu", max_frame_tokens=10,
                                             max_retries=2))
    first = backend.start()
    assert first.lineno == 1 and first.function == "<module>" and not backend.info().predicted
    ids = list(backend.session.ids)
    for _ in range(2):
        with pytest.raises(BackendError) as e:
            backend.next_frame()
        assert e.value.raw.startswith("<|line_sep|>")   # forced: step into the module scope
    assert backend.session.ids == ids and len(backend.frames) == 1
    stats = backend.generator.stats
    # One prefill for the whole session: each retry cropped back to the prompt.
    assert stats.prefills == 1 and stats.resets == 0 and stats.crops >= 5
    # A restart keeps the prefilled source context.
    backend.start()
    with pytest.raises(BackendError):
        backend.next_frame()
    assert stats.prefills == 1
    backend.close()


def test_back_and_edit_crop_the_cache_and_match_a_fresh_prefill(tmp_path, tiny_loaded):
    from neural_pdb.model.local import LocalGenerator

    path = tmp_path / "p.py"
    path.write_text(SOURCE)
    trace = trace_script(str(path), capture_output=True).trace
    vocab, model = tiny_loaded.vocab, tiny_loaded.model
    backend = ModelBackend(str(path), trace.source, OracleGenerator(trace, vocab), vocab)
    backend.start()
    for _ in range(6):
        backend.next_frame()
    gen = LocalGenerator(model)
    gen.next_token_logits(backend.session.ids)         # the session's cache after 7 frames
    assert gen.stats.prefills == 1

    backend.rewind(2)                                    # back
    got = gen.next_token_logits(backend.session.ids)
    torch.testing.assert_close(got, fresh_logits(model, backend.session.ids), atol=1e-4, rtol=1e-4)

    frame = backend.frames[-1]
    assert frame.locals                                  # a line frame at module level
    backend.edit_locals({"x": "100"})                    # !x = 100
    got = gen.next_token_logits(backend.session.ids)
    torch.testing.assert_close(got, fresh_logits(model, backend.session.ids), atol=1e-4, rtol=1e-4)
    assert gen.stats.prefills == 1 and gen.stats.resets == 0 and gen.stats.crops == 2


def test_ctrl_c_during_a_step_keeps_session_and_cache(tmp_path, tiny_loaded):
    from neural_pdb.model.local import LocalGenerator

    path = tmp_path / "p.py"
    path.write_text(SOURCE)
    trace = trace_script(str(path), capture_output=True).trace
    model = tiny_loaded.model
    gen = LocalGenerator(model)
    backend = ModelBackend(str(path), trace.source, gen, tiny_loaded.vocab,
                           ModelOptions(max_frame_tokens=30, max_retries=0).prediction_config())
    backend.start()
    ids = list(backend.session.ids)
    calls = {"n": 0}

    def interrupt(module, args, output):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt

    handle = model.model.layers[0].register_forward_hook(interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            backend.next_frame()
    finally:
        handle.remove()
    assert backend.session.ids == ids and len(backend.frames) == 1
    torch.testing.assert_close(gen.next_token_logits(ids), fresh_logits(model, ids), atol=1e-4, rtol=1e-4)
    with pytest.raises(BackendError):   # the session goes on (with garbage, from a random model)
        backend.next_frame()


def test_trace_longer_than_the_context_is_one_line(tmp_path, tiny_loaded):
    from neural_pdb.model.local import LocalGenerator

    gen = LocalGenerator(tiny_loaded.model)
    gen.max_length = 40
    backend = ModelBackend(str(tmp_path / "p.py"), SOURCE, gen, tiny_loaded.vocab)
    backend.start()
    with pytest.raises(BackendError, match="longer than the model's context"):
        backend.next_frame()
