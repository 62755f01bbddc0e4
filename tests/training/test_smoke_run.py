"""The training smoke run: a tiny model on tiny real data; the loss goes down, the run
resumes from its checkpoint, and the result loads offline with transformers."""

import json

from neural_pdb.commands import train_cmd

TINY = ["--hidden-size", "48", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--intermediate-size", "96",
        "--seq-len", "512", "--batch-rows", "4", "--micro-rows", "2", "--lr", "0.01", "--min-lr", "0.001",
        "--warmup-steps", "3", "--log-every", "5", "--eval-every", "20", "--save-every", "10", "--eval-records", "4",
        "--tokenizer", "bpe", "--vocab-size", "600", "--threads", "2", "--quiet"]


def _log(out):
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]


def test_smoke_run_lowers_the_loss_resumes_and_loads_offline(tiny_data, tmp_path):
    out = tmp_path / "run"
    assert train_cmd.main(["--data", str(tiny_data), "--out", str(out), "--max-steps", "20"] + TINY) == 0
    train = [e for e in _log(out) if e["event"] == "train"]
    assert train[-1]["loss"] < train[0]["loss"] - 0.5, train
    evals = [e for e in _log(out) if e["event"] == "eval"]
    assert evals and evals[-1]["frames"] > 0 and evals[-1]["loss"] is not None

    # the same command with more steps resumes at step 20
    assert train_cmd.main(["--data", str(tiny_data), "--out", str(out), "--max-steps", "25"] + TINY) == 0
    starts = [e for e in _log(out) if e["event"] == "start"]
    assert [s["step"] for s in starts] == [0, 20]
    assert [e for e in _log(out) if e["event"] == "done"][-1]["step"] == 25

    from transformers import AutoModelForCausalLM, AutoTokenizer
    model = AutoModelForCausalLM.from_pretrained(out / "final", local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(out / "final", local_files_only=True)
    assert model.config.model_type == "cwm"
    assert model.get_input_embeddings().weight.shape[0] == len(tokenizer)

    # a warm start from that model: same vocabulary and weights, a fresh schedule, and it
    # starts at the loss the first run ended with, not at a random model's
    warm = tmp_path / "warm"
    assert train_cmd.main(["--data", str(tiny_data), "--out", str(warm), "--max-steps", "5", "--init-from",
                           str(out / "final")] + TINY) == 0
    assert (warm / "tokenizer" / "tokenizer.json").read_text() == (out / "final" / "tokenizer.json").read_text()
    warm_train = [e for e in _log(warm) if e["event"] == "train"]
    assert warm_train[0]["loss"] < train[0]["loss"] - 0.5, (warm_train, train)


def test_missing_data_is_a_one_line_error(tmp_path, capsys):
    assert train_cmd.main(["--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "o"), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "neural-pdb data" in err
