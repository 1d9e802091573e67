"""`make bench`: every benchmark in turn, each with its default settings (one subprocess each, so their
argument parsers and servers stay apart)."""

from __future__ import annotations

import subprocess
import sys

BENCHES = (
    "stack",
    "codes",
    "code_job",
    "code_export",
    "customers",
    "console",
    "redirect",
    "events",
    "redeem",
    "webhooks",
    "bodies",
    "hotpaths",
    "floor",
    "sales",
    "reversals",
    "layers",
    "migration",
)


def main() -> None:
    for name in BENCHES:
        print(f"\n=== bench.{name} ===", flush=True)
        subprocess.run([sys.executable, "-m", f"bench.{name}"], check=True)


if __name__ == "__main__":
    main()
