import json

import pytest

# CruxEval-style programs written for these tests (never taken from the evaluation set).
PROGRAMS = [
    {"id": "count", "code": "def f(text, ch):\n    n = 0\n    for c in text:\n        if c == ch:\n            n += 1\n    return n",
     "input": "'banana', 'a'", "output": "3"},
    {"id": "dict", "code": "def f(words):\n    d = {}\n    for w in words:\n        d[w[0]] = d.get(w[0], 0) + 1\n    return d",
     "input": "['apple', 'avocado', 'beet']", "output": "{'b': 1, 'a': 2}"},
    {"id": "nested", "code": "def g(x):\n    return x * 2\n\ndef f(xs):\n    return [g(x) for x in xs if x % 2]",
     "input": "[1, 2, 3]", "output": "[2, 6]"},
    {"id": "set", "code": "def f(s):\n    return set(s.split())", "input": "'b a b c'", "output": "{'a', 'b', 'c'}"},
    {"id": "tuple", "code": "def f(a, b):\n    try:\n        q = a // b\n    except ZeroDivisionError:\n        q = None\n    return q, str(a)",
     "input": "7, 0", "output": "(None, '7')"},
]
HANG = {"id": "hang", "code": "import time\ndef f(x):\n    time.sleep(60)\n    return x", "input": "1", "output": "1"}
LOOP = {"id": "loop", "code": "def f(x):\n    while True:\n        x += 1", "input": "0", "output": "0"}
CRASH = {"id": "crash", "code": "def f(x):\n    return x / 0", "input": "1", "output": "1"}
MEMORY = {"id": "memory", "code": "def f(n):\n    big = [0] * n\n    return len(big)", "input": "10**10", "output": "0"}
BAD_EXPECTED = {"id": "badexp", "code": "def f(x):\n    return x", "input": "1", "output": "<object>"}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture
def programs_file(tmp_path):
    return write_jsonl(tmp_path / "programs.jsonl", PROGRAMS)
