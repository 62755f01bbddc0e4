"""Evaluation programs in CruxEval's JSONL format: one object per line with ``code``,
``input`` (the arguments as Python source, e.g. ``'abc', 2``), ``output`` (the expected
return value as a Python literal) and ``id``.

Records written by ``neural-pdb data`` (``source``, ``entry``, ``args``, ``trace``) are read
too, so held-out generated programs evaluate with the same command: a single-call record
that returned normally becomes a sample whose ``output`` is its traced return value;
whole-script records and records that ended in an exception are skipped (they have no
CruxEval-style output).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass


class DatasetError(Exception):
    """A dataset that cannot be read; the message is one line for the user."""


@dataclass(frozen=True)
class Sample:
    id: str
    code: str
    input: str
    output: str
    entry: str = "f"


REQUIRED_FIELDS = ("code", "input", "output")


def as_file_text(code: str) -> str:
    """The source as a file holds it: ending with one newline. CruxEval's ``code`` strings
    lack it; a program written to disk (and every generated training program) has it, so
    the prompt a model sees ends the same way. Lines and behaviour are unchanged."""
    return code if code.endswith("\n") else code + "\n"


def _from_generated(data: dict, where: str) -> Sample | None:
    """A ``neural-pdb data`` record as a sample, or None for one that has no output."""
    if data.get("kind") != "call" or data.get("error") or not isinstance(data.get("trace"), dict):
        return None
    frames = data["trace"].get("frames") or []
    depth, output = 0, None
    for frame in frames:  # the return frame that leaves the entry scope
        event = frame.get("event") if isinstance(frame, dict) else None
        depth += 1 if event == "call" else -1 if event == "return" else 0
        if event == "return" and depth <= 0:
            output = frame.get("value")
            break
    if not isinstance(output, str) or not isinstance(data.get("source"), str):
        return None
    return Sample(id=str(data.get("id", where)), code=data["source"], input=str(data.get("args") or ""),
                  output=output, entry=str(data.get("entry") or "f"))


def parse_sample(line: str, where: str, entry: str = "f") -> Sample | None:
    """One line as a sample; None for a generated record without an output."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise DatasetError(f"{where}: not valid JSON ({e.msg})") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{where}: expected a JSON object")
    if "code" not in data and "source" in data and "trace" in data:
        return _from_generated(data, where)
    missing = [k for k in REQUIRED_FIELDS if not isinstance(data.get(k), str)]
    if missing:
        raise DatasetError(f"{where}: missing or non-string field(s): {', '.join(missing)}")
    return Sample(id=str(data.get("id", where)), code=as_file_text(data["code"]), input=data["input"],
                  output=data["output"], entry=str(data.get("entry", entry)))


def load_dataset(path: str, entry: str = "f", limit: int | None = None) -> list[Sample]:
    """The first ``limit`` samples of a CruxEval-format file (blank lines skipped).
    A sample may name its own ``entry``; otherwise ``entry`` is used."""
    if not os.path.exists(path):
        raise DatasetError(f"Error: {path} does not exist")
    if os.path.isdir(path):
        raise DatasetError(f"Error: {path} is a directory")
    samples: list[Sample] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if limit is not None and len(samples) >= limit:
                    break
                if line.strip():
                    sample = parse_sample(line, f"{path}:{number}", entry)
                    if sample is not None:
                        samples.append(sample)
    except UnicodeDecodeError:
        raise DatasetError(f"Error: {path} is not UTF-8 text") from None
    except OSError as e:
        raise DatasetError(f"Error: cannot read {path}: {e.strerror}") from None
    ids = [s.id for s in samples]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise DatasetError(f"{path}: duplicate id {dup!r}")
    return samples
