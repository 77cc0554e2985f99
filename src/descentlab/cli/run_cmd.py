"""Run one of the course's experiments, or your own comparison, and write its results.

EXPERIMENT is a preset name (see `descentlab list`) or a TOML comparison file.
The table goes to stdout (or, with --json, one JSON document and nothing else);
--out receives results.json, the figures (PNG), the models and report.html,
each written atomically once the whole run has finished. Exit status: 0 when
every checked conclusion holds, 1 when one does not, 2 for bad input.

A TOML comparison gives a data set, a [base] configuration and [[arms]] that
each change one factor:

  name = "l2-vs-dropout"
  dataset = "football"            # or a .csv / .npz path, relative to the file
  [base]
  layers = [2, 20, 3, 1]
  init = "lecun"
  seed = 3
  optimizer = "gd"
  lr = 0.3
  epochs = 30000
  batch_size = "full"
  shuffle = "none"
  [quick]
  epochs = 2000
  [[arms]]
  name = "none"
  [[arms]]
  name = "L2 0.7"
  l2 = 0.7

Settings: layers, hidden, output, init, init_scale, seed, dtype, engine,
preprocessing ("none", "standardize" or a scale factor), optimizer, lr, beta,
beta1, beta2, epsilon, weight_decay, schedule ({name = "staircase", rate = 1,
interval = 1000, delay = 1}), epochs, batch_size (a number or "full"),
shuffle ("random", "course", "none"), l2, keep_prob.

examples:
  descentlab run initialization
  descentlab run optimization --seeds 5
  descentlab run regularization --quick --json > results.json
  descentlab run examples/regularization-comparison.toml --out results/
"""

from __future__ import annotations

import argparse
import json
import sys

from ._args import positive_int, stderr_log

ORDER = 61
HELP = "run a course experiment or a TOML comparison"


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("experiment", metavar="EXPERIMENT", help="a preset name (descentlab list) or a .toml comparison file")
    p.add_argument("--seeds", type=positive_int, default=1,
                   help="runs per arm, seeds base, base+1, ... (the first is the course's); reports mean ± std. "
                        "The first seed trains alone, the others together in lockstep (fit_many)")
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout, nothing else")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="folder for results.json, figures and report.html (default ./descentlab-out/<experiment>)")
    p.add_argument("--quick", action="store_true", help="reduced size (fewer epochs) for a smoke test")
    p.add_argument("--quiet", action="store_true", help="nothing on stderr while it runs (no bars, no progress lines)")


def run(args: argparse.Namespace) -> int:
    from ..experiments import get_experiment, run_experiment, write_outputs
    from ..experiments.outputs import check_out
    from ..experiments.records import slug
    experiment = get_experiment(args.experiment)
    out = args.out or f"descentlab-out/{slug(experiment.name)}"
    check_out(out, [experiment], quick=args.quick)  # writable, ours, with room: before any training
    result = run_experiment(experiment, seeds=args.seeds, quick=args.quick, log=None if args.quiet else stderr_log,
                            progress=not args.quiet)
    write_outputs(result, out)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print(result.table())
        print(f"\nresults, figures and report.html: {out}")
    if not result.passed:
        failed = [c.text for c in result.conclusions if c.enforced and c.passed is False]
        print(f"descentlab: {len(failed)} conclusion(s) do not hold: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0
