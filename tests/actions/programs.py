"""Hand-checked programs for the action tests, traced by the real tracer."""

from __future__ import annotations

from neural_pdb.tracer import trace_call
from trace_format import Trace

RECURSION = '''def f(n):
    if n <= 1:
        return 1
    return n * f(n-1)
'''

EXCEPTION = '''def g(x):
    raise ValueError(x)

def f(x):
    try:
        g(x)
    except ValueError:
        x = 0
    return x
'''

LOOP = '''def f(n):
    s = 0
    for i in range(n):
        s += i
    return s
'''

NESTED = '''def h(y):
    return y + 1

def g(x):
    z = h(x)
    return z * 2

def f(a):
    b = g(a) + g(a + 1)
    return b
'''

UNCAUGHT = '''def g(x):
    return 10 // x

def f(x):
    y = g(x)
    return y
'''


def traced(source: str, args: str) -> Trace:
    result = trace_call(source, "f", args)
    return result.trace


PROGRAMS = {"recursion": (RECURSION, "3"), "exception": (EXCEPTION, "5"), "loop": (LOOP, "2"),
            "nested": (NESTED, "1"), "uncaught": (UNCAUGHT, "0")}
