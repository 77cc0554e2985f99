"""The course's "what you should remember", checked against the numbers just measured.

Each checker takes an :class:`~.runner.ExperimentResult` (and the results of the
other experiments of the same demo, for comparisons across experiments) and
returns :class:`Conclusion` records: the lesson, ✓ or ✗, and the measured
numbers it rests on. With several seeds every number is the mean over seeds.
A conclusion with ``passed=None`` is an observation (shown, never failing).

In ``--quick`` mode the runs are too short for the course's lessons to hold, so
conclusions are shown but not enforced, except those marked ``quick_ok`` (the
gradient checks, which do not depend on training length).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from .records import ArmResult, ExperimentResult
from .search_views import main_effects, summarize


@dataclass
class Conclusion:
    text: str
    passed: bool | None
    measured: str
    course: str = ""
    enforced: bool = True
    quick_ok: bool = False
    why: str = ""
    target: bool = False  # a goal we report against (✓/✗) without failing the run

    @property
    def symbol(self) -> str:
        return "ℹ" if self.passed is None else ("✓" if self.passed else "✗")

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "passed": self.passed, "measured": self.measured, "course": self.course,
                "why": self.why, "enforced": self.enforced}


def _v(a: ArmResult, key: str) -> float:
    value = a.mean(key)
    return float("nan") if value is None else value


def _f(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}f}" if abs(x) < 1e4 else f"{x:.4g}"


def _initialization(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    zeros, rand, he = r.arm("zeros"), r.arm("random"), r.arm("he")
    hidden = list(range(1, len(zeros.config["layers"]) - 1))
    symmetric = all(run.extra.get("symmetric_layers") == hidden for run in zeros.runs)
    sym_seen = zeros.first.extra.get("symmetric_layers")
    z_tr, z_te = _v(zeros, "train_accuracy"), _v(zeros, "test_accuracy")
    out = [Conclusion(
        "Zero initialization does not break symmetry: every unit of each hidden layer stays identical, "
        "so the network is no better than one unit per layer and predicts one class (50% accuracy)",
        symmetric and abs(z_tr - 0.5) <= 0.02 and abs(z_te - 0.5) <= 0.02,
        f"diagnose(): symmetric hidden layers {sym_seen} of {hidden}; train {_f(z_tr)}, test {_f(z_te)}",
        "train 0.5, test 0.5")]
    r0, h0 = _v(rand, "initial_cost"), _v(he, "initial_cost")
    r1, h1 = _v(rand, "final_cost"), _v(he, "final_cost")
    out.append(Conclusion(
        "Large random initialization (randn x 10): a very large initial cost and slower convergence than He",
        r0 > 10 * h0 and r1 > h1,
        f"initial cost {_f(r0)} vs He {_f(h0)}; after {rand.first.epochs} iterations {_f(r1, 6)} vs He {_f(h1, 6)}",
        "initial cost printed as inf; train 0.83 / test 0.86 against He's 0.9933 / 0.96",
        why="descentlab computes the cost from the logits: the true initial cost is huge, because many points start "
            "confidently on the wrong side (the course's code printed inf for it: see the last conclusion). The "
            "course's lesson: overly large random initial weights slow down the optimization"))
    he_tr, he_te = _v(he, "train_accuracy"), _v(he, "test_accuracy")
    others_tr = max(z_tr, _v(rand, "train_accuracy"))
    others_te = max(z_te, _v(rand, "test_accuracy"))
    out.append(Conclusion(
        "He initialization reaches the best accuracy",
        he_tr >= others_tr and he_te >= others_te,
        f"He train {_f(he_tr)}, test {_f(he_te)}; best other arm train {_f(others_tr)}, test {_f(others_te)}",
        "He 0.9933 / 0.96, random 0.83 / 0.86, zeros 0.5 / 0.5"))
    course = r.find_arm("random, the course's code")  # absent where only descentlab trains (the playground)
    if course is not None:
        out.append(_initialization_printed_inf(rand, course, r0))
    return out


def _initialization_printed_inf(rand: ArmResult, course: ArmResult, r0: float) -> Conclusion:
    """The course's code prints inf for the x10 start's cost where descentlab's cost is finite; both train alike."""
    printed = course.first.extra.get("printed") or ["(nothing printed)"]
    c_tr, c_te = _v(course, "train_accuracy"), _v(course, "test_accuracy")
    r_tr, r_te = _v(rand, "train_accuracy"), _v(rand, "test_accuracy")
    same = abs(c_tr - r_tr) <= 0.02 and abs(c_te - r_te) <= 0.02
    return Conclusion(
        "The course's code prints the random (x10) start's cost as inf; descentlab's cost of the same start is "
        "finite, and both train the same network",
        printed[0] == "Cost after iteration 0: inf" and math.isfinite(r0) and r0 > 100 and same,
        f"the course's code printed '{printed[0]}'; descentlab: initial cost {_f(r0, 2)}; train / test accuracy "
        f"{_f(c_tr)} / {_f(c_te)} (the course's code) and {_f(r_tr)} / {_f(r_te)} (descentlab)",
        "Cost after iteration 0: inf; train 0.83 / test 0.86",
        why=f"with weights x 10 a logit is so large that the course's sigmoid 1 / (1 + exp(-z)) rounds to exactly 1.0 "
            f"for a point labelled 0; its cost then takes -log(1 - 1) = inf (np.nansum drops nan, not inf). The cost "
            f"from the logits, log(1 + e^z), is finite: {_f(r0, 2)}, huge because many points start confidently on "
            "the wrong side. Training is the same (the gradient a - y involves no log), so the course's lesson holds "
            "either way: overly large initial weights start far from a good solution and slow the descent; the inf "
            "is an artefact of how the cost was computed, not a property of the network")


