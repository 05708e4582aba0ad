"""The ResNet-style CNN of `npm run bench:optimize`, trained for a few seconds on a synthetic but
learnable task, so that int8 is judged on inputs like a trained model's production traffic (held-out
rows of its own distribution), not on N(0,1) noise it never sees.

The task: 10 classes, each a smooth random colour pattern; a row is its class's pattern, shifted by up to
6 pixels, scaled in contrast and brightness, with per-pixel noise. Writes next to the model:
- cnn_calibration.npz  x: 256 training-distribution rows (what `stages.optimize.int8.calibration.source` points at)
- cnn_evaluation.npz   x, labels: 256 held-out rows (golden inputs for parity and top-1, and the evaluation set)
"""
import numpy as np
import torch

CLASSES = 10
SIZE = 96


class BasicBlock(torch.nn.Module):
    """Two 3x3 conv + BatchNorm layers with a residual (a 1x1 conv when the shape changes)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.shortcut = (
            torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride, bias=False), torch.nn.BatchNorm2d(cout)) if stride != 1 or cin != cout else torch.nn.Identity()
        )

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(h)) + self.shortcut(x))


class ResNetCnn(torch.nn.Module):
    """3x96x96 -> 10 logits: a stride-2 stem (32), three stages of one basic block (32, 64, 128), 9 convs in all."""

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 32, 3, 2, 1, bias=False), torch.nn.BatchNorm2d(32), torch.nn.ReLU())
        self.stages = torch.nn.Sequential(BasicBlock(32, 32, 1), BasicBlock(32, 64, 2), BasicBlock(64, 128, 2))
        self.head = torch.nn.Linear(128, CLASSES)

    def forward(self, x):
        return self.head(self.stages(self.stem(x)).mean(dim=(2, 3)))


def patterns(rng):
    """One smooth 3x96x96 pattern per class: 8x8 random colour blobs, upsampled."""
    coarse = torch.from_numpy(rng.standard_normal((CLASSES, 3, 8, 8)).astype(np.float32))
    return torch.nn.functional.interpolate(coarse, size=(SIZE, SIZE), mode="bicubic", align_corners=False)


def draw(rng, templates, n):
    """n rows of the task: (x FP32[n,3,96,96], labels INT64[n])."""
    labels = rng.integers(0, CLASSES, n)
    x = templates[labels].numpy()
    shifts = rng.integers(-6, 7, (n, 2))
    x = np.stack([np.roll(row, tuple(s), axis=(1, 2)) for row, s in zip(x, shifts)])
    x = x * rng.uniform(0.6, 1.4, (n, 1, 1, 1)) + rng.normal(0, 0.3, (n, 1, 1, 1)) + rng.normal(0, 1.3, x.shape)
    return x.astype(np.float32), labels.astype(np.int64)


def trained_cnn(steps=40, batch=32, seed=0):
    """The CNN trained on the task; its held-out accuracy, and the calibration and evaluation rows."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    templates = patterns(rng)
    model = ResNetCnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        x, y = draw(rng, templates, batch)
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    calibration, _ = draw(rng, templates, 256)
    ex, ey = draw(rng, templates, 256)
    with torch.no_grad():
        accuracy = float((model(torch.from_numpy(ex)).argmax(1).numpy() == ey).mean())
    return model, accuracy, {"x": calibration}, {"x": ex, "labels": ey}
