"""The PyTorch / scikit-learn side of `npm run bench -- --only anchors` (scripts/bench_anchors.ts):
a process that loads the data once, then times one workload per line it reads on stdin and writes
one JSON line back, so that the caller can alternate its own runs with these ones.
    /usr/bin/python3 scripts/bench_anchors.py data.npz
Commands:
  knn       k = 10 on 10,000 x 50,000 cosine similarities with torch.topk: the official form
            (S = F_train F_testᵀ, topk over dim 0, torch.mode over the neighbours' labels) and
            the same per test row (F_test F_trainᵀ, topk over dim 1): both times, in seconds.
  kmeans    scikit-learn KMeans(n_clusters=10, n_init=10, random_state=10).fit(train).
  nearsub   evaluate.py's nearest subspace, both variants (PCA(15) and TruncatedSVD(15) per
            class, fit + residual norms of the test rows).
  loss N    N calls of the MCR² loss forward + backward, PyTorch's class-wise formulation (Z_jᵀZ_j
            per class, torch.logdet), m = 1000, p = 128, k = 10, eps 0.5, at the default thread
            count and at one thread: the median ms of a call for each (and the CPU ms at one thread).
Development tool only: tests never call it."""
import json
import sys
import time

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA, TruncatedSVD


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def mcr2_classwise(Z, y, k, gam1=1.0, gam2=1.0, eps=0.5):
    m, p = Z.shape
    eye = torch.eye(p)
    R = 0.5 * torch.logdet(eye + gam1 * p / (m * eps) * Z.T @ Z)
    Rc = 0.0
    for j in range(k):
        Zj = Z[y == j]
        tr = Zj.shape[0] + 1e-8
        Rc = Rc + tr / (2 * m) * torch.logdet(eye + p / (tr * eps) * Zj.T @ Zj)
    return -gam2 * R + Rc


def main():
    z = np.load(sys.argv[1])
    Xtr, ytr, Xte = z["train_x"], z["train_y"].astype(np.int64), z["test_x"]
    Ftr, Fte, Ltr = torch.tensor(Xtr), torch.tensor(Xte), torch.tensor(ytr)
    rs = np.random.RandomState(0)
    Z0 = F.normalize(torch.tensor(rs.randn(1000, 128), dtype=torch.float32))
    yl = torch.tensor(rs.randint(0, 10, 1000))

    def knn_official():
        _, idx = (Ftr @ Fte.T).topk(k=10, dim=0)
        return Ltr[idx].mode(dim=0).values

    def knn_rows():
        _, idx = (Fte @ Ftr.T).topk(k=10, dim=1)
        return Ltr[idx].mode(dim=1).values

    def nearsub():
        sp, ss = [], []
        eye = np.eye(Xtr.shape[1])
        for j in range(ytr.max() + 1):
            Fj = Xtr[ytr == j]
            pca = PCA(n_components=15).fit(Fj)
            U = pca.components_.T
            sp.append(np.linalg.norm((eye - U @ U.T) @ (Xte - pca.mean_).T, ord=2, axis=0))
            V = TruncatedSVD(n_components=15, random_state=10).fit(Fj).components_.T
            ss.append(np.linalg.norm((eye - V @ V.T) @ Xte.T, ord=2, axis=0))
        return np.argmin(sp, axis=0), np.argmin(ss, axis=0)

    def loss_ms(n):
        times, cpu = [], []
        for _ in range(n):
            Z = Z0.clone().requires_grad_(True)
            t, c = time.perf_counter(), time.process_time()
            mcr2_classwise(Z, yl, 10).backward()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        return float(np.median(times)), float(np.median(cpu))

    info = {"torch": torch.__version__, "sklearn": sklearn.__version__, "numpy": np.__version__, "threads": torch.get_num_threads()}
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "knn":
            pred, s_rows = timed(knn_rows)
            pred0, s_off = timed(knn_official)
            out = {"official_s": s_off, "rows_s": s_rows, "acc": float((pred.numpy() == z["test_y"]).mean()),
                   "same_as_official": bool((pred == pred0).all())}
        elif cmd[0] == "kmeans":
            km, s = timed(lambda: KMeans(n_clusters=10, n_init=10, random_state=10).fit(Xtr))
            out = {"s": s, "n_iter": int(km.n_iter_), "inertia": float(km.inertia_)}
        elif cmd[0] == "nearsub":
            (pp, ps), s = timed(nearsub)
            out = {"s": s, "pca_acc": float((pp == z["test_y"]).mean()), "svd_acc": float((ps == z["test_y"]).mean())}
        elif cmd[0] == "loss":
            n = int(cmd[1])
            threads = torch.get_num_threads()
            default_ms, _ = loss_ms(n)
            torch.set_num_threads(1)
            one_ms, one_cpu_ms = loss_ms(n)
            torch.set_num_threads(threads)
            out = {"default_ms": default_ms, "one_thread_ms": one_ms, "one_thread_cpu_ms": one_cpu_ms}
        else:
            out = {"error": f"unknown command {cmd[0]}"}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
