"""Trains the small framework models the examples and tests convert, deterministically and offline.

Usage: .venv/bin/python examples/models/makeFrameworkModels.py [output_dir]   (default: examples/models)

- sklearn_classifier.pkl   MLPClassifier (4-64-64-3) on 4 features, 3 classes (pickle)
- sklearn_eval.npz         features FP32[300,4], labels INT64[300]
- pytorch_cnn.pt2          a small CNN (torch.export, dynamic batch): x FP32[N,1,8,8] -> logits FP32[N,3]
- pytorch_cnn_ts.pt        the same CNN as TorchScript
- pytorch_eval.npz         x FP32[300,1,8,8], labels INT64[300]
- pytorch_cnn64.pt2        a CNN sized like production's (x FP32[N,3,64,64], six 3x3 convolutions 32-32-64-64-128-128,
                           global average pool, 3 classes; random convolutions, a least-squares head): static int8's
                           example, with pytorch_cnn64_eval.npz (x, labels: 200 rows) and pytorch_cnn64_calibration.npz
                           (x: 64 rows, drawn apart from the evaluation set)
- pytorch_transformer.pt2  one pre-norm transformer encoder layer (d 32, 2 heads, GELU MLP 64; torch.export, dynamic
                           batch): src FP32[N,8,32] -> FP32[N,8,32], untrained (the transformer pass's example)
- xgboost_classifier.json  XGBoost gradient-boosted trees on the tabular data (XGBoost's JSON model)
- lightgbm_classifier.txt  LightGBM gradient-boosted trees on the tabular data (LightGBM's model text)
  (both are judged on sklearn_eval.npz: features FP32[300,4], labels INT64[300])
"""
import os
import pickle
import sys

import numpy as np


def tabular(rng, n):
    centers = np.array([[2, 0, 0, 1], [0, 2, 1, 0], [-1, -1, 2, 2]], dtype=np.float32)
    labels = rng.integers(0, 3, n)
    return (centers[labels] + rng.normal(0, 0.9, (n, 4))).astype(np.float32), labels.astype(np.int64)


def images(rng, n):
    labels = rng.integers(0, 3, n)
    x = rng.normal(0, 0.6, (n, 1, 8, 8)).astype(np.float32)
    for i, label in enumerate(labels):
        if label == 0:
            x[i, 0, :, 2:4] += 1.5  # vertical bar
        elif label == 1:
            x[i, 0, 2:4, :] += 1.5  # horizontal bar
        else:
            x[i, 0, np.arange(8), np.arange(8)] += 1.5  # diagonal
    return x, labels.astype(np.int64)


def save_atomic(path, write):
    stem, ext = os.path.splitext(path)
    tmp = f"{stem}.tmp{ext}"  # keep the extension: torch.export.save insists on .pt2
    write(tmp)
    os.replace(tmp, path)


def sklearn_models(out):
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(5)
    x, y = tabular(rng, 600)
    clf = MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=400, random_state=0).fit(x, y)

    def dump(path):
        with open(path, "wb") as f:
            pickle.dump(clf, f)

    save_atomic(os.path.join(out, "sklearn_classifier.pkl"), dump)
    ex, ey = tabular(np.random.default_rng(6), 300)
    save_atomic(os.path.join(out, "sklearn_eval.npz"), lambda p: np.savez(open(p, "wb"), features=ex, labels=ey))


def boosted_tree_models(out):
    import lightgbm
    import xgboost

    x, y = tabular(np.random.default_rng(5), 600)
    xgb = xgboost.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.3, n_jobs=1, random_state=0).fit(x, y)
    save_atomic(os.path.join(out, "xgboost_classifier.json"), lambda p: xgb.save_model(p))
    lgb = lightgbm.LGBMClassifier(n_estimators=30, num_leaves=8, n_jobs=1, deterministic=True, random_state=0, verbose=-1).fit(x, y)
    save_atomic(os.path.join(out, "lightgbm_classifier.txt"), lambda p: lgb.booster_.save_model(p))


