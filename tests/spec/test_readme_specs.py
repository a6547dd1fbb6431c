"""Every spec shown in the README is a valid spec (docs that drift from the code fail here)."""

import re
from pathlib import Path

import pytest
import yaml

from llmsynth.spec import spec_from_dict

README = Path(__file__).resolve().parents[2] / "README.md"
SPECS = [b for b in re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S) if "columns:" in b]


def test_readme_has_specs() -> None:
    assert SPECS


@pytest.mark.parametrize("text", SPECS, ids=[f"spec-{i}" for i in range(len(SPECS))])
def test_readme_spec_validates(text: str) -> None:
    spec = spec_from_dict(yaml.safe_load(text), source="README.md")
    assert spec.column_names
