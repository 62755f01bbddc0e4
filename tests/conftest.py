"""Fixtures shared by every test directory."""

from __future__ import annotations

import bdb

import pytest


@pytest.fixture
def fresh_breakpoints():
    """bdb numbers breakpoints process-wide, as pdb does; each test starts at 1 and leaves
    no breakpoint behind."""
    saved = (bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber)
    bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = 1, {}, [None]
    yield
    bdb.Breakpoint.next, bdb.Breakpoint.bplist, bdb.Breakpoint.bpbynumber = saved
