import os
import sys

import pytest
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package, from a checkout
sys.path.insert(0, HERE)  # tiny_dit

torch.set_num_threads(1)  # the CI machine is small and shared

from tiny_dit import TinyDiT  # noqa: E402


@pytest.fixture(scope="session")
def model() -> TinyDiT:
    return TinyDiT().eval()
