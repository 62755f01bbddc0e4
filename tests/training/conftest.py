import pytest

from neural_pdb.datagen.dataset import DataConfig, write_dataset


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    """60 training traces and 8 held-out ones, written by the real pipeline."""
    out = tmp_path_factory.mktemp("data")
    write_dataset(DataConfig(size=60, heldout=8, seed=11, shards=2, max_frames=120), out, progress=False)
    return out
