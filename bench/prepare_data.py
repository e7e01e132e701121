"""Writes the benchmark datasets as CSV (header row, numeric features, label last) into bench/data/.

- synthetic_train.csv / synthetic_test.csv: make_classification(200,000 x 40, 20 informative, seed 0),
  split 80/20 with seed 0.
- nslkdd_train.csv / nslkdd_test.csv: NSL-KDD from ../shared/datasets/nsl-kdd, binary
  (label 1 = attack), protocol_type / service / flag one-hot encoded with the categories of the
  training file (unseen test categories are all-zero), difficulty column dropped: 122 features.

Both Phantom and the peers read these same files, so every side sees identical data.
"""

import gzip
import os
import sys

import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")
NSL = os.path.join(HERE, "..", "..", "shared", "datasets", "nsl-kdd")

COLUMNS = (
    "duration,protocol_type,service,flag,src_bytes,dst_bytes,land,wrong_fragment,urgent,hot,"
    "num_failed_logins,logged_in,num_compromised,root_shell,su_attempted,num_root,"
    "num_file_creations,num_shells,num_access_files,num_outbound_cmds,is_host_login,"
    "is_guest_login,count,srv_count,serror_rate,srv_serror_rate,rerror_rate,srv_rerror_rate,"
    "same_srv_rate,diff_srv_rate,srv_diff_host_rate,dst_host_count,dst_host_srv_count,"
    "dst_host_same_srv_rate,dst_host_diff_srv_rate,dst_host_same_src_port_rate,"
    "dst_host_srv_diff_host_rate,dst_host_serror_rate,dst_host_srv_serror_rate,"
    "dst_host_rerror_rate,dst_host_srv_rerror_rate,label,difficulty"
).split(",")
CATEGORICAL = ["protocol_type", "service", "flag"]


def write_csv(path, names, x, y):
    with open(path, "w") as f:
        f.write(",".join(names + ["label"]) + "\n")
        for row, label in zip(x, y):
            f.write(",".join(repr(float(v)) if v != int(v) else str(int(v)) for v in row))
            f.write(f",{int(label)}\n")


def synthetic():
    x, y = make_classification(
        n_samples=200_000, n_features=40, n_informative=20, random_state=0
    )
    x = x.astype(np.float32)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=0)
    names = [f"f{i}" for i in range(40)]
    write_csv(os.path.join(OUT, "synthetic_train.csv"), names, x_tr, y_tr)
    write_csv(os.path.join(OUT, "synthetic_test.csv"), names, x_te, y_te)


def read_nsl(name):
    with gzip.open(os.path.join(NSL, name), "rt") as f:
        return [line.rstrip("\n").split(",") for line in f if line.strip()]


def nslkdd():
    train, test = read_nsl("KDDTrain+.txt.gz"), read_nsl("KDDTest+.txt.gz")
    cat_idx = [COLUMNS.index(c) for c in CATEGORICAL]
    categories = {i: sorted({r[i] for r in train}) for i in cat_idx}
    label_idx = COLUMNS.index("label")
    names = []
    for i, c in enumerate(COLUMNS[:label_idx]):
        if i in categories:
            names += [f"{c}_{v}" for v in categories[i]]
        else:
            names.append(c)

    def encode(rows):
        x = []
        for r in rows:
            out = []
            for i in range(label_idx):
                if i in categories:
                    out += [1 if r[i] == v else 0 for v in categories[i]]
                else:
                    out.append(float(r[i]))
            x.append(out)
        y = [0 if r[label_idx] == "normal" else 1 for r in rows]
        return x, y

    for rows, name in ((train, "nslkdd_train.csv"), (test, "nslkdd_test.csv")):
        x, y = encode(rows)
        write_csv(os.path.join(OUT, name), names, x, y)
    print(f"NSL-KDD: {len(names)} features", file=sys.stderr)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    synthetic()
    nslkdd()
