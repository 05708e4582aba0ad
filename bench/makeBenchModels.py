"""The model families of `npm run bench:optimize`, exported with torch.export (dynamic batch).

Sized like production models:
- transformer_encoder.pt2  x FP32[N,128,256] -> y FP32[N,128,256]: two pre-norm encoder layers (4 heads, MLP 1024)
- cnn_resnet.pt2           x FP32[N,3,96,96] -> logits FP32[N,10]: a ResNet-style CNN trained on a synthetic task
                           (./benchCnn.py), with cnn_calibration.npz and cnn_evaluation.npz
Tiny ones, where per-run overhead dominates (int8 cannot pay there, and the benchmark gate keeps fp32):
- transformer_block.pt2    x FP32[N,32,128] -> y FP32[N,32,128]: one pre-norm layer (4 heads, MLP 512)
- cnn.pt2                  x FP32[N,3,32,32] -> logits FP32[N,10]: three conv blocks and a linear head (untrained)
"""
import os
import sys

import numpy as np
import torch

from benchCnn import trained_cnn


class TransformerBlock(torch.nn.Module):
    """One pre-norm encoder layer: self-attention and an MLP, each with a residual."""

    def __init__(self, d=128, heads=4, ff=512):
        super().__init__()
        self.norm1 = torch.nn.LayerNorm(d)
        self.attn = torch.nn.MultiheadAttention(d, heads, batch_first=True)
        self.norm2 = torch.nn.LayerNorm(d)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(d, ff), torch.nn.GELU(), torch.nn.Linear(ff, d))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class TransformerEncoder(torch.nn.Module):
    def __init__(self, layers=2, d=256, heads=4, ff=1024):
        super().__init__()
        self.layers = torch.nn.Sequential(*[TransformerBlock(d, heads, ff) for _ in range(layers)])

    def forward(self, x):
        return self.layers(x)


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layers, channels = [], 3
        for out in (16, 32, 64):
            layers += [torch.nn.Conv2d(channels, out, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
            channels = out
        self.features = torch.nn.Sequential(*layers)
        self.head = torch.nn.Linear(64 * 4 * 4, 10)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def export(model, example, path):
    torch.manual_seed(0)
    program = torch.export.export(model.eval(), (example,), dynamic_shapes={"x": {0: torch.export.Dim("batch", min=1, max=1024)}})
    torch.export.save(program, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    export(TransformerBlock(), torch.randn(2, 32, 128), os.path.join(out, "transformer_block.pt2"))
    export(Cnn(), torch.randn(2, 3, 32, 32), os.path.join(out, "cnn.pt2"))
    torch.manual_seed(0)
    export(TransformerEncoder(), torch.randn(2, 128, 256), os.path.join(out, "transformer_encoder.pt2"))
    cnn, accuracy, calibration, evaluation = trained_cnn()
    export(cnn, torch.randn(2, 3, 96, 96), os.path.join(out, "cnn_resnet.pt2"))
    np.savez(os.path.join(out, "cnn_calibration.npz"), **calibration)
    np.savez(os.path.join(out, "cnn_evaluation.npz"), **evaluation)
    print(f"trained CNN: held-out accuracy {accuracy:.3f}")
    print(f"bench models written to {out}")


if __name__ == "__main__":
    main()
