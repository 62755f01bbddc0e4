"""What real scripts have around their code: a module docstring, imports, constants, an
exception class of their own (raised by a checker, caught at module level), and a
``main()`` / ``if __name__ == "__main__":`` guard.

The demos and most hand-written scripts start so; a model trained only on bare scripts
loses its way at the first line of such a program. Dressing draws from its own RNG,
seeded by the script's source, so the main program stream is the same with or without
it (datasets written before dressing existed are reproduced with ``--dress-fraction 0``).
"""

from __future__ import annotations

import random

from .seeding import own_rng

TOPICS = ("text", "numbers", "word lists", "inventory counts", "scores", "small records", "strings", "a queue",
          "grades", "tokens", "lists of values", "sensor readings", "names")
DOC_TEMPLATES = ('"""Helpers for {topic}, and a few example calls."""',
                 '"""Small experiments with {topic}."""',
                 '"""{Topic}: compute, check and print results."""',
                 '"""Process {topic} and print what comes out.\n\nRun it as a script: python {file}.py\n"""',
                 '"""Demo: {topic}."""',
                 "'''Exercise: {topic}.'''")
IMPORTS = ("import math", "import string", "import re", "import itertools", "import functools", "import sys",
           "import os", "from collections import Counter", "from collections import defaultdict",
           "from typing import List", "from collections import deque", "import json")
CONSTANTS = (("MAX_ITEMS", "int"), ("SEPARATOR", "sep"), ("THRESHOLD", "int"), ("VERBOSE", "bool"),
             ("DEFAULT_NAME", "name"), ("FACTOR", "float"), ("VOWELS", "vowels"), ("LIMIT", "int"))
ERROR_NAMES = ("ValidationError", "ParseError", "RangeError", "InputError", "BadValue", "EmptyError")
ERROR_BASES = ("ValueError", "Exception", "ValueError", "KeyError", "RuntimeError")
#: Checkers raising the script's own exception: (source with {f} and {E}, argument type).
CHECKERS = (
    ("def {f}(value):\n    if value < 0:\n        raise {E}(f\"negative: {{value}}\")\n    return value\n", "int"),
    ("def {f}(text):\n    if not text:\n        raise {E}(\"empty input\")\n    return text.strip().lower()\n", "str"),
    ("def {f}(text):\n    head, sep, tail = text.partition(\":\")\n    if not sep:\n"
     "        raise {E}(f\"no ':' in {{text!r}}\")\n    return head, tail\n", "pair"),
    ("def {f}(n):\n    if n > 10:\n        raise {E}(\"too large: \" + str(n))\n    return n * n\n", "int"),
)
CHECKER_NAMES = ("validate", "check", "parse_item", "ensure", "require")


def _constant_value(rng: random.Random, kind: str) -> str:
    return {"int": lambda: str(rng.randint(2, 50)), "sep": lambda: repr(rng.choice([", ", "-", " | ", ";"])),
            "bool": lambda: rng.choice(["True", "False"]), "name": lambda: repr(rng.choice(["guest", "anon", "root"])),
            "float": lambda: repr(rng.choice([0.5, 1.5, 2.0, 0.25])), "vowels": lambda: repr("aeiou")}[kind]()


def _checker_inputs(rng: random.Random, kind: str) -> str:
    if kind == "pair":
        good = [f"{rng.choice(['a', 'key', 'x', 'id'])}:{rng.randint(0, 99)}" for _ in range(rng.randint(1, 2))]
        return repr(good + [rng.choice(["oops", "no colon", "42"])])
    if kind == "str":
        return repr([rng.choice(["  Hello ", "World", "ok", " A b "]), "", rng.choice(["Yes", "tEst"])])
    values = [rng.randint(-5, 14) for _ in range(rng.randint(2, 4))]
    return repr(values)


def _error_block(rng: random.Random, taken: set[str]) -> tuple[list[str], list[str]]:
    """An exception class and a checker raising it (definitions), and module code calling the
    checker in a loop and catching the exception (calls)."""
    error = rng.choice(ERROR_NAMES)
    base = rng.choice(ERROR_BASES)
    body = rng.choice(["pass", '"""Raised when an input is not accepted."""', "pass"])
    cls = f"class {error}({base}):\n    {body}\n"
    name = rng.choice([n for n in CHECKER_NAMES if n not in taken])
    taken.add(name)
    src, kind = rng.choice(CHECKERS)
    results = rng.choice(["results", "checked", "ok"])
    handler = rng.choice([f"    except {error} as e:\n        print(\"skipped:\", e)",
                          f"    except {error}:\n        {results}.append(None)",
                          f"    except {error} as err:\n        {results}.append(str(err))\n    finally:\n        count += 1"])
    prelude = f"{results} = []" + ("\ncount = 0" if "count += 1" in handler else "")
    loop = (f"for item in {_checker_inputs(rng, kind)}:\n    try:\n        {results}.append({name}(item))\n{handler}\n"
            f"print({results})")
    return [cls, src.format(f=name, E=error)], [prelude, loop]


def _indent(code: str) -> str:
    return "\n".join(("    " + line) if line else line for line in code.split("\n"))


def dress_script(source_defs: list[str], calls: list[str], fraction: float) -> tuple[list[str], list[str], list[str]]:
    """(header lines, definitions, module code) of a script; ``fraction`` is the chance that a
    script is dressed at all (each part then has its own chance). Deterministic in the
    script's own text."""
    rng = own_rng("\n".join(source_defs) + "\n".join(calls))
    if fraction <= 0 or rng.random() >= fraction:
        return [], list(source_defs), list(calls)
    header: list[str] = []
    defs, code = list(source_defs), list(calls)
    if rng.random() < 0.7:
        topic = rng.choice(TOPICS)
        header.append(rng.choice(DOC_TEMPLATES).format(topic=topic, Topic=topic.capitalize(),
                                                       file=rng.choice(["demo", "main", "script", "tool"])))
    imports = sorted(rng.sample(IMPORTS, rng.choice([0, 0, 1, 1, 2])), key=lambda s: (s.startswith("from"), s))
    if imports:
        header.append("\n".join(imports))
    if rng.random() < 0.3:
        consts = rng.sample(CONSTANTS, rng.randint(1, 2))
        header.append("\n".join(f"{name} = {_constant_value(rng, kind)}" for name, kind in consts))
    if rng.random() < 0.35:
        taken = {line.split("(")[0].removeprefix("def ").strip() for d in defs for line in d.split("\n")
                 if line.startswith("def ")}
        error_defs, error_code = _error_block(rng, taken)
        defs = error_defs[:1] + defs + error_defs[1:] if rng.random() < 0.7 else error_defs + defs
        code = code + error_code if rng.random() < 0.6 else error_code + code
    roll = rng.random()
    if roll < 0.2:
        defs = defs + ["def main():\n" + _indent("\n".join(code))]
        code = ['if __name__ == "__main__":\n    main()']
    elif roll < 0.35:
        code = ['if __name__ == "__main__":\n' + _indent("\n".join(code))]
    elif roll < 0.45:
        defs = defs + ["def main():\n" + _indent("\n".join(code))]
        code = ["main()"]
    return header, defs, code


def assemble_script(header: list[str], defs: list[str], code: list[str]) -> str:
    """PEP 8 layout: header parts one blank line apart, two blank lines around definitions."""
    parts = []
    if header:
        parts.append("\n\n".join(h.rstrip("\n") for h in header))
    parts += [d.rstrip("\n") for d in defs]
    body = "\n".join(code)
    return "\n\n\n".join(parts) + ("\n\n\n" if parts else "") + body + "\n"

