"""PyTorch reference of glon's LoRA training step, for `glon bench` to report glon / PyTorch in one run.

The same step as src/train/step.ts: a Llama (RMSNorm, rotary embeddings, grouped-query causal attention,
SwiGLU, tied head) with frozen random weights of the given shape, LoRA (rank r, alpha) on the listed
projections, next-token cross-entropy, global-norm clipping at 1 and AdamW. Weights are random: only time
is measured.

Protocol: argv[1] is a JSON object {vocab, hidden, intermediate, layers, heads, kv_heads, head_dim, batch,
length, rank, alpha, targets}. The first line written is a JSON header (torch version, threads, BLAS).
Each line read is a number of steps N; the reply is one JSON line {"seconds": [time of each of N steps]}.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F


def blas_description():
    """Which BLAS and threading torch got: threadpoolctl when present, else torch's build configuration."""
    try:
        from threadpoolctl import threadpool_info

        return [
            {k: info.get(k) for k in ("internal_api", "filepath", "version", "architecture", "threading_layer", "num_threads")}
            for info in threadpool_info()
        ]
    except ImportError:
        return [line.strip() for line in torch.__config__.show().splitlines() if "BLAS" in line or "LAPACK" in line]


class Lora(torch.nn.Module):
    def __init__(self, weight, rank, scale):
        super().__init__()
        inputs, outputs = weight.shape
        self.weight = weight  # frozen [in, out]
        self.a = torch.nn.Parameter(torch.empty(inputs, rank).uniform_(-1 / math.sqrt(inputs), 1 / math.sqrt(inputs)))
        # a nonzero B, as after the first steps, so no gradient is trivially zero
        self.b = torch.nn.Parameter(torch.randn(rank, outputs) * 0.01)
        self.scale = scale

    def forward(self, x):
        return x @ self.weight + (x @ self.a) @ self.b * self.scale


def rms_norm(x, weight, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Llama(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        g = torch.Generator().manual_seed(0)
        frozen = lambda *shape: torch.randn(*shape, generator=g) * 0.02
        q, kv = c["heads"] * c["head_dim"], c["kv_heads"] * c["head_dim"]
        shapes = {"q": (c["hidden"], q), "k": (c["hidden"], kv), "v": (c["hidden"], kv), "o": (q, c["hidden"]),
                  "gate": (c["hidden"], c["intermediate"]), "up": (c["hidden"], c["intermediate"]),
                  "down": (c["intermediate"], c["hidden"])}
        scale = c["alpha"] / c["rank"]
        self.embed = frozen(c["vocab"], c["hidden"])
        self.layers = torch.nn.ModuleList()
        for _ in range(c["layers"]):
            layer = torch.nn.Module()
            for name, shape in shapes.items():
                w = frozen(*shape)
                setattr(layer, name, Lora(w, c["rank"], scale) if name in c["targets"] else (lambda x, w=w: x @ w))
            self.layers.append(layer)
        positions = torch.arange(c["length"], dtype=torch.float32)
        inverse = 1.0 / (10000 ** (torch.arange(0, c["head_dim"], 2, dtype=torch.float32) / c["head_dim"]))
        angles = torch.outer(positions, inverse).repeat(1, 2)
        self.cos, self.sin = angles.cos()[:, None, :], angles.sin()[:, None, :]
        self.mask = torch.full((c["length"], c["length"]), float("-inf")).triu(1)
        self.ones = torch.ones(c["hidden"])

    def forward(self, tokens):
        c = self.c
        B, T = tokens.shape
        N, K, D = c["heads"], c["kv_heads"], c["head_dim"]
        rope = lambda x: x * self.cos + rotate_half(x) * self.sin
        x = self.embed[tokens]
        for l in self.layers:
            h = rms_norm(x, self.ones)
            q = rope(l.q(h).view(B, T, N, D)).transpose(1, 2)
            k = rope(l.k(h).view(B, T, K, D)).transpose(1, 2).repeat_interleave(N // K, dim=1)
            v = l.v(h).view(B, T, K, D).transpose(1, 2).repeat_interleave(N // K, dim=1)
            p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + self.mask, dim=-1)
            x = x + l.o((p @ v).transpose(1, 2).reshape(B, T, N * D))
            m = rms_norm(x, self.ones)
            x = x + l.down(F.silu(l.gate(m)) * l.up(m))
        return rms_norm(x, self.ones) @ self.embed.t()


def main():
    c = json.loads(sys.argv[1])
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(0)
    model = Llama(c)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(1)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "trainable": sum(p.numel() for p in params),
                      "blas": blas_description(), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")}), flush=True)
    for line in sys.stdin:
        seconds = []
        for _ in range(int(line)):
            tokens = torch.randint(c["vocab"], (c["batch"], c["length"]), generator=g)
            targets = torch.randint(c["vocab"], (c["batch"], c["length"]), generator=g)
            start = time.perf_counter()
            logits = model(tokens)
            loss = F.cross_entropy(logits.view(-1, c["vocab"]), targets.view(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            seconds.append(time.perf_counter() - start)
        print(json.dumps({"seconds": seconds, "loss": loss.item()}), flush=True)


if __name__ == "__main__":
    main()
