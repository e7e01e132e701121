"""Joins Phantom's and the peers' JSON lines into one markdown report with ratios."""

import json
import sys


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def fmt(v, digits=3):
    if v is None:
        return ""
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.{digits}g}" if abs(v) < 1 else f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return str(v)


def main(phantom_path, peers_path):
    phantom = {(r["workload"], r["dataset"]): r for r in read(phantom_path)}
    peers = {(r["workload"], r["dataset"]): r for r in read(peers_path)}
    cols = ["fit_s", "predict_rows_per_s", "single_row_p50_us", "single_row_p99_us",
            "accuracy", "f1", "roc_auc", "inertia"]
    heads = ["fit s", "predict rows/s", "1-row p50 µs", "1-row p99 µs", "accuracy", "F1",
             "ROC-AUC", "inertia"]
    print("| workload | data | system | " + " | ".join(heads) + " |")
    print("|---|---|---|" + "---|" * len(heads))
    for key, p in phantom.items():
        print(f"| {key[0]} | {key[1]} | Phantom | " + " | ".join(fmt(p.get(c)) for c in cols) + " |")
        q = peers.get(key)
        if q:
            print(f"| | | {q['peer']} | " + " | ".join(fmt(q.get(c)) for c in cols) + " |")
    print()
    print("| workload | data | fit speed-up (peer time / Phantom time) | batch throughput (Phantom / peer) "
          "| 1-row p50 speed-up (peer / Phantom) | accuracy Δ (points) | ROC-AUC Δ | inertia ratio (Phantom / peer) |")
    print("|---|---|---|---|---|---|---|---|")
    for key, p in phantom.items():
        q = peers.get(key)
        if not q:
            continue

        def ratio(a, b):
            return f"{a / b:.2f}x" if a and b else ""

        def delta(c, scale=1.0, digits=2):
            return f"{(p[c] - q[c]) * scale:+.{digits}f}" if c in p and c in q else ""

        print(f"| {key[0]} | {key[1]} | {ratio(q['fit_s'], p['fit_s'])} "
              f"| {ratio(p.get('predict_rows_per_s'), q.get('predict_rows_per_s'))} "
              f"| {ratio(q.get('single_row_p50_us'), p.get('single_row_p50_us'))} "
              f"| {delta('accuracy', 100)} | {delta('roc_auc', digits=4)} "
              f"| {ratio(p.get('inertia'), q.get('inertia'))} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
