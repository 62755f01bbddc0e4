"""Against a server shaped like vLLM's: a real HTTP proxy in front of ``neural-pdb serve``
that answers as vLLM does (no ``/v1/tokenizer``, no ``token_ids`` field: ids only as
``"token_id:N"`` logprob tokens, ``stop_reason``, ``root`` in ``/v1/models``, errors as
``{"message": ...}``). A remote session through it still answers as
the local one."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from neural_pdb.backends.model import ModelOptions
from neural_pdb.backends.remote import RemoteBackend
from neural_pdb.model.remote_generator import RemoteConfig
from tests.serve.conftest import run_transcript
from tests.serve.test_remote_sessions import SESSIONS, local_backend


class VllmShapedProxy:
    def __init__(self, upstream: str, root: str) -> None:
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                if self.path == "/v1/models":
                    self.reply(200, {"object": "list", "data": [{"id": "cwm", "object": "model", "root": root}]})
                else:
                    self.reply(404, {"detail": "Not Found"})  # FastAPI's shape

            def do_POST(self):  # noqa: N802
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(request)
                forwarded = dict(request, model="tiny")
                forwarded.pop("return_token_ids", None)  # older vLLM has no such field
                req = urllib.request.Request(upstream + "/v1/completions", data=json.dumps(forwarded).encode())
                try:
                    with urllib.request.urlopen(req, timeout=30) as r:
                        body = json.loads(r.read())
                except urllib.error.HTTPError as e:
                    self.reply(e.code, {"object": "error", "message": json.loads(e.read())["error"]["message"]})
                    return
                choice = body["choices"][0]
                ids, lps = choice.pop("token_ids"), choice["logprobs"]
                # vLLM (v1 engine) keeps a stop token id in the output and names it in
                # stop_reason; a server that drops it is read too (test_protocol).
                assert lps["tokens"] == [f"token_id:{t}" for t in ids]
                assert choice["stop_reason"] == (ids[-1] if choice["finish_reason"] == "stop" else None)
                body["model"] = "cwm"
                self.reply(200, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"  # vLLM URLs often end in /v1
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_session_through_a_vllm_shaped_server_answers_as_the_local_one(server, loaded, memorized):
    model_dir, script = memorized
    proxy = VllmShapedProxy(server.url, root=str(model_dir))
    try:
        # No --model: the tokenizer is the one of the model vLLM names as its root.
        backend = RemoteBackend.connect(str(script), script.read_text(), RemoteConfig(proxy.url), ModelOptions())
        remote = run_transcript(backend, SESSIONS[0])
    finally:
        proxy.close()
    # vLLM cannot apply the debugger's line constraint (it does not announce the extension):
    # the remote session is the local one decoded without it
    unconstrained = ModelOptions(constrain_lines=False)
    assert remote == run_transcript(local_backend(loaded, script, unconstrained), SESSIONS[0])
    sent = proxy.requests[0]
    assert all("npdb_line_constraint" not in r for r in proxy.requests)
    # What the client asks of a vLLM server to keep trace tokens intact and answers equal.
    assert isinstance(sent["prompt"], list) and all(isinstance(t, int) for t in sent["prompt"])
    assert sent["model"] == "cwm" and sent["skip_special_tokens"] is False and sent["ignore_eos"] is True
    assert sent["return_tokens_as_token_ids"] is True and sent["logprobs"] == 1
    assert sent["stop_token_ids"] == list(loaded.vocab.frame_stop_ids)
    assert len({r["user"] for r in proxy.requests}) == 1
