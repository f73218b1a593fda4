"""The README's "Calibrate your own PyTorch model" Python block runs as written on a DiT-like model."""
import csv
import os
import re

from tiny_dit import sample

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")


def test_the_readme_example_writes_traces(model, tmp_path, monkeypatch):
    text = open(README, encoding="utf-8").read()
    section = text.split("## Calibrate your own PyTorch model", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) <= 12
    monkeypatch.chdir(tmp_path)
    namespace = {"model": model, "prompts": ["a cat", "a dog"], "sample": lambda m, p, s: sample(m, p, s, steps=5)}
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        namespace["recorder"].detach()
    files = sorted(os.listdir(tmp_path / "traces" / "my-dit"))
    assert len(files) == 8 and sum(f.endswith(".csv") for f in files) == 4
    with open(tmp_path / "traces" / "my-dit" / [f for f in files if f.endswith(".csv")][0], newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 10
