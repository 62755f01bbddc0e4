"""Shipping a trained model into the package (``neural_pdb/default_model``), with its
learning curve.

The weights go through ``save_pretrained`` (safetensors, sharded at 16 MB so that any
piece can be moved through size-limited channels), the tokenizer with it; the learning
curve is written as ``learning_curve.json`` (train loss vs tokens, held-out evals) and
``learning_curve.png``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

MAX_SHIPPED_BYTES = 64 * 1024 * 1024
KEEP = ("MODEL_CARD.md", "metrics.json")   # hand-written or measured files a re-export keeps


def learning_curve(log_path: str | Path, up_to_step: int | None = None) -> dict:
    """Train and eval entries of a run's log; ``up_to_step``: none logged after that step
    (a run stopped after its last checkpoint logged steps the exported weights never took)."""
    train, evals = [], []
    for line in Path(log_path).read_text().splitlines():
        entry = json.loads(line)
        if up_to_step is not None and entry.get("step", 0) > up_to_step:
            continue
        if entry.get("event") == "train":
            train.append({k: entry[k] for k in ("step", "tokens", "loss", "lr", "tokens_per_s", "minutes")})
        elif entry.get("event") == "eval":
            evals.append({k: entry.get(k) for k in ("step", "tokens", "loss", "frame_exact", "next_line", "locals_exact",
                                                   "return_value", "frames")})
    return {"train": train, "eval": evals}


def plot_learning_curve(curve: dict, png: str | Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    a.plot([t["tokens"] / 1e6 for t in curve["train"]], [t["loss"] for t in curve["train"]], label="train")
    a.plot([e["tokens"] / 1e6 for e in curve["eval"]], [e["loss"] for e in curve["eval"]], "o-", label="held-out")
    a.set_xlabel("tokens (M)")
    a.set_ylabel("loss (nats/token, frames only)")
    a.legend()
    for key in ("frame_exact", "next_line", "locals_exact", "return_value"):
        b.plot([e["tokens"] / 1e6 for e in curve["eval"]], [e[key] or 0 for e in curve["eval"]], "o-", label=key)
    # a warm-started phase may train (and evaluate) on other data: mark where each begins
    starts = [t["tokens"] / 1e6 for prev, t in zip(curve["train"], curve["train"][1:])
              if t.get("phase", 1) != prev.get("phase", 1)]
    for axis in (a, b):
        for x in starts:
            axis.axvline(x, color="grey", linestyle=":", linewidth=1)
    b.set_xlabel("tokens (M); dotted: a new training phase")
    b.set_ylabel("held-out, teacher-forced")
    b.set_ylim(0, 1)
    b.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)


def continued_curve(earlier: dict, later: dict) -> dict:
    """The curve of a run warm-started from another (``--init-from``): the later run's steps
    and tokens counted on from the end of the earlier one, marked with the next phase number
    (an unmarked earlier curve is phase 1)."""
    last = earlier["train"][-1] if earlier["train"] else {"step": 0, "tokens": 0}
    phase = max((e.get("phase", 1) for e in earlier["train"] + earlier["eval"]), default=0) + 1

    def shifted(entries: list[dict]) -> list[dict]:
        return [{**e, "step": e["step"] + last["step"], "tokens": e["tokens"] + last["tokens"], "phase": phase}
                for e in entries]
    return {"train": earlier["train"] + shifted(later["train"]), "eval": earlier["eval"] + shifted(later["eval"])}


def export_model(run_dir: str | Path, dest: str | Path, which: str = "final", earlier_curve: str | Path | None = None
                 ) -> Path:
    """Copy ``RUN/final`` (or ``RUN/latest``) into ``dest`` with save_pretrained, plus the
    curve (``earlier_curve``: the curve of the model the run was warm-started from, put first)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    run = Path(run_dir)
    src = run / which
    dest = Path(dest)
    earlier = json.loads(Path(earlier_curve).read_text()) if earlier_curve else None
    kept = {name: (dest / name).read_bytes() for name in KEEP if (dest / name).exists()}
    if dest.exists():
        shutil.rmtree(dest)
    model = AutoModelForCausalLM.from_pretrained(src, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(src, local_files_only=True)
    model.save_pretrained(dest, max_shard_size="16MB")
    tokenizer.save_pretrained(dest)
    for name, data in kept.items():
        (dest / name).write_bytes(data)
    if (run / "log.jsonl").exists():
        progress = run / "checkpoint" / "progress.json"
        # `latest` is the last checkpoint: its curve ends at that checkpoint's step
        up_to = json.loads(progress.read_text())["step"] if which == "latest" and progress.exists() else None
        curve = learning_curve(run / "log.jsonl", up_to)
        if earlier is not None:
            curve = continued_curve(earlier, curve)
        (dest / "learning_curve.json").write_text(json.dumps(curve) + "\n")
        plot_learning_curve(curve, dest / "learning_curve.png")
    (dest / "training_config.json").write_text((run / "config.json").read_text())
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    if size > MAX_SHIPPED_BYTES:
        raise ValueError(f"the shipped model is {size / 2**20:.1f} MiB, over the 64 MiB limit")
    return dest


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="ship a trained model into the package, with its learning curve")
    p.add_argument("run", help="the training run directory (neural-pdb train --out)")
    p.add_argument("dest", help="where to write it (neural_pdb/default_model)")
    p.add_argument("which", nargs="?", default="final", help="final (default) or latest")
    p.add_argument("--earlier-curve", help="learning_curve.json of the model the run was warm-started from")
    args = p.parse_args()
    print(export_model(args.run, args.dest, args.which, args.earlier_curve))