def _regularization(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    none, l2 = r.arm("none"), r.arm("L2 0.7")
    fixed = r.find_arm("dropout 0.86, the course's code (one fixed mask)")  # absent in the playground
    fresh = r.arm("dropout 0.86, fresh masks")
    n_tr, n_te = _v(none, "train_accuracy"), _v(none, "test_accuracy")
    out = [Conclusion(
        "Without regularization the network overfits: better on the training set than on the test set",
        n_tr > n_te, f"train {_f(n_tr)} > test {_f(n_te)}", "train 0.9479, test 0.915")]
    for arm, what, course in ((l2, "L2 regularization", "L2: test 0.93"),
                              (fixed, "Dropout as the course ran it (one fixed mask)", "dropout: test 0.95"),
                              (fresh, "Dropout with fresh masks", "dropout: test 0.95 (with one fixed mask)")):
        if arm is None:
            continue
        te = _v(arm, "test_accuracy")
        out.append(Conclusion(
            f"{what} reduces overfitting: test accuracy at least the unregularized arm's",
            te >= n_te, f"{arm.name}: test {_f(te)} vs none {_f(n_te)} (train {_f(_v(arm, 'train_accuracy'))})",
            f"none: test 0.915; {course}"))
    w_none, w_l2 = _v(none, "weight_norm2"), _v(l2, "weight_norm2")
    out.append(Conclusion(
        "L2 regularization drives the weights to smaller values (weight decay)",
        w_l2 < w_none, f"sum of squared weights {_f(w_l2, 2)} with L2 vs {_f(w_none, 2)} without", ""))
    t_l2 = _v(l2, "train_accuracy")
    out.append(Conclusion(
        "Regularization costs a little training-set accuracy",
        t_l2 <= n_tr, f"L2 train {_f(t_l2)} vs none {_f(n_tr)}", "L2 train 0.9384 vs none 0.9479"))
    if fixed is not None:
        out.append(_regularization_one_mask(fixed, fresh, n_te, _v(l2, "test_accuracy")))
    return out


def _regularization_one_mask(fixed: ArmResult, fresh: ArmResult, n_te: float, l2_te: float) -> Conclusion:
    """The course's dropout numbers come from one fixed mask; fresh masks give others, and what that means."""
    c_tr, c_te = _v(fixed, "train_accuracy"), _v(fixed, "test_accuracy")
    f_tr, f_te = _v(fresh, "train_accuracy"), _v(fresh, "test_accuracy")
    c_cost, f_cost = _v(fixed, "final_cost"), _v(fresh, "final_cost")
    reproduced = round(c_tr, 4) == 0.9289 and round(c_te, 4) == 0.95
    if f_te > l2_te:
        ranking = (f"its ranking survives, narrower: fresh-mask dropout ends above L2 on the test set by "
                   f"{_f(f_te - l2_te)} ({_f(f_te)} against {_f(l2_te)}) where the course's one mask was "
                   f"{_f(c_te - l2_te)} above")
    else:
        ranking = (f"its verdict that dropout does best here belongs to its one mask: fresh-mask dropout ends "
                   f"{'level with' if f_te == l2_te else 'below'} L2 on the test set ({_f(f_te)} against {_f(l2_te)})")
    return Conclusion(
        "The course's dropout numbers come from ONE fixed mask: the course's code reproduces them, dropout with "
        "fresh masks gives others",
        reproduced and (c_tr, c_te) != (f_tr, f_te) and f_te >= n_te,
        f"the course's code (one fixed mask): train {_f(c_tr)}, test {_f(c_te)}, training cost with every unit on "
        f"{_f(c_cost)}; fresh masks: train {_f(f_tr)}, test {_f(f_te)}, cost {_f(f_cost)}; no regularization: test "
        f"{_f(n_te)}; L2: test {_f(l2_te)}",
        "dropout: train 0.9289, test 0.95",
        why="the course's forward_propagation_with_dropout calls np.random.seed(1) on entry, so every iteration drew "
            "the same two masks: each training example kept the same units at every step, and the network fitted "
            "that one pattern, not dropout's average over many thinned networks. Evaluated with every unit on, as "
            f"dropout is meant to be used after training, its training-set cost is {_f(c_cost)} against {_f(f_cost)} "
            "with fresh masks, which no single pattern can be fitted to. The lesson holds: real dropout also beats "
            "no regularization on "
            f"the test set ({_f(f_te)} against {_f(n_te)}). The course's exact {_f(c_te)} belongs to its one mask, "
            f"and {ranking}")


def _gradient_checking(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    ok, bad = r.arm("correct"), r.arm("broken")
    ok_runs = [run.extra for run in ok.runs]
    bad_runs = [run.extra for run in bad.runs]
    out = [Conclusion(
        "The correct backward pass passes the gradient check",
        all(e["passed"] for e in ok_runs),
        f"difference {ok.first.extra['difference']:.3e} < threshold {ok.first.extra['threshold']:g}",
        "difference below 2e-7", quick_ok=True)]
    names = sorted(bad.first.extra["failed"])
    out.append(Conclusion(
        "The broken backward pass (dW2 x 2, db1 x 4) fails, and the check names W2 and b1",
        all((not e["passed"]) and sorted(e["failed"]) == ["W2", "b1"] for e in bad_runs),
        f"difference {bad.first.extra['difference']:.4g}; failing parameters: {', '.join(names) or 'none'}",
        "difference 0.2850931567761623 (the course's message: 'There is a mistake in the backward propagation!')",
        quick_ok=True))
    c_ok, c_bad = r.find_arm("correct, the course's algorithm"), r.find_arm("broken, the course's algorithm")
    if c_ok is not None and c_bad is not None:
        out += _gradient_checking_algorithms(ok, bad, c_ok, c_bad)
    return out


def _gradient_checking_algorithms(ok: ArmResult, bad: ArmResult, c_ok: ArmResult, c_bad: ArmResult) -> list[Conclusion]:
    """The course's algorithm against check_gradients: the same verdicts, and why the course's difference is larger."""
    d_course, d_core = c_ok.first.extra["difference"], ok.first.extra["difference"]
    b_course, b_core = c_bad.first.extra["difference"], bad.first.extra["difference"]
    probs = [a for a, y in zip(c_ok.first.extra["A3"], c_ok.first.extra["Y"]) if y == 0]
    a_max = max(probs) if probs else float("nan")
    kept = 16 - math.log10(1 / (1 - a_max)) if 0 < a_max < 1 else float("nan")
    return [
        Conclusion(
            "On the correct backward pass the course's algorithm finds the course's 1.19e-7 and descentlab's "
            "check_gradients far less: the course's number is mostly rounding error of its costs, not a gradient error",
            bool(math.isclose(d_course, 1.1890913024229996e-07, rel_tol=1e-5) and c_ok.first.extra["passed"]
                 and d_core * 10 < d_course and a_max > 0.99),
            f"the course's gradient_check_n: {d_course:.10g}; check_gradients: {d_core:.3g} "
            f"({d_course / d_core:.0f} times smaller); the label-0 example has A3 = {a_max:.5f}",
            "1.1890913024229996e-07, accepted by the notebook's np.isclose; threshold 2e-7",
            quick_ok=True,
            why=f"the course computes each perturbed cost from probabilities: the label-0 example contributes "
                f"-log(1 - A3) with A3 = {a_max:.5f}, so 1 - A3 = {1 - a_max:.2e} keeps only about {kept:.0f} of A3's "
                "16 significant digits, and every central difference divides that rounding error by 2 epsilon = 2e-7: "
                "some entries of gradapprox are off by a few 1e-7. check_gradients computes the same costs from the "
                "logits (log(1 + e^z), exact to rounding), so what it finds is the finite-difference error itself. "
                "Both pass the course's 2e-7; with 1e-7, the threshold of the course's 1-D check (and of some copies "
                "of this one), the course's algorithm would call this correct backward pass wrong"),
        Conclusion(
            "On the broken backward pass both algorithms find the same difference: the planted mistakes dwarf the "
            "rounding error",
            bool(abs(b_course - b_core) <= 1e-6 * b_core and not c_bad.first.extra["passed"]
                 and not bad.first.extra["passed"]),
            f"the course's gradient_check_n: {b_course:.10g}; check_gradients: {b_core:.10g}",
            "0.2850931567761623", quick_ok=True),
    ]


def _optimization(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    gd, mom, adam = r.arm("gd"), r.arm("momentum"), r.arm("adam")
    g, m, a = (_v(x, "train_accuracy") for x in (gd, mom, adam))
    gc, mc, ac = (_v(x, "final_cost") for x in (gd, mom, adam))
    lr = gd.config["lr"]
    return [
        Conclusion(f"Adam beats GD and momentum at this small learning rate ({lr:g})",
                   a > max(g, m) and ac < min(gc, mc),
                   f"train accuracy adam {_f(a)}, gd {_f(g)}, momentum {_f(m)}; "
                   f"final cost {_f(ac)} vs {_f(gc)}, {_f(mc)}",
                   "adam 0.94, gd 0.797, momentum 0.797"),
        Conclusion("Momentum barely helps here (small learning rate, simple data): it ends within 0.02 of GD",
                   abs(m - g) <= 0.02, f"momentum {_f(m)} vs gd {_f(g)}", "both 0.797"),
    ]


def _decayed(a: ArmResult) -> bool:
    """Whether the learning rate of every run of the arm actually decayed (its last epoch's rate is lower)."""
    lrs = [r.history["lr"] for r in a.runs if r.history is not None and len(r.history)]
    return bool(lrs) and all(lr[-1] < lr[0] for lr in lrs)


def _late_wobble(a: ArmResult) -> float:
    """How much the cost still moves at the end: the standard deviation of the last 10% of epochs' costs (mean over runs)."""
    values = []
    for r in a.runs:
        costs = [c for c in (r.history["cost"] if r.history is not None else []) if c is not None]
        tail = costs[-max(len(costs) // 10, 2):]
        if len(tail) >= 2:
            values.append(float(np.std(tail)))
    return float(np.mean(values)) if values else float("nan")


def _optimization_decay(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    gd, mom, adam = r.arm("gd"), r.arm("momentum"), r.arm("adam")
    flat = [a for a in r.arms if a.name.endswith("no decay")]
    g, m, a = (_v(x, "train_accuracy") for x in (gd, mom, adam))
    lr0, end = gd.config["lr"], gd.first.history["lr"][-1] if gd.first.history is not None and len(gd.first.history) else None
    tested = _decayed(gd) and _decayed(mom)
    sched = gd.config["schedule"]
    untested = (f"nothing was tested: the learning rate never decayed in this run (it stayed {lr0:g} for "
                f"{gd.first.epochs} epochs; the schedule first lowers it after "
                f"{sched.get('interval', 1000) + sched.get('delay', 0)} epochs)")
    passed = tested and g >= a - 0.01 and m >= a - 0.01
    measured = f"with decay (lr {lr0:g} down to {end:g}): gd {_f(g)}, momentum {_f(m)}, adam {_f(a)}" if tested else untested
    base = context.get("optimization")
    if tested and base is not None and base.quick == r.quick:
        g0, m0 = _v(base.arm("gd"), "train_accuracy"), _v(base.arm("momentum"), "train_accuracy")
        passed = passed and g > g0 and m > m0
        measured += f"; without decay at lr 0.0007 (the optimization experiment): gd {_f(g0)}, momentum {_f(m0)}"
    out = [Conclusion("Learning-rate decay lets GD and momentum catch up with Adam (within 0.01)",
                      passed, measured, "gd 0.9433, momentum 0.95, adam 0.94",
                      why="the course compares decay from lr 0.1 with no decay at lr 0.0007, two factors at once; "
                          "the arms 'no decay' below keep lr 0.1 without decay to separate them")]
    return out + _decay_isolated(r, flat, tested, untested)


def _decay_isolated(r: ExperimentResult, flat: list[ArmResult], tested: bool, untested: str) -> list[Conclusion]:
    """What the decay itself does, against the same starting rate without it."""
    pairs = [(r.arm(f.name[: -len(", no decay")]), f) for f in flat]
    if not pairs:
        return []
    if not tested:
        return [Conclusion("Decay itself, against the same starting rate without decay, steadies the end of training",
                           False, untested)]
    wobble = "; ".join(f"{d.name} {_late_wobble(d):.2g} with decay vs {_late_wobble(n):.2g} without"
                       for d, n in pairs)
    accuracy = "; ".join(f"{d.name} {_f(_v(d, 'train_accuracy'))} with decay, {_f(_v(n, 'train_accuracy'))} "
                         f"without" for d, n in pairs)
    return [
        Conclusion("Decay itself, against the same starting rate without decay, steadies the end of training: "
                   "the cost moves less over the last 10% of epochs",
                   all(_late_wobble(d) < _late_wobble(n) for d, n in pairs),
                   f"standard deviation of the cost over the last 10% of epochs: {wobble}",
                   why="smaller steps near the minimum: the rate at the end is a tenth of the start"),
        Conclusion("Accuracy with the same starting rate (lr 0.1) without decay: what separates decay from the 140x "
                   "larger starting rate", None, f"train accuracy: {accuracy}",
                   why="if the accuracies are close, it is mostly the larger starting rate, not the decay, that lets "
                       "GD and momentum catch up with Adam in the course's comparison"),
    ]


def _dead_text(run_extra: Mapping[str, Any], layers: list[int]) -> str:
    parts = []
    for layer in sorted(run_extra.get("dead_units_final", {}), key=int):
        n = layers[int(layer)]
        at = [run_extra.get(k, {}).get(layer) for k in ("dead_units_init", "dead_units_epoch1", "dead_units_final")]
        parts.append(f"layer {layer}: {at[0]} of {n} dead at initialization, {at[1]} after epoch 1, {at[2]} at the end "
                     f"({n - at[2]} left)" if at[2] is not None else f"layer {layer}: {at}")
    return "; ".join(parts)


def _signs_course(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    out = _signs_common(r)
    te = _v(r.arms[0], "test_accuracy")
    out.insert(1, Conclusion("the course's recipe reaches the course's level: test accuracy 0.70 or more "
                             "(the course printed 0.717)", te >= 0.70, f"test {_f(te)}", "test 0.717"))
    return out


def _dead_total(run_extra: Mapping[str, Any]) -> int | None:
    final = run_extra.get("dead_units_final")
    return None if final is None else int(sum(final.values()))


def _signs(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    out = _signs_common(r)
    a = r.arms[0]
    te = _v(a, "test_accuracy")
    out.insert(1, Conclusion("target: test accuracy 0.90 or more within 300 epochs", te >= 0.90, f"test {_f(te)}",
                             "0.90", target=True,
                             why="a goal of this toolkit, not a lesson of the course: reported, never failing the run"))
    course = context.get("signs-course")
    if course is not None:
        c_te, dead, c_dead = _v(course.arms[0], "test_accuracy"), _dead_total(a.first.extra), _dead_total(course.arms[0].first.extra)
        out.append(Conclusion("standardized inputs generalize better than inputs / 255 (test accuracy above the course "
                              "recipe's)", te > c_te, f"{_f(te)} > {_f(c_te)}"))
        if dead is not None and c_dead is not None:
            out.append(Conclusion("standardized inputs (not all positive) keep more ReLU units alive than inputs / 255",
                                  dead < c_dead, f"dead units at the end: {dead} < {c_dead}"))
    return out


def _signs_common(r: ExperimentResult) -> list[Conclusion]:
    out = []
    for a in r.arms:
        tr, te = _v(a, "train_accuracy"), _v(a, "test_accuracy")
        chance = 1 / max(len(r.dataset.get("classes") or []), 2)
        course = a.arm.course or {}
        ctext = ", ".join(f"{k} {course[f'{k}_accuracy']}" for k in ("train", "test") if f"{k}_accuracy" in course)
        out.append(Conclusion(f"{a.name}: the network learns the six signs (test accuracy above 3 x chance = {3 * chance:.2f})",
                              te > 3 * chance, f"train {_f(tr)}, test {_f(te)}", ctext))
        out.append(Conclusion(f"{a.name}: with 1080 photos and {_params(a.config['layers'])} parameters it overfits "
                              "(train accuracy above test accuracy)", tr > te, f"train {_f(tr)} > test {_f(te)}", ctext))
        if a.first.extra.get("dead_units_final"):
            pos = a.first.extra.get("positive_inputs")
            lr = a.config.get("lr") or 0.0
            numbers = ""
            if pos:
                numbers = (f" Here the inputs sum to {pos['mean_input_sum']:.0f} on average, so one step moves a "
                           f"first-layer pre-activation by about {lr:g} x {pos['mean_input_sum']:.0f} = "
                           f"{lr * pos['mean_input_sum']:.2g} on every photo, while it varies by only about "
                           f"{pos['z1_spread']:.2g} (std) from photo to photo at initialization.")
            out.append(Conclusion(
                f"{a.name}: dead ReLU units (net.diagnose: units that output 0 for every training photo)",
                None, _dead_text(a.first.extra, list(a.config["layers"])),
                why=f"every input pixel is non-negative (0..1), so the gradient of a first-layer unit's {a.config['layers'][0]} weights is "
                    "its error signal times a non-negative vector, and Adam's normalized steps (about lr each) move all "
                    "of them the same way." + numbers + " A unit pushed below 0 on every photo outputs 0, gets no "
                    "gradient and never recovers, so the network trains with the units that are left. Standardized "
                    "inputs, which are not all positive (preprocessing = 'standardize'), avoid it; a smaller "
                    "learning rate makes it rarer"))
    return out


def _params(layers: list[int]) -> str:
    return f"{sum((layers[i] + 1) * layers[i + 1] for i in range(len(layers) - 1)):,}"


def _random_vs_grid(r: ExperimentResult, context: Mapping[str, ExperimentResult]) -> list[Conclusion]:
    rand, grid = summarize(r.arm("random")), summarize(r.arm("grid"))
    key, n = rand.important, rand.trials
    others = [k for k in rand.distinct if k != key]
    out = [Conclusion(
        f"In {n} trials the grid tries only a few values of {key}; random search tries a new one in every trial",
        min(rand.distinct[key]) == n and max(grid.distinct[key]) < n,
        f"distinct values of {key} per search: random {rand.distinct_range(key)}, grid {grid.distinct_range(key)}",
        "a 5 x 5 grid tries 5 values of alpha, 25 random points try 25", quick_ok=True)]
    shares = [main_effects(points, [key] + others) for points in grid.points]
    share = float(np.mean([s[key] for s in shares]))
    out.append(Conclusion(
        f"{key} matters much more than {', '.join(others)}: its main effect explains at least 80% of the variation "
        "of the grid's validation costs", share >= 0.8,
        f"{key}: {share:.1%} (mean over {len(shares)} grids); " + ", ".join(
            f"{k}: {float(np.mean([s[k] for s in shares])):.1%}" for k in others),
        why="variance over each hyperparameter's grid levels of the mean validation cost at that level (main "
            "effects of a two-way analysis of variance), as shares of their sum"))
    out.append(Conclusion(
        "With the same number of trials, random search finds a better configuration than the grid: a lower best "
        "validation cost on average over the searches",
        rand.mean < grid.mean,
        f"best validation cost, mean ± std over {len(rand.bests)} searches: random {rand.mean:.4f} ± {rand.std:.4f}, "
        f"grid {grid.mean:.4f} ± {grid.std:.4f}; random better in "
        f"{sum(a < b for a, b in zip(rand.bests, grid.bests))} of {len(rand.bests)} paired searches",
        "random sampling explores more values of the hyperparameter that matters"))
    return out


CHECKERS: dict[str, Callable[[ExperimentResult, Mapping[str, ExperimentResult]], list[Conclusion]]] = {
    "initialization": _initialization,
    "regularization": _regularization,
    "gradient-checking": _gradient_checking,
    "optimization": _optimization,
    "optimization-decay": _optimization_decay,
    "signs-course": _signs_course,
    "signs": _signs,
    "random-vs-grid": _random_vs_grid,
}


def check(result: ExperimentResult, context: Mapping[str, ExperimentResult] | None = None) -> list[Conclusion]:
    """The conclusions of the experiment's checker (none for user comparisons), with enforcement set."""
    name = result.experiment.checks
    if not name:
        return []
    out = CHECKERS[name](result, context or {})
    for c in out:
        c.enforced = c.passed is not None and not c.target and (not result.quick or c.quick_ok)
    return out
