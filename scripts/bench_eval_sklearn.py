"""The evaluators of evaluate.py timed in scikit-learn 1.2 / numpy, on the data scripts/bench_eval.ts
writes (an .npz with train_x, train_y, test_x, test_y, ensc_x, ensc_y). Prints one JSON document.
    /usr/bin/python3 scripts/bench_eval_sklearn.py data.npz [--ensc-n N]

svm: LinearSVC(random_state=10) fit + predict. knn: k = 10 on cosine similarity, blocked numpy
products + argpartition, majority vote (the official code does this with torch.topk). nearsub:
PCA(15) and TruncatedSVD(15) per class as evaluate.py (both variants, fit + score). kmeans:
KMeans(10, n_init=10, random_state=10) on the train features. ensc: there is no scikit-learn EnSC;
the official ElasticNetSubspaceClustering (as written out in scripts/fixtures/make_eval_parity.py,
scikit-learn's sparse_encode(lasso_lars) per row) on the first N rows of ensc_x.
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
from make_eval_parity import ensc  # noqa: E402  (the reference EnSC)


def acc_cluster(truth, pred):
    c = contingency_matrix(truth, pred)
    r, col = linear_sum_assignment(-c)
    return float(c[r, col].sum() / len(truth))


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main():
    z = np.load(sys.argv[1])
    args = sys.argv[2:]
    ensc_n = int(args[args.index("--ensc-n") + 1]) if "--ensc-n" in args else None
    Xtr, ytr, Xte, yte = z["train_x"], z["train_y"].astype(np.int64), z["test_x"], z["test_y"].astype(np.int64)
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "train": list(Xtr.shape), "test": list(Xte.shape)}

    pred, s = timed(lambda: LinearSVC(random_state=10).fit(Xtr, ytr).predict(Xte))
    out["svm"] = {"seconds": s, "test_acc": float((pred == yte).mean())}

    def knn():
        k, labels = 10, np.empty(len(Xte), dtype=np.int64)
        for s0 in range(0, len(Xte), 1000):
            sim = Xte[s0:s0 + 1000] @ Xtr.T
            nb = np.argpartition(-sim, k, axis=1)[:, :k]
            votes = np.zeros((len(nb), ytr.max() + 1), dtype=np.int64)
            np.add.at(votes, (np.arange(len(nb))[:, None], ytr[nb]), 1)
            labels[s0:s0 + 1000] = votes.argmax(axis=1)
        return labels
    pred, s = timed(knn)
    out["knn"] = {"seconds": s, "test_acc": float((pred == yte).mean())}

    def nearsub():
        sp, ss = [], []
        for j in range(ytr.max() + 1):
            Fj = Xtr[ytr == j]
            pca = PCA(n_components=15).fit(Fj)
            U = pca.components_.T
            sp.append(np.linalg.norm((np.eye(Xtr.shape[1]) - U @ U.T) @ (Xte - pca.mean_).T, ord=2, axis=0))
            V = TruncatedSVD(n_components=15, random_state=10).fit(Fj).components_.T
            ss.append(np.linalg.norm((np.eye(Xtr.shape[1]) - V @ V.T) @ Xte.T, ord=2, axis=0))
        return np.argmin(sp, axis=0), np.argmin(ss, axis=0)
    (pp, ps), s = timed(nearsub)
    out["nearsub"] = {"seconds": s, "pca_test_acc": float((pp == yte).mean()), "svd_test_acc": float((ps == yte).mean())}

    km, s = timed(lambda: KMeans(n_clusters=10, n_init=10, random_state=10).fit(Xtr))
    out["kmeans"] = {"seconds": s, "acc": acc_cluster(ytr, km.labels_), "nmi": float(normalized_mutual_info_score(ytr, km.labels_)),
                     "ari": float(adjusted_rand_score(ytr, km.labels_)), "n_iter": int(km.n_iter_), "inertia": float(km.inertia_)}

    if ensc_n:
        Xe, ye = z["ensc_x"][:ensc_n], z["ensc_y"][:ensc_n].astype(np.int64)
        (_, _, _, lab), s = timed(lambda: ensc(Xe, 10, 300.0))
        out["ensc"] = {"seconds": s, "n": int(ensc_n), "acc": acc_cluster(ye, lab), "nmi": float(normalized_mutual_info_score(ye, lab))}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
