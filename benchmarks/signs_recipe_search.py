"""Validation-only search for the recommended SIGNS recipe (the test set is never loaded here).

    python benchmarks/signs_recipe_search.py PART PARTS OUT.json   # e.g. 0 2 a.json and 1 2 b.json on two cores

Every configuration (init x learning rate x regularization x horizontal-flip augmentation, inputs
standardized with training statistics) is trained with seeds 1, 2 and 3 for 300 epochs on 900 of the
1080 training photos, and its accuracy on the other 180 (30 per class) is recorded at epochs 50, 100,
200 and 300. The recorded run is results/signs-recipe-search.json; the choice it led to is the
``signs`` preset (descentlab/experiments/presets.py).
"""
import itertools, json, sys, time
import numpy as np
from descentlab import Network, Standardize, fit
from descentlab.datasets import load_signs

d = load_signs()
X, y = d.X_train, d.y_train
rng = np.random.default_rng(0)
val = np.concatenate([rng.permutation(np.flatnonzero(y == c))[:30] for c in range(6)])
tr = np.setdiff1d(np.arange(len(y)), val)
Xtr, ytr, Xv, yv = X[tr], y[tr], X[val], y[val]

def flip(A):
    return A.reshape(-1, 64, 64, 3)[:, :, ::-1, :].reshape(len(A), -1)

part, parts, out_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
grid = list(itertools.product(["xavier", "he"], [1e-4, 3e-4], ["none", "l2", "dropout"], [False, True]))
out = []
for i, (init, lr, reg, aug) in enumerate(grid):
    if i % parts != part:
        continue
    Xa, ya = (np.concatenate([Xtr, flip(Xtr)]), np.concatenate([ytr, ytr])) if aug else (Xtr, ytr)
    accs = []
    for seed in (1, 2, 3):
        net = Network([12288, 25, 12, 6], output="softmax", init=init, seed=seed, dtype="float32",
                      preprocessing=Standardize.fit(Xa))
        t = time.perf_counter()
        h = fit(net, Xa, ya, optimizer="adam", lr=lr, epochs=300, batch_size=32, seed=seed, verbose=0,
                l2=1.0 if reg == "l2" else 0.0, keep_prob=0.8 if reg == "dropout" else 1.0,
                validation_data=(Xv, yv), on_nonfinite="stop")
        va = h["val_accuracy"]
        accs.append([va[e - 1] if len(va) >= e else None for e in (50, 100, 200, 300)])
        print(init, lr, reg, aug, seed, accs[-1], f"{time.perf_counter()-t:.0f}s", flush=True)
    out.append({"init": init, "lr": lr, "reg": reg, "flip": aug, "val_acc_at_50_100_200_300": accs})
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1, default=float)
