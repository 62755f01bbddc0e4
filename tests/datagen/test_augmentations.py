"""Script dressing (docstrings, imports, exception classes, main guards), identifier
renaming and argument widening: all leave the program stream as it was and keep programs
valid; renaming keeps what a program does, widening the types of its arguments."""

import ast
import random

from neural_pdb.datagen.programs import generate_program
from neural_pdb.datagen.widen import widen_args
from neural_pdb.datagen.rename import rename_program, rename_source, renamable_names
from neural_pdb.program import Program
from neural_pdb.tracer import TraceLimits, trace_call, trace_script

LIMITS = TraceLimits(max_frames=3000, max_seconds=5.0)


def _run(p):
    if p.kind == "call":
        return trace_call(p.source, p.entry, p.args, limits=LIMITS)
    return trace_script(Program("/tmp/npdb_test/script.py", p.source), limits=LIMITS, capture_output=True)


def test_dressing_and_renaming_draw_nothing_from_the_program_stream():
    plain, dressed = random.Random(11), random.Random(11)
    changed = 0
    for _ in range(200):
        a = generate_program(plain, 0.5)
        b = generate_program(dressed, 0.5, dress_fraction=1.0, rename_fraction=0.5, widen_fraction=0.5,
                              more_fraction=0.5)
        assert plain.getstate() == dressed.getstate()
        assert a.kind == b.kind
        changed += a.source != b.source or a.args != b.args
    assert changed > 100


def test_dressed_scripts_look_like_hand_written_ones_and_run():
    rng = random.Random(5)
    scripts = [p for p in (generate_program(rng, 1.0, dress_fraction=1.0) for _ in range(150))]
    text = "\n".join(p.source for p in scripts)
    for part in ('"""', "import ", "from collections import", 'if __name__ == "__main__":', "def main():", "(ValueError):",
                 "except ", "raise "):
        assert part in text, part
    assert sum(p.source.startswith(('"""', "'''")) for p in scripts) > 50   # a module docstring first
    for p in scripts[:60]:
        tree = ast.parse(p.source)
        assert any(not isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in tree.body)
        result = _run(p)
        assert not result.stopped and result.trace.frames and result.trace.finished, p.source


def test_renaming_changes_names_but_not_what_the_program_does():
    rng = random.Random(7)
    compared = renamed_count = 0
    for _ in range(120):
        p = generate_program(rng, 0.3, dress_fraction=0.6)
        source, entry = rename_program(p.source, p.entry)
        if source == p.source:
            continue
        renamed_count += 1
        q = type(p)(p.kind, source, entry, p.args)
        a, b = _run(p), _run(q)
        # the same steps on the same lines, the same events and the same return values
        assert [(f.event, f.lineno, f.depth) for f in a.trace.frames] == [(f.event, f.lineno, f.depth) for f in b.trace.frames]
        assert [f.value for f in a.trace.frames if f.event == "return" and "function" not in str(f.value)] == \
               [f.value for f in b.trace.frames if f.event == "return" and "function" not in str(f.value)]
        assert (a.error is None) == (b.error is None)
        compared += 1
    assert renamed_count > 90 and compared == renamed_count


def test_only_the_programs_own_names_are_renamable():
    source = ("import math\nfrom collections import Counter\n\n\nclass Box:\n    size = 2\n\n    def grow(self, by):\n"
              "        self.size += by\n        return self.size\n\n\n"
              "def f(items, key, flag):\n    out = sorted(items, key=len)\n    total = len(out)\n    msg = f'{total}!'\n"
              "    for i, x in enumerate(out):\n        flag = x\n    return out, msg, Counter(items), math.pi, Box().grow(i)\n")
    renamable, mentioned = renamable_names(ast.parse(source))
    assert renamable == {"f", "items", "flag", "out", "msg", "i", "x", "by"}   # not: key (a keyword), total (in an f-string),
    assert {"math", "Counter", "Box", "grow", "size", "len"} <= mentioned  # imports, classes, methods, builtins


def test_rename_source_keeps_the_layout_and_leaves_attributes_alone():
    source = "def f(items):\n    # items here\n    out = items.copy()  # keep\n    out.items = 'items'\n    return out\n"
    renamed = rename_source(source, {"items": "vals", "out": "acc"})
    assert renamed == ("def f(vals):\n    # items here\n    acc = vals.copy()  # keep\n    acc.items = 'items'\n"
                       "    return acc\n")


def test_widened_arguments_keep_their_types_and_grow():
    args = "'hello world', 'c', [3, 1, 2], [1, 2, 5], {'a': 1}, 7, True, [], 'ab12'"
    widened = widen_args(args, "def f(): pass")
    assert widened == widen_args(args, "def f(): pass")             # deterministic
    before, after = ast.literal_eval(f"({args},)"), ast.literal_eval(f"({widened},)")
    assert [type(v) for v in before] == [type(v) for v in after]
    text, char, nums, ordered, mapping, n, flag, empty, code = after
    assert len(text.split()) >= 4 and char == "c" and len(nums) > 3 and ordered == sorted(ordered)
    assert len(mapping) > 1 and mapping["a"] == 1 and (n, flag, empty) == (7, True, [])
    assert len(code) >= 8 and set(code) <= set("abcdefghijklmnopqrstuvwxyz0123456789")


def test_more_blocks_call_the_methods_the_main_blocks_do_not_and_programs_still_run():
    import re
    rng = random.Random(9)
    programs = [generate_program(rng, 0.3, more_fraction=1.0) for _ in range(200)]
    called = set(re.findall(r"\.([a-z_]+)\(", "\n".join(p.source for p in programs)))
    assert {"rsplit", "splitlines", "removeprefix", "translate", "fromkeys", "popitem", "clear", "bit_length",
            "is_integer"} <= called
    finished = sum(not _run(p).stopped for p in programs[:60])
    assert finished == 60
