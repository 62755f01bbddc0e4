"""Training configuration: one typed dataclass, saved next to every checkpoint."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass
class TrainConfig:
    data: str = "runs/data"                # directory written by `neural-pdb data` (several, comma-separated: a mix)
    out: str = "runs/train"                # checkpoints, logs, the final model
    tokenizer: str = "bpe"                 # byte | bpe | bpe-nosplit
    init_from: str = ""                    # a saved model directory to continue from (its tokenizer and
                                           # weights; the model-size options are then ignored)
    vocab_size: int = 2048                 # BPE only
    tokenizer_records: int = 5000          # records the BPE is learned from
    # model (CWM architecture at a small size)
    hidden_size: int = 256
    layers: int = 6
    heads: int = 8
    kv_heads: int = 4
    intermediate_size: int = 768
    seq_len: int = 2048                    # packed row length = model context
    # optimisation
    batch_rows: int = 4                    # packed rows per optimizer step (tokens/step = batch_rows * seq_len)
    micro_rows: int = 2                    # rows per forward pass (gradient accumulation over the rest)
    lr: float = 3e-3
    min_lr: float = 3e-4
    warmup_steps: int = 50
    max_steps: int = 1000
    max_minutes: float = 0.0               # stop (and save) after this wall-clock time; 0 = no limit
    schedule_by_time: bool = False         # decay the LR over max_minutes when that comes before max_steps
                                           # (a shared CPU's speed is unknown in advance; the schedule still ends
                                           # annealed when the clock, not the step count, ends the run)
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    loss_on_prompt: bool = False           # loss on the source context too (default: frames only)
    action_fraction: float = 0.5           # share of traces that also give a debugger-action example (0 = off)
    # bookkeeping
    seed: int = 0
    eval_every: int = 100                  # steps between held-out evaluations (0 = never)
    eval_records: int = 64                 # held-out traces per evaluation
    save_every: int = 100                  # steps between resumable checkpoints
    log_every: int = 10
    threads: int = 0                       # torch.set_num_threads (0 = leave as is)
    mixed_precision: str = "auto"          # auto (bf16 on GPU), no, bf16, fp16

    @property
    def tokens_per_step(self) -> int:
        return self.batch_rows * self.seq_len

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "TrainConfig":
        data = json.loads(Path(path).read_text())
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def cosine_lr(step: int, cfg: TrainConfig, minutes: float = 0.0) -> float:
    """Linear warmup to ``lr``, then cosine decay to ``min_lr`` at ``max_steps`` (pure); with
    ``schedule_by_time``, at ``max_minutes`` of training when that is reached first."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    progress = (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps)
    if cfg.schedule_by_time and cfg.max_minutes:
        progress = max(progress, minutes / cfg.max_minutes)
    if progress >= 1.0:
        return cfg.min_lr
    import math
    return cfg.min_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (cfg.lr - cfg.min_lr)
