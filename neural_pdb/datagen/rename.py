"""Consistent renaming of a generated program's own identifiers.

The generator draws names from small pools (``text``, ``nums``, ``counts``...); a model
trained only on those learns the pools instead of copying names from the program in
front of it, and loses its way on programs that name things otherwise (CruxEval's,
users'). Renaming a share of the programs, after generation and before tracing (so the
trace records the new names), teaches it to copy.

Only names the program itself binds are renamed (functions, parameters, variables, loop
and comprehension targets); never builtins, imported names, classes, attributes, keyword
argument names, or a name used inside an f-string (3.11's tokenizer does not see into
f-strings, 3.12's does: excluding them keeps the output the same on every version).
The rewrite works on tokens, so the layout of the source is kept exactly.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import random
import tokenize

from .seeding import own_rng

WORDS = ("a", "b", "c", "x", "y", "z", "s", "t", "u", "v", "w", "p", "q", "r", "st", "lst", "arr", "array", "dic",
         "seq", "elem", "el", "val", "vals", "temp", "tmp", "ans", "cnt", "res", "ret", "out", "buf", "acc", "cur",
         "prev", "nxt", "head", "tail", "left", "right", "mid", "lo", "hi", "start", "end", "first", "last", "key",
         "pos", "idx", "index", "j", "ii", "jj", "num", "digit", "char", "ch", "sym", "token", "item", "entry",
         "record", "row", "col", "cell", "grid", "matrix", "pair", "group", "bucket", "chunk", "piece", "block",
         "text", "string", "phrase", "line", "word", "letter", "name", "label", "title", "code", "msg", "message",
         "data", "info", "stats", "total", "amount", "balance", "price", "cost", "qty", "size", "length", "width",
         "height", "depth", "level", "rank", "score", "points", "weight", "ratio", "rate", "limit", "bound", "step",
         "delta", "offset", "shift", "count", "freq", "hist", "table", "lookup", "cache", "memo", "store", "stock",
         "inventory", "basket", "cart", "queue", "stack", "heap", "nodes", "edges", "path", "route", "target",
         "goal", "needle", "haystack", "pattern", "prefix", "suffix", "sep", "delim", "fill", "pad", "mask", "flags",
         "mode", "kind", "color", "colour", "animal", "fruit", "city", "user", "users", "student", "grades", "marks",
         "ages", "names", "emails", "ids", "keys", "values", "numbers", "integers", "digits", "chars", "strs",
         "words", "tokens", "parts", "fields", "columns", "rows", "lines", "pieces", "results", "output", "outputs",
         "collected", "filtered", "selected", "matches", "hits", "seen", "visited", "done", "found", "valid",
         "is_ok", "changed", "swapped", "flag", "toggle", "enabled")
PREFIXES = ("", "", "", "", "my_", "new_", "the_", "old_", "max_", "min_", "num_", "total_", "cur_", "tmp_")
SUFFIXES = ("", "", "", "", "2", "1", "_list", "_str", "_count", "_dict", "_set", "s", "_val", "_idx", "_out")
FUNCTION_WORDS = ("solve", "run", "go", "main_logic", "calc", "handle", "do_work", "apply", "step_once", "evaluate",
                  "make", "get_result", "process_data", "work", "operate", "reduce_items", "fold", "walk", "scan",
                  "pack", "unpack", "mix", "shuffle_text", "crunch", "tidy", "sift", "digest", "render", "emit")
RESERVED = set(dir(builtins)) | set(keyword.kwlist) | set(keyword.softkwlist) | {"self", "cls"}


def renamable_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names the program binds and may be renamed, every name it mentions)."""
    bound: set[str] = set()
    fixed: set[str] = set()
    mentioned: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            mentioned.add(node.id)
            if isinstance(node.ctx, ast.Store):
                bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
            mentioned.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bound.add(node.name)
            mentioned.add(node.name)
        elif isinstance(node, ast.ClassDef):
            fixed.add(node.name)
            mentioned.add(node.name)
            # methods and class attributes are reached as attributes: never renamed
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    fixed.add(item.name)
                for target in ast.walk(item) if isinstance(item, (ast.Assign, ast.AnnAssign)) else ():
                    if isinstance(target, ast.Name):
                        fixed.add(target.id)
        elif isinstance(node, ast.Attribute):
            fixed.add(node.attr)
            mentioned.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            fixed.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                name = (alias.asname or alias.name).split(".")[0]
                fixed.add(name)
        elif isinstance(node, ast.JoinedStr):
            fixed.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            mentioned.add(node.name)
    renamable = {n for n in bound - fixed - RESERVED if not (n.startswith("__") and n.endswith("__"))}
    return renamable, mentioned


def _fresh_name(rng: random.Random, taken: set[str], function: bool) -> str:
    for _ in range(100):
        if function and rng.random() < 0.6:
            name = rng.choice(FUNCTION_WORDS)
        else:
            name = rng.choice(PREFIXES) + rng.choice(WORDS) + rng.choice(SUFFIXES)
        if name not in taken and name not in RESERVED and name.isidentifier():
            return name
    n = 0
    while f"v{n}" in taken:
        n += 1
    return f"v{n}"


def rename_source(source: str, mapping: dict[str, str]) -> str:
    """``source`` with every NAME token in ``mapping`` replaced, except after a ``.``."""
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []
    prev = None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.string in mapping and not (prev is not None and prev.string == "."):
            edits.append((tok.start[0], tok.start[1], tok.end[1], mapping[tok.string]))
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            prev = tok
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "".join(lines)


def rename_program(source: str, entry: str | None, keep: frozenset[str] = frozenset()) -> tuple[str, str | None]:
    """(renamed source, renamed entry): deterministic in ``source``; names in ``keep`` stay."""
    tree = ast.parse(source)
    renamable, mentioned = renamable_names(tree)
    rng = own_rng("rename", source)
    functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    taken = set(mentioned)
    mapping: dict[str, str] = {}
    for name in sorted(renamable - keep):
        if rng.random() < 0.85:
            mapping[name] = _fresh_name(rng, taken, name in functions)
            taken.add(mapping[name])
    if not mapping:
        return source, entry
    renamed = rename_source(source, mapping)
    ast.parse(renamed)  # a renaming bug must not reach the data
    return renamed, mapping.get(entry, entry) if entry else entry
