#!/usr/bin/env python3
"""Generate docs/api/openapi.json from docs/api/openapi.yaml (the document comwit-local serves at
GET /openapi.json). `--check` fails when the JSON is stale instead of writing it.

Needs PyYAML (`python3 -c 'import yaml'`)."""
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "docs" / "api" / "openapi.yaml"
OUT = ROOT / "docs" / "api" / "openapi.json"


def render() -> str:
    doc = yaml.safe_load(SRC.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1"):
        sys.exit(f"{SRC}: not an OpenAPI 3.1 document")
    # Every key must stay a string (YAML would read an unquoted 200 as an integer).
    def check_keys(node, path="$"):
        if isinstance(node, dict):
            for k, v in node.items():
                if not isinstance(k, str):
                    sys.exit(f"{SRC}: key {k!r} at {path} is not a string: quote it")
                check_keys(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                check_keys(v, f"{path}[{i}]")

    check_keys(doc)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(
                f"{OUT.relative_to(ROOT)} is stale: run `python3 scripts/openapi-json.py`",
                file=sys.stderr,
            )
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
