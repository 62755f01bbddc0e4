"""The default model's architecture: CWM's (``CwmConfig``) at a small size.

All layers use full attention: at our context (a few thousand tokens) a sliding window
saves nothing, and a full-attention cache can be cropped freely (``back`` in the
debugger). The config records the format facts a loader needs (special token ids).
"""

from __future__ import annotations

from trace_format import tokens

from .config import TrainConfig


def build_model(cfg: TrainConfig, tokenizer):
    import torch
    from transformers import AutoModelForCausalLM, CwmConfig

    torch.manual_seed(cfg.seed)
    if cfg.init_from:  # continue training a saved model (e.g. the shipped default) on new data
        return AutoModelForCausalLM.from_pretrained(cfg.init_from, local_files_only=True, dtype=torch.float32)
    config = CwmConfig(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.layers, num_attention_heads=cfg.heads, num_key_value_heads=cfg.kv_heads,
        head_dim=cfg.hidden_size // cfg.heads, max_position_embeddings=cfg.seq_len,
        sliding_window=cfg.seq_len, layer_types=["full_attention"] * cfg.layers,
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
        bos_token_id=tokenizer.convert_tokens_to_ids(tokens.BEGIN_OF_TEXT),
        eos_token_id=tokenizer.convert_tokens_to_ids(tokens.END_OF_TEXT),
        pad_token_id=tokenizer.convert_tokens_to_ids(tokens.PAD),
        tie_word_embeddings=False,
    )
    return AutoModelForCausalLM.from_config(config)


def count_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())
