"""`eval --backend remote` against a real `neural-pdb serve` on a loopback port: with
greedy decoding it must score exactly as the same model loaded locally."""

from neural_pdb.commands import compare_cmd, eval_cmd
from neural_pdb.evaluation import EvalConfig, RunLimits, run_evaluation
from neural_pdb.evaluation.harness import build_predictor
from neural_pdb.evaluation.report import build_report
from tests.model.tiny import save_tiny_model

from .conftest import PROGRAMS, write_jsonl


def test_remote_equals_local_compare_runs_remote_and_a_dead_server_is_one_line(tmp_path, capsys):
    from neural_pdb.model.loading import load_model
    from neural_pdb.serve import CompletionServer, ServeConfig

    model_dir = save_tiny_model(tmp_path / "tiny", arch="llama")
    data = write_jsonl(tmp_path / "p.jsonl", PROGRAMS[:2])
    common = dict(limits=RunLimits(timeout=3.0), max_frame_tokens=24)
    local = build_report(run_evaluation(EvalConfig(data, backend="model", model=str(model_dir), **common),
                                        progress=False))
    with CompletionServer(load_model(model_dir, device="cpu"), ServeConfig(port=0, model_name="tiny")) as server:
        config = EvalConfig(data, backend="remote", url=server.url, **common)
        remote = build_report(run_evaluation(config, progress=False))
        url = server.url
        script = tmp_path / "s.py"
        script.write_text("x = 1\ny = x + 1\n")
        capsys.readouterr()
        assert compare_cmd.main([str(script), "--backend", "remote", "--url", url, "--max-frame-tokens", "16",
                                 "-c", "n"]) == 0
        table = capsys.readouterr().out
        assert "model (remote)" in table and "agreement:" in table
    keys = ("id", "status", "predicted", "first_divergence", "tokens")
    assert [tuple(r[k] for k in keys) for r in remote["results"]] == [tuple(r[k] for k in keys)
                                                                    for r in local["results"]]
    assert remote["timing"]["tokens"] > 0 and remote["predictor"] == "remote"
    capsys.readouterr()
    assert eval_cmd.main([data, "--backend", "remote", "--url", url, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "not reachable" in err or "refused" in err, err
    assert len(err.strip().splitlines()) == 1
