"""The PyTorch side of `npm run bench`: the same workloads as scripts/bench.ts, timed with the
machine's PyTorch (Debian python3-torch), all cores. Prints one JSON object (milliseconds, medians).
--only cnn_small,resnet18,mcr2_loss picks parts; --bs 100 picks training batch sizes.
Development tool only: tests never call it."""
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(torch.get_num_threads())
quick = "--quick" in sys.argv
only = None
if "--only" in sys.argv:
    only = set(sys.argv[sys.argv.index("--only") + 1].split(","))
want = lambda k: only is None or k in only
batch_sizes = (100, 1000)
if "--bs" in sys.argv:
    batch_sizes = tuple(int(b) for b in sys.argv[sys.argv.index("--bs") + 1].split(","))
reps = 2 if quick else 5


def median(xs):
    return float(np.median(xs))


class CnnSmall(nn.Module):
    def __init__(self, fd=128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.reshape = nn.Sequential(nn.Linear(3136, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, fd))

    def forward(self, x):
        return F.normalize(self.reshape(self.features(x)))


class BasicBlock(nn.Module):
    def __init__(self, i, o, s):
        super().__init__()
        self.conv1 = nn.Conv2d(i, o, 3, s, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(o)
        self.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(o)
        self.shortcut = nn.Sequential()
        if s != 1 or i != o:
            self.shortcut = nn.Sequential(nn.Conv2d(i, o, 1, s, bias=False), nn.BatchNorm2d(o))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet18(nn.Module):
    """The official resnet18 (train_func.load_architectures) with its MLP head."""

    def __init__(self, fd=128):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, i = [], 64
        for o, s in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers += [BasicBlock(i, o, s), BasicBlock(o, o, 1)]
            i = o
        self.layers = nn.Sequential(*layers)
        self.reshape = nn.Sequential(nn.Linear(512, 512, bias=False), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, fd))

    def forward(self, x):
        out = self.layers(F.relu(self.bn1(self.conv1(x))))
        out = F.avg_pool2d(out, 4).flatten(1)
        return F.normalize(self.reshape(out))


def mcr2_dense(W, Pi, gam1=1.0, gam2=1.0, eps=0.5):
    """The official formulation: W = Xᵀ (p x m), dense k x m x m membership."""
    p, m = W.shape
    I = torch.eye(p)
    R = 0.5 * torch.logdet(I + gam1 * p / (m * eps) * W @ W.T)
    k = Pi.shape[0]
    Rc = 0.0
    for j in range(k):
        tr = torch.trace(Pi[j]) + 1e-8
        Rc = Rc + tr / (2 * m) * torch.logdet(I + p / (tr * eps) * W @ Pi[j] @ W.T)
    return -gam2 * R + Rc


def mcr2_classwise(Z, y, k, gam1=1.0, gam2=1.0, eps=0.5):
    m, p = Z.shape
    I = torch.eye(p)
    R = 0.5 * torch.logdet(I + gam1 * p / (m * eps) * Z.T @ Z)
    Rc = 0.0
    for j in range(k):
        Zj = Z[y == j]
        tr = Zj.shape[0] + 1e-8
        Rc = Rc + tr / (2 * m) * torch.logdet(I + p / (tr * eps) * Zj.T @ Zj)
    return -gam2 * R + Rc


def train_step_ms(net, shape, bs, channels_last, with_cpu=False):
    """Median wall ms of a training step (and, with_cpu, the median CPU ms of this process)."""
    x = torch.rand(bs, *shape)
    y = torch.randint(0, 10, (bs,))
    Pi = torch.zeros(10, bs, bs)
    Pi[y, torch.arange(bs), torch.arange(bs)] = 1.0
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9, weight_decay=5e-4)
    times, cpus = [], []
    n = reps if bs >= 1000 else reps * 2
    for i in range(n + 1):
        t = time.perf_counter()
        c = time.process_time()
        z = net(x)
        loss = mcr2_classwise(z, y, 10)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i > 0:
            times.append((time.perf_counter() - t) * 1000)
            cpus.append((time.process_time() - c) * 1000)
    return (median(times), median(cpus)) if with_cpu else median(times)


out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "training": {}}
for key, make, shape in [("cnn_small", CnnSmall, (1, 28, 28)), ("resnet18", ResNet18, (3, 32, 32))]:
    if not want(key):
        continue
    for bs in batch_sizes:
        if quick and key == "resnet18" and bs == 1000:
            continue
        torch.manual_seed(0)
        d = train_step_ms(make(), shape, bs, False)
        torch.manual_seed(0)
        cl = train_step_ms(make(), shape, bs, True)
        entry = {"default_ms": d, "channels_last_ms": cl,
                 "default_images_per_s": bs / d * 1000, "channels_last_images_per_s": bs / cl * 1000}
        if key == "cnn_small":
            # One thread, wall and CPU time: on a shared machine the CPU time of one thread is the
            # figure least disturbed by other processes (an OpenMP team spins while it waits).
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            torch.manual_seed(0)
            entry["one_thread_ms"], entry["one_thread_cpu_ms"] = train_step_ms(make(), shape, bs, False, True)
            torch.set_num_threads(threads)
        out["training"][f"{key}_b{bs}"] = entry
if want("mcr2_loss"):
    rs = np.random.RandomState(0)
    Z0 = torch.tensor(rs.randn(1000, 128), dtype=torch.float32)
    Z0 = F.normalize(Z0)
    y = torch.tensor(rs.randint(0, 10, 1000))
    Pi = torch.zeros(10, 1000, 1000)
    Pi[y, torch.arange(1000), torch.arange(1000)] = 1.0
    res = {}
    for name, fn in [("dense_ms", lambda Z: mcr2_dense(Z.T, Pi)), ("classwise_ms", lambda Z: mcr2_classwise(Z, y, 10))]:
        times = []
        for i in range(reps * 2 + 1):
            Z = Z0.clone().requires_grad_(True)
            t = time.perf_counter()
            fn(Z).backward()
            if i > 0:
                times.append((time.perf_counter() - t) * 1000)
        res[name] = median(times)
    out["mcr2_loss"] = res
print(json.dumps(out))
