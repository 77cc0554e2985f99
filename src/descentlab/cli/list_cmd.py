"""List the course experiments that ``descentlab run`` and ``descentlab demo`` know, and the built-in data sets.

examples:
  descentlab list
  descentlab run initialization
  descentlab run my-comparison.toml
"""

from __future__ import annotations

import argparse
import json

ORDER = 60
HELP = "list the course experiments and the built-in data sets"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print the list as one JSON document")


def run(args: argparse.Namespace) -> int:
    from ..datasets import DATASETS
    from ..experiments import DEMO, PRESETS
    if args.json:
        doc = {"experiments": [{"name": e.name, "title": e.title, "assignment": e.assignment, "dataset": e.dataset,
                                "arms": [a.name for a in e.arms], "quick": e.quick_note, "in_demo": e.name in DEMO}
                               for e in PRESETS.values()],
               "datasets": dict(DATASETS)}
        print(json.dumps(doc, indent=2))
        return 0
    width = max(len(n) for n in PRESETS)
    print("Experiments (descentlab run NAME [--seeds N] [--quick]; descentlab demo runs them all):")
    for e in PRESETS.values():
        arms = ", ".join(a.name for a in e.arms)
        print(f"  {e.name:<{width}}  {e.title}")
        print(f"  {'':<{width}}    {e.assignment}; data: {e.dataset if e.kind != 'gradcheck' else 'the course test case'}; "
              f"arms: {arms}")
    print("\nData sets (for TOML comparisons: dataset = NAME, or a .csv/.npz path):")
    dwidth = max(len(n) for n in DATASETS)
    for name, text in DATASETS.items():
        print(f"  {name:<{dwidth}}  {text}")
    print("\nYour own comparison: a TOML file with a dataset, a [base] configuration and [[arms]]; "
          "see examples/ and `descentlab run --help`.")
    return 0