def pytorch_models(out):
    import torch

    torch.manual_seed(0)

    class SmallCnn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 8, 3, padding=1)
            self.head = torch.nn.Linear(8 * 4 * 4, 3)

        def forward(self, x):
            h = torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 2)
            return self.head(h.flatten(1))

    model = SmallCnn()
    x, y = images(np.random.default_rng(7), 600)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(60):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(tx), ty)
        loss.backward()
        opt.step()
    model.eval()
    example = (tx[:2],)
    program = torch.export.export(model, example, dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1, max=4096)}})
    save_atomic(os.path.join(out, "pytorch_cnn.pt2"), lambda p: torch.export.save(program, p))
    scripted = torch.jit.trace(model, example)
    save_atomic(os.path.join(out, "pytorch_cnn_ts.pt"), lambda p: torch.jit.save(scripted, p))
    ex, ey = images(np.random.default_rng(8), 300)
    save_atomic(os.path.join(out, "pytorch_eval.npz"), lambda p: np.savez(open(p, "wb"), x=ex, labels=ey))


def images64(rng, n):
    """The bar/diagonal classes of `images`, on 3 channels of 64x64."""
    labels = rng.integers(0, 3, n)
    x = rng.normal(0, 0.6, (n, 3, 64, 64)).astype(np.float32)
    for i, label in enumerate(labels):
        if label == 0:
            x[i, :, :, 16:32] += 1.5
        elif label == 1:
            x[i, :, 16:32, :] += 1.5
        else:
            x[i, :, np.arange(64), np.arange(64)] += 1.5
    return x, labels.astype(np.int64)


def pytorch_cnn64(out):
    import torch

    torch.manual_seed(0)
    widths = [3, 32, 32, 64, 64, 128, 128]
    layers = []
    for k in range(6):
        layers += [torch.nn.Conv2d(widths[k], widths[k + 1], 3, padding=1), torch.nn.ReLU()]
        if k in (1, 3):
            layers.append(torch.nn.MaxPool2d(2))
    for layer in layers:
        if isinstance(layer, torch.nn.Conv2d):
            # He initialization keeps the activations' scale through the ReLUs, so the features (and int8's ranges) carry the classes.
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
    features = torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()).eval()
    # Training the convolutions would cost minutes of CPU here: random ones, and a head fitted by least squares.
    x, y = images64(np.random.default_rng(11), 300)
    with torch.no_grad():
        f = features(torch.from_numpy(x)).numpy()
    f1 = np.hstack([f, np.ones((len(f), 1), np.float32)])
    w, *_ = np.linalg.lstsq(f1, np.eye(3, dtype=np.float32)[y] * 10, rcond=None)
    head = torch.nn.Linear(128, 3)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(w[:-1].T.copy()))
        head.bias.copy_(torch.from_numpy(w[-1].copy()))
    model = torch.nn.Sequential(features, head).eval()
    program = torch.export.export(model, (torch.from_numpy(x[:2]),), dynamic_shapes=({0: torch.export.Dim("batch", min=1, max=4096)},))
    save_atomic(os.path.join(out, "pytorch_cnn64.pt2"), lambda p: torch.export.save(program, p))
    ex, ey = images64(np.random.default_rng(12), 200)
    save_atomic(os.path.join(out, "pytorch_cnn64_eval.npz"), lambda p: np.savez(open(p, "wb"), x=ex, labels=ey))
    cx, _ = images64(np.random.default_rng(13), 64)
    save_atomic(os.path.join(out, "pytorch_cnn64_calibration.npz"), lambda p: np.savez(open(p, "wb"), x=cx))


def pytorch_transformer(out):
    import torch

    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=32, nhead=2, dim_feedforward=64, dropout=0.0, activation="gelu", batch_first=True, norm_first=True)
    program = torch.export.export(layer.eval(), (torch.randn(2, 8, 32),), dynamic_shapes={"src": {0: torch.export.Dim("batch", min=1, max=4096)}})
    save_atomic(os.path.join(out, "pytorch_transformer.pt2"), lambda p: torch.export.save(program, p))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    sklearn_models(out)
    boosted_tree_models(out)
    pytorch_models(out)
    pytorch_cnn64(out)
    pytorch_transformer(out)
    print(f"framework models written to {out}")


if __name__ == "__main__":
    main()
