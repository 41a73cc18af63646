"""`python -m bench.worker module:function '{"json": "kwargs"}'`: run one measurement in a fresh
interpreter and print `RESULT <json>` as the last line."""

from __future__ import annotations

import importlib
import json
import logging
import sys


def main(argv: list[str]) -> int:
    target, raw = argv[1], argv[2]
    module_name, _, function_name = target.partition(":")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    function = getattr(importlib.import_module(module_name), function_name)
    result = function(**json.loads(raw))
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
