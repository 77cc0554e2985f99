"""Run every experiment of the course on the bundled data and write one self-contained HTML report.

The experiments (initialization, regularization, gradient-checking,
optimization, optimization-decay, signs-course, signs) run in order; the table goes
to stdout and report.html (figures embedded, no external resources),
results.json and the figures go to --out. Each section checks the course's
"what to remember" against the numbers just measured. Exit status 0 when every
conclusion holds, 1 when one does not (with --quick the runs are too short for
the course's lessons, so only the gradient checks are enforced).

examples:
  descentlab demo
  descentlab demo --quick --out /tmp/demo
"""

from __future__ import annotations

import argparse
import json
import sys

from ._args import positive_int, stderr_log

ORDER = 62
HELP = "run all the course experiments and write the HTML report"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="descentlab-out/demo", metavar="DIR",
                   help="folder for report.html, results.json and figures (default ./descentlab-out/demo)")
    p.add_argument("--quick", action="store_true", help="reduced sizes (fewer epochs): a smoke test of under a minute")
    p.add_argument("--seeds", type=positive_int, default=1, help="runs per arm (default 1: the course's seeds)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout instead of the table")
    p.add_argument("--quiet", action="store_true", help="nothing on stderr while it runs (no bars, no progress lines)")


def run(args: argparse.Namespace) -> int:
    from ..experiments import run_demo, write_demo
    from ..experiments.demo import check_demo_out
    from ..experiments.records import machine_text
    check_demo_out(args.out, quick=args.quick)  # writable, ours, with room: before any training
    demo = run_demo(quick=args.quick, seeds=args.seeds, log=None if args.quiet else stderr_log, progress=not args.quiet)
    write_demo(demo, args.out)
    if args.json:
        print(json.dumps(demo.to_dict(), indent=2, allow_nan=False))
    else:
        print(demo.table())
        load = machine_text(demo.machine)
        print(f"\nall experiments: {demo.seconds:.1f} s{f' ({load})' if load else ''}; report: {args.out}/report.html")
    failed = [f"{r.name}: {c.text}" for r in demo.results for c in r.conclusions if c.enforced and c.passed is False]
    if failed:
        print(f"descentlab: {len(failed)} conclusion(s) do not hold: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0
