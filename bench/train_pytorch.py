#!/usr/bin/env python3
"""PyTorch baseline of bench/train.R: training samples/s of keras_dna's CNN and DeepSEA on the CPU
on synthetic tensors (random one-hot sequences and targets already in memory, no loading).

The architectures, losses, initialisation and optimiser are those of GenomicDL's cnnModel() and
deepseaModel() (src/core/nn/layers.cpp, R/nn-zoo.R, src/core/train/trainer.cpp):
  * Keras' initialisation, GenomicDL's default (init = "glorot_uniform"): glorot-uniform
    kernels (xavier_uniform_), zero biases;
  * Keras' flatten order (N, C, L) -> (N, L, C) -> (N, L*C), as GenomicDL's layerFlatten;
  * DeepSEA's Threshold(0, 1e-6) activations and dropout 0.2 / 0.2 / 0.5;
  * losses as GenomicDL computes them: MSE (mean over elements) for the CNN, binary
    cross-entropy on clamped probabilities (mean over tasks) for DeepSEA;
  * Adam as GenomicDL's fit() sets it (lr 1e-3, betas (0.9, 0.999), Keras' epsilon 1e-7) and
    the same intra-op thread count.

Needs Debian's python3-torch (1.13):  apt-get install -y python3-torch
Usage: python3 bench/train_pytorch.py MODEL BATCH STEPS THREADS [OUTPUTS]
  MODEL cnn | deepsea; prints "samples_per_s <value>" (wall clock) and "samples_per_cpu_s
  <value>" (CPU time of the process, all threads), after 3 warm-up steps.
"""
import sys
import time

import torch
import torch.nn as nn


class Flatten(nn.Module):  # Keras order: positions outer, channels inner
    def forward(self, x):
        return x.permute(0, 2, 1).reshape(x.size(0), -1)


class Threshold(nn.Module):  # DeepSEA's Threshold(0, 1e-6)
    def forward(self, x):
        return torch.threshold(x, 0.0, 1e-6)


def cnn_model(length, outputs):
    # Conv 16x3, MaxPool 2, Conv 32x10, MaxPool 2, Conv 64x20, MaxPool 2, Flatten, Dense
    L = length
    for k in (3, 10, 20):
        L = (L - k + 1) // 2
    return nn.Sequential(
        nn.Conv1d(4, 16, 3), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(16, 32, 10), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(32, 64, 20), nn.ReLU(), nn.MaxPool1d(2),
        Flatten(), nn.Linear(L * 64, outputs))


def deepsea_model(length, outputs):
    L = ((length - 7) // 4 - 7) // 4 - 7
    return nn.Sequential(
        nn.Conv1d(4, 320, 8), Threshold(), nn.MaxPool1d(4), nn.Dropout(0.2),
        nn.Conv1d(320, 480, 8), Threshold(), nn.MaxPool1d(4), nn.Dropout(0.2),
        nn.Conv1d(480, 960, 8), Threshold(), nn.Dropout(0.5),
        Flatten(), nn.Linear(L * 960, 925), Threshold(),
        nn.Linear(925, outputs), nn.Sigmoid())


def keras_init(model):
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def mse(p, y):
    n = p.size(0)
    return (p.reshape(n, -1) - y.reshape(n, -1)).pow(2).mean(1).mean()


def bce(p, y):
    n = p.size(0)
    q = p.reshape(n, -1).clamp(1e-7, 1 - 1e-7)
    y = y.reshape(n, -1)
    return (-(y * torch.log(q) + (1 - y) * torch.log(1 - q)).mean(1)).mean()


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    which, batch, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    if which == "cnn":
        length, outputs = 2001, int(sys.argv[5]) if len(sys.argv) > 5 else 1
        model, loss_fn = cnn_model(length, outputs), mse
        y = torch.randn(batch, outputs)
    elif which == "deepsea":
        length, outputs = 1000, int(sys.argv[5]) if len(sys.argv) > 5 else 919
        model, loss_fn = deepsea_model(length, outputs), bce
        y = (torch.rand(batch, outputs) < 0.5).float()
    else:
        sys.exit("MODEL must be cnn or deepsea")
    # synthetic one-hot batch (N, 4, L), channels-first as GenomicDL's core
    idx = torch.randint(0, 4, (batch, length))
    x = torch.nn.functional.one_hot(idx, 4).permute(0, 2, 1).float().contiguous()
    keras_init(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    model.train()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(3):
        step()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print("samples_per_s %.3f" % (batch * steps / seconds))
    print("samples_per_cpu_s %.3f" % (batch * steps / cpu))


if __name__ == "__main__":
    main()
