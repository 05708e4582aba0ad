"""Two model families for `npm run bench:optimize`, exported with torch.export (dynamic batch).

- transformer_block.pt2  x FP32[N,32,128] -> y FP32[N,32,128]: pre-norm self-attention (4 heads) + MLP (512)
- cnn.pt2                x FP32[N,3,32,32] -> logits FP32[N,10]: three conv blocks and a linear head
"""
import os
import sys

import torch


class TransformerBlock(torch.nn.Module):
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
    print(f"bench models written to {out}")


if __name__ == "__main__":
    main()
