"""The peers' side of the benchmarks: scikit-learn and LightGBM on the same files and workloads
as bench/src/main.rs, printing one JSON object per workload (same keys)."""

import argparse
import json
import os
import statistics
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.ensemble import IsolationForest, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

try:
    import lightgbm
except ImportError:  # LightGBM is optional: pip may not install it everywhere
    lightgbm = None

THREADS = 2


def load(data, dataset):
    def read(name):
        arr = np.loadtxt(os.path.join(data, name), delimiter=",", skiprows=1, dtype=np.float64)
        return arr[:, :-1].astype(np.float32), arr[:, -1].astype(np.int64)

    return read(f"{dataset}_train.csv"), read(f"{dataset}_test.csv")


def timed(f, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def classifier_row(name, dataset, make, data, repeats, single_rows, single_row_setup=None):
    (x, y), (xt, yt) = data
    fit_s, model = timed(lambda: make().fit(x, y), repeats)
    pred_s, proba = timed(lambda: model.predict_proba(xt), repeats)
    if single_row_setup:
        single_row_setup(model)
    lat = []
    for i in range(min(single_rows, len(xt))):
        row = xt[i : i + 1]
        start = time.perf_counter()
        model.predict_proba(row)
        lat.append((time.perf_counter() - start) * 1e6)
    lat.sort()
    pred = proba.argmax(axis=1)
    return {
        "workload": name,
        "dataset": dataset,
        "fit_s": fit_s,
        "predict_rows_per_s": len(xt) / pred_s,
        "single_row_p50_us": lat[len(lat) // 2],
        "single_row_p99_us": lat[round((len(lat) - 1) * 0.99)],
        "accuracy": accuracy_score(yt, pred),
        "f1": f1_score(yt, pred),
        "roc_auc": roc_auc_score(yt, proba[:, 1]),
    }


def set_jobs_1(model):
    model.set_params(n_jobs=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "data"))
    ap.add_argument("--only", default="")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--single-rows", type=int, default=200)
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    want = lambda name: not only or name in only
    cache = {}

    def data(dataset):
        if dataset not in cache:
            cache[dataset] = load(args.data, dataset)
        return cache[dataset]

    def emit(row, peer):
        row["peer"] = peer
        print(json.dumps(row), flush=True)

    for dataset in ["nslkdd", "synthetic"]:
        if want("random_forest"):
            emit(classifier_row("random_forest", dataset,
                                lambda: RandomForestClassifier(n_estimators=100, n_jobs=THREADS, random_state=0),
                                data(dataset), args.repeats, args.single_rows, set_jobs_1),
                 "scikit-learn RandomForestClassifier (n_jobs=2 fit/batch, 1 single-row)")
        if want("gradient_boosting") and lightgbm is not None:
            emit(classifier_row("gradient_boosting", dataset,
                                lambda: lightgbm.LGBMClassifier(n_estimators=100, num_threads=THREADS, verbose=-1, random_state=0),
                                data(dataset), args.repeats, args.single_rows),
                 f"LightGBM {lightgbm.__version__} LGBMClassifier")
        if want("logistic_regression"):
            emit(classifier_row("logistic_regression", dataset,
                                lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=100)),
                                data(dataset), args.repeats, args.single_rows),
                 "scikit-learn StandardScaler + LogisticRegression (lbfgs)")
        if want("neural_network"):
            emit(classifier_row("neural_network", dataset,
                                lambda: make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(100,), early_stopping=True, random_state=0)),
                                data(dataset), 1, args.single_rows),
                 "scikit-learn StandardScaler + MLPClassifier(100, early_stopping)")

    if want("isolation_forest"):
        (x, _), (xt, yt) = data("nslkdd")
        fit_s, model = timed(lambda: IsolationForest(n_estimators=100, random_state=0).fit(x), args.repeats)
        score_s, scores = timed(lambda: -model.score_samples(xt), args.repeats)
        emit({"workload": "isolation_forest", "dataset": "nslkdd", "fit_s": fit_s,
              "predict_rows_per_s": len(xt) / score_s, "roc_auc": roc_auc_score(yt, scores)},
             "scikit-learn IsolationForest")

    if want("kmeans"):
        (x, _), _ = data("nslkdd")
        make = lambda: make_pipeline(StandardScaler(), KMeans(n_clusters=8, n_init=1, random_state=0))
        fit_s, model = timed(lambda: make().fit(x), args.repeats)
        pred_s, _ = timed(lambda: model.predict(x), args.repeats)
        emit({"workload": "kmeans", "dataset": "nslkdd", "fit_s": fit_s,
              "predict_rows_per_s": len(x) / pred_s, "inertia": float(model[-1].inertia_)},
             "scikit-learn StandardScaler + KMeans(n_init=1)")


if __name__ == "__main__":
    main()
