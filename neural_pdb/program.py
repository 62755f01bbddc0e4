"""Loading a user's program, with one clear line for everything that can be wrong."""

from __future__ import annotations

import os
from dataclasses import dataclass


class ProgramError(Exception):
    """A program that cannot be debugged or traced; the message is one line for the user."""


@dataclass(frozen=True)
class Program:
    filename: str  # absolute path, as pdb prints it
    source: str


def read_program(path: str) -> Program:
    """Read and compile-check a script. Raises :class:`ProgramError`."""
    filename = os.path.abspath(path)
    if not os.path.exists(filename):
        raise ProgramError(f"Error: {path} does not exist")
    if os.path.isdir(filename):
        raise ProgramError(f"Error: {path} is a directory")
    try:
        with open(filename, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise ProgramError(f"Error: cannot read {path}: {e.strerror}") from None
    if b"\x00" in data:
        raise ProgramError(f"Error: {path} is a binary file, not a Python script")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProgramError(f"Error: {path} is not UTF-8 text") from None
    check_syntax(source, filename)
    return Program(filename, source)


def check_syntax(source: str, filename: str) -> None:
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as e:
        raise ProgramError(f"SyntaxError: {e.msg} ({e.filename or filename}, line {e.lineno})") from None
    except ValueError as e:  # e.g. source with NUL characters
        raise ProgramError(f"Error: {filename}: {e}") from None
