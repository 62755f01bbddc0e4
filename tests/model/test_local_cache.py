"""The local generator's KV cache: reuse and rollback give the logits of a fresh prefill,
for every supported cache layout; generation matches transformers' own greedy decoding;
stop tokens, the token limit and Ctrl-C."""

from __future__ import annotations

import random

import pytest
import torch

from neural_pdb.model.generator import SamplingParams
from neural_pdb.model.loading import load_model
from neural_pdb.model.local import LocalGenerator


def fresh_logits(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0, -1].float()


@pytest.mark.parametrize("which", ["tiny_llama_dir", "tiny_cwm_dir", "tiny_cwm_sliding_dir"])
def test_reuse_and_rollback_match_fresh_prefill(which, request):
    model = load_model(request.getfixturevalue(which), device="cpu").model
    gen = LocalGenerator(model)
    rng = random.Random(0)
    ids = [rng.randrange(256) for _ in range(48)]
    # Grow, go back (crop), branch off, grow past a sliding window, go back again.
    prompts = [ids[:5], ids[:12], ids[:30], ids[:18], ids[:17], ids[:25], ids[:9], ids[:48], ids[:47],
               ids[:20] + [1, 2, 3], ids[:20] + [1, 2, 3, 4], ids[:3]]
    for p in prompts:
        got = gen.next_token_logits(p)
        torch.testing.assert_close(got, fresh_logits(model, p), atol=1e-4, rtol=1e-4)
        assert gen.cached_ids == tuple(p)
    # Most steps were served from the cache: far fewer tokens forwarded than re-encoding.
    assert gen.stats.forwarded_tokens < sum(len(p) for p in prompts) / 2
    assert gen.stats.crops >= 3


def test_sliding_window_cache_records_past_so_back_is_a_crop(tiny_cwm_sliding_dir):
    model = load_model(tiny_cwm_sliding_dir, device="cpu").model
    gen = LocalGenerator(model)
    ids = list(range(40))
    gen.next_token_logits(ids)           # far past the window of 8
    gen.next_token_logits(ids[:35])      # a rollback of 5 tokens across the window
    assert gen.stats.crops == 1 and gen.stats.resets == 0
    torch.testing.assert_close(gen.next_token_logits(ids[:35] + [7]), fresh_logits(model, ids[:35] + [7]),
                               atol=1e-4, rtol=1e-4)


def test_greedy_generation_matches_transformers_generate(tiny_loaded):
    model, gen = tiny_loaded.model, LocalGenerator(tiny_loaded.model)
    prompt = list(range(60, 90))
    out = gen.generate(prompt, max_new_tokens=12, stop_ids=[])
    with torch.no_grad():
        ref = model.generate(torch.tensor([prompt]), max_new_tokens=12, do_sample=False, min_new_tokens=12,
                             eos_token_id=None, pad_token_id=0)
    assert list(out.token_ids) == ref[0, len(prompt):].tolist()
    assert out.is_truncated and len(out.logprobs) == 12
    assert all(lp <= 0 for lp in out.logprobs)
    # The next step reuses the cache: only the last generated token and the new one run.
    before = gen.stats.forwarded_tokens
    gen.generate(prompt + list(out.token_ids), max_new_tokens=1, stop_ids=[])
    assert gen.stats.forwarded_tokens - before == 1


def test_forced_ids_are_prompt_not_output(tiny_loaded):
    gen = LocalGenerator(tiny_loaded.model)
    a = gen.generate([5, 6, 7], forced_ids=[8], max_new_tokens=4, stop_ids=[])
    b = LocalGenerator(tiny_loaded.model).generate([5, 6, 7, 8], max_new_tokens=4, stop_ids=[])
    assert a.token_ids == b.token_ids
    assert gen.cached_ids[:4] == (5, 6, 7, 8)


def test_stop_token_ends_generation_and_is_returned(tiny_loaded):
    gen = LocalGenerator(tiny_loaded.model)
    free = gen.generate([1, 2, 3], max_new_tokens=10, stop_ids=[])
    stop = free.token_ids[3]
    out = gen.generate([1, 2, 3], max_new_tokens=10, stop_ids=[stop, 99999])
    assert out.stop_id == stop and not out.is_truncated
    assert out.token_ids == free.token_ids[:free.token_ids.index(stop) + 1]


def test_sampling_is_seeded(tiny_loaded):
    gen = LocalGenerator(tiny_loaded.model)
    s = lambda seed: gen.generate([1, 2, 3], max_new_tokens=16, stop_ids=[],
                                  sampling=SamplingParams(1.0, 0.95, seed)).token_ids
    assert s(1) == s(1)
    assert s(1) != s(2)


def test_interrupt_during_generation_leaves_cache_consistent(tiny_loaded):
    model = tiny_loaded.model
    gen = LocalGenerator(model)
    gen.next_token_logits(list(range(20)))
    calls = {"n": 0}

    def interrupt(module, args, output):
        calls["n"] += 1
        if calls["n"] == 3:   # inside the third forward of the next generation
            raise KeyboardInterrupt

    handle = model.model.layers[1].register_forward_hook(interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            gen.generate(list(range(25)), max_new_tokens=10, stop_ids=[])
    finally:
        handle.remove()
    # Layer 0 had already stored the interrupted token; the cache was put back.
    lengths = {layer.get_seq_length() for layer in gen._cache.layers} if gen._cache else {0}
    assert lengths == {len(gen.cached_ids)}
    p = list(range(25)) + [3]
    torch.testing.assert_close(gen.next_token_logits(p), fresh_logits(model, p), atol=1e-4, rtol=1e-4)


def test_growable_layers_reallocate_and_crop_exactly(tiny_loaded):
    from neural_pdb.model.local import GrowableLayer

    model = tiny_loaded.model
    gen = LocalGenerator(model)
    rng = random.Random(1)
    ids = [rng.randrange(256) for _ in range(700)]
    # 1 token at a time past the first buffer, a long jump, a crop back below the first
    # reallocation, then growth again.
    prompts = [ids[:250]] + [ids[:n] for n in range(251, 262)] + [ids[:700], ids[:200], ids[:200] + [9] * 90]
    for p in prompts:
        torch.testing.assert_close(gen.next_token_logits(p), fresh_logits(model, p), atol=1e-4, rtol=1e-4)
    assert all(isinstance(layer, GrowableLayer) for layer in gen._cache.layers)
    assert gen.stats.prefills == 1 and gen.stats.resets == 0
