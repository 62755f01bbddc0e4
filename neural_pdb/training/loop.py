"""``neural-pdb train``: the training loop, top to bottom (nanoGPT's shape on accelerate).

CPU or GPU, bf16 where a GPU has it, several GPUs with ``accelerate launch`` (each
process takes every N-th packed row). Resumable: ``OUT/checkpoint`` holds the model,
optimizer and RNG states (``Accelerator.save_state``) and ``OUT/checkpoint/progress.json``
the step and the position in the data stream; running the same command again resumes.
Logs one JSON object per line to ``OUT/log.jsonl`` (train loss, lr, tokens, throughput;
held-out loss and teacher-forced frame metrics every ``eval_every`` steps). At the end the
model and tokenizer are saved with ``save_pretrained`` in ``OUT/final``.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Iterator

from neural_pdb.datagen.dataset import read_records, shard_paths

from .config import TrainConfig, cosine_lr
from .evaluate import score_traces, span_trace
from .model import build_model, count_parameters
from .packing import Row, encode_records, pack
from .tokenizer import SegmentEncoder, build_tokenizer, text_segments


class TrainError(Exception):
    """A training run that cannot start (missing data, bad config); one line for the user."""


def load_or_build_tokenizer(cfg: TrainConfig, out: Path):
    from transformers import AutoTokenizer

    path = out / "tokenizer"
    if (path / "tokenizer.json").exists():
        return AutoTokenizer.from_pretrained(path, local_files_only=True)
    if cfg.init_from:  # a warm start keeps the vocabulary its weights were trained with
        tokenizer = AutoTokenizer.from_pretrained(cfg.init_from, local_files_only=True)
        tokenizer.save_pretrained(path)
        return tokenizer
    records = []
    for record in read_records(shard_paths(cfg.data)):
        records.append(record)
        if len(records) >= cfg.tokenizer_records:
            break
    tokenizer = build_tokenizer(cfg.tokenizer, text_segments(records), cfg.vocab_size)
    tokenizer.save_pretrained(path)
    return tokenizer


def _rows(examples, cfg: TrainConfig, pad_id: int, start_epoch: int, skip: int, rank: int, world: int) -> Iterator[tuple[int, int, Row]]:
    """(epoch, index in epoch, row) forever; each epoch packs in a new seeded order."""
    epoch = start_epoch
    while True:
        for i, row in enumerate(pack(examples, cfg.seq_len, pad_id, random.Random(cfg.seed * 1000 + epoch))):
            if (epoch == start_epoch and i < skip) or i % world != rank:
                continue
            yield epoch, i, row
        epoch += 1


def _batch(rows: list[Row], device):
    import torch

    return {k: torch.tensor([getattr(r, k) for r in rows], device=device) for k in ("input_ids", "labels", "position_ids")}


def train(cfg: TrainConfig, progress: bool = True) -> Path:
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm import tqdm

    if not shard_paths(cfg.data):
        raise TrainError(f"no training shards (train-*.jsonl) in {cfg.data}: run `neural-pdb data --out {cfg.data}` first")
    if cfg.batch_rows % cfg.micro_rows:
        raise TrainError("--batch-rows must be a multiple of --micro-rows")
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    mp = cfg.mixed_precision
    if mp == "auto":
        mp = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"
    accel = Accelerator(mixed_precision=mp, gradient_accumulation_steps=cfg.batch_rows // cfg.micro_rows)
    set_seed(cfg.seed)
    cfg.save(out / "config.json")

    tokenizer = load_or_build_tokenizer(cfg, out) if accel.is_main_process else None
    accel.wait_for_everyone()
    if tokenizer is None:
        from transformers import AutoTokenizer
        tokenizer = AutoTokenizer.from_pretrained(out / "tokenizer", local_files_only=True)
    enc = SegmentEncoder(tokenizer)
    examples = encode_records(read_records(shard_paths(cfg.data)), enc, cfg.seq_len, cfg.loss_on_prompt)
    if cfg.action_fraction > 0:  # debugger actions (next/continue in one prediction, inverse steps)
        from neural_pdb.datagen.actions import encode_action_records
        examples += encode_action_records(read_records(shard_paths(cfg.data)), enc, cfg.seq_len, seed=cfg.seed,
                                          fraction=cfg.action_fraction)
    heldout_path = shard_paths(cfg.data, "heldout")[0]
    held = []
    if heldout_path.exists() and cfg.eval_every:
        from trace_format import Trace
        for record in read_records([heldout_path]):
            st = span_trace(Trace.from_json(record["trace"]), enc, cfg.seq_len)
            if st is not None:
                held.append(st)
            if len(held) >= cfg.eval_records:
                break

    model = build_model(cfg, tokenizer)
    if cfg.action_fraction > 0:  # the engine reads which actions a model can jump with from its config
        from neural_pdb.datagen.actions import trained_action_names
        model.config.npdb_actions = trained_action_names()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.95))
    model, optimizer = accel.prepare(model, optimizer)

    step, epoch, row_index, tokens_seen = 0, 0, 0, 0
    minutes_before = 0.0  # training minutes of earlier runs of this command (the time budget spans resumes)
    ckpt = out / "checkpoint"
    if (ckpt / "progress.json").exists():
        accel.load_state(str(ckpt))
        state = json.loads((ckpt / "progress.json").read_text())
        step, epoch, row_index, tokens_seen = state["step"], state["epoch"], state["row_index"] + 1, state["tokens"]
        minutes_before = state.get("minutes", 0.0)
        accel.print(f"resumed from {ckpt} at step {step}")
    n_params = count_parameters(accel.unwrap_model(model))
    log = open(out / "log.jsonl", "a", encoding="utf-8")

    def write_log(entry: dict) -> None:
        if accel.is_main_process:
            log.write(json.dumps(entry) + "\n")
            log.flush()

    write_log({"event": "start", "step": step, "params": n_params, "examples": len(examples),
               "heldout": len(held), "vocab": len(tokenizer), "config": cfg.__dict__})

    def save_checkpoint() -> None:
        accel.wait_for_everyone()
        accel.save_state(str(ckpt))
        if accel.is_main_process:
            (ckpt / "progress.json").write_text(json.dumps(
                {"step": step, "epoch": epoch, "row_index": row_index, "tokens": tokens_seen,
                 "minutes": minutes_before + (time.time() - start) / 60}))
            # a loadable model at every checkpoint (what an early shipped model is copied from)
            accel.unwrap_model(model).save_pretrained(out / "latest")
            tokenizer.save_pretrained(out / "latest")

    def evaluate() -> None:
        if held and accel.is_main_process:
            t0 = time.time()
            scores = score_traces(accel.unwrap_model(model), held, accel.device).summary()
            write_log({"event": "eval", "step": step, "tokens": tokens_seen, **scores, "seconds": round(time.time() - t0, 1)})
            accel.print(f"eval step {step}: {scores}")
            model.train()

    rows = _rows(examples, cfg, tokenizer.pad_token_id, epoch, row_index, accel.process_index, accel.num_processes)
    start = time.time()
    window_tokens, window_start, window_loss, window_n = 0, time.time(), 0.0, 0
    bar = tqdm(total=cfg.max_steps, initial=step, disable=not (progress and accel.is_main_process), unit="step")
    model.train()
    while step < cfg.max_steps:
        minutes = minutes_before + (time.time() - start) / 60
        if cfg.max_minutes and minutes > cfg.max_minutes:
            write_log({"event": "time_limit", "step": step})
            break
        lr = cosine_lr(step, cfg, minutes)
        for group in optimizer.param_groups:
            group["lr"] = lr
        for _ in range(cfg.batch_rows // cfg.micro_rows):
            micro = []
            for _ in range(cfg.micro_rows):
                epoch, row_index, row = next(rows)
                micro.append(row)
            batch = _batch(micro, accel.device)
            with accel.accumulate(model):
                loss = model(**batch, use_cache=False).loss
                accel.backward(loss)
                if accel.sync_gradients and cfg.grad_clip:
                    accel.clip_grad_norm_(model.parameters(), cfg.grad_clip)
                optimizer.step()
                optimizer.zero_grad()
            window_loss += float(loss.detach())
            window_n += 1
            n_tok = int((batch["labels"] != -100).sum()) * accel.num_processes
            tokens_seen += int(batch["input_ids"].numel()) * accel.num_processes
            window_tokens += int(batch["input_ids"].numel()) * accel.num_processes
        step += 1
        bar.update()
        if step % cfg.log_every == 0 or step == cfg.max_steps:
            elapsed = time.time() - window_start
            entry = {"event": "train", "step": step, "tokens": tokens_seen, "loss": round(window_loss / window_n, 4),
                     "lr": round(lr, 6), "tokens_per_s": round(window_tokens / elapsed, 1), "epoch": epoch,
                     "minutes": round((time.time() - start) / 60, 2), "loss_tokens_last": n_tok}
            write_log(entry)
            bar.set_postfix(loss=entry["loss"], tok_s=entry["tokens_per_s"])
            window_tokens, window_start, window_loss, window_n = 0, time.time(), 0.0, 0
        if cfg.eval_every and step % cfg.eval_every == 0:
            evaluate()
        if cfg.save_every and step % cfg.save_every == 0:
            save_checkpoint()
    bar.close()
    save_checkpoint()
    if cfg.eval_every and step % cfg.eval_every:
        evaluate()
    final = out / "final"
    if accel.is_main_process:
        unwrapped = accel.unwrap_model(model)
        unwrapped.save_pretrained(final)
        tokenizer.save_pretrained(final)
        write_log({"event": "done", "step": step, "tokens": tokens_seen, "minutes": round((time.time() - start) / 60, 2)})
    log.close()
    accel.wait_for_everyone()
    return final
