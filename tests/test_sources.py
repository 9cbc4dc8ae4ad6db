"""Every quote in a rule or pack is the seed's own text (whitespace folded; `...`
marks an omission). Skips with a reason where the seeds are not beside the checkout."""

import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import SEEDS

ROOT = Path(__file__).resolve().parent.parent
DOCS = {"000": "000_9f2860e62ed113f8.txt", "001": "001_90d7d222ae681451.txt",
        "002": "002_5a74cf0fdad48920.txt", "003": "003_70cb43397f8409c6.txt",
        "004": "004_8ae7d8509ad6caf1.txt"}


def _fold(text: str) -> str:
    text = re.sub(r"<[^>]+>|\*\*|\\\*", "", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _quotes(node, where):
    if isinstance(node, dict):
        if "document" in node and "quote" in node and node["quote"]:
            yield where, str(node["document"]), node["quote"]
        for key, value in node.items():
            yield from _quotes(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _quotes(value, f"{where}[{i}]")


QUOTES = [
    q
    for path in sorted((ROOT / "rules").rglob("*.yaml"))
    for q in _quotes(yaml.safe_load(path.read_text("utf-8")), path.relative_to(ROOT).as_posix())
]


@pytest.mark.parametrize(("where", "document", "quote"), QUOTES, ids=[q[0] for q in QUOTES])
def test_quote_is_in_the_seed(where, document, quote):
    if not SEEDS.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({SEEDS})")
    text = _fold((SEEDS / DOCS[document]).read_text("utf-8"))
    for part in re.split(r"\s*(?:\.\.\.|…)\s*", quote):
        assert _fold(part) in text, f"{where}: {part!r} is not in seed {document}"
