"""Tiny models saved once per test session (building one takes well under a second, but
importing transformers does not need repeating)."""

from __future__ import annotations

import pytest

from tests.model.tiny import save_tiny_model


@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory):
    return save_tiny_model(tmp_path_factory.mktemp("tiny_llama"), arch="llama")


@pytest.fixture(scope="session")
def tiny_cwm_dir(tmp_path_factory):
    return save_tiny_model(tmp_path_factory.mktemp("tiny_cwm"), arch="cwm")


@pytest.fixture(scope="session")
def tiny_cwm_sliding_dir(tmp_path_factory):
    # A window much shorter than the test sequences, so crops cross it.
    return save_tiny_model(tmp_path_factory.mktemp("tiny_cwm_sliding"), arch="cwm", sliding_window=8)


@pytest.fixture(scope="session")
def tiny_loaded(tiny_llama_dir):
    from neural_pdb.model.loading import load_model
    return load_model(tiny_llama_dir, device="cpu")
