"""Soak test driver: mixed traffic against two `phantom serve` replicas sharing one PostgreSQL,
with one replica killed and restarted half-way.

Each worker owns its models, so it knows the state every acknowledged write should leave:
it creates models, trains them (inline rows), activates versions, predicts and lists, sending
each request to one of the replicas in turn. At the end every acknowledged model, version and
activation is checked through the replica that was never restarted.

Prints one JSON object: requests by outcome, 5xx outside the restart window (must be 0),
acknowledged writes lost (must be 0). Run through bench/soak.sh.
"""

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

BASES = sys.argv[1].split(",")  # host:port of each replica; the last one is restarted
KEY = os.environ["PHANTOM_KEY"]
DURATION = float(os.environ.get("SOAK_SECONDS", "600"))
RESTART_CMD = os.environ["SOAK_RESTART_CMD"]  # starts the last replica again, prints its pid
WORKERS = int(os.environ.get("SOAK_WORKERS", "4"))

IRIS = [line.split(",") for line in open("datasets/iris.csv").read().split("\n")[1:] if line]
FEATURES = [[float(v) for v in row[:4]] for row in IRIS]
LABELS = [row[4] for row in IRIS]

lock = threading.Lock()
outcomes = {}  # "2xx" / "4xx" / "5xx" / "connection" -> count
bad_5xx = []  # (time, replica, path, status) outside the restart window
window = [None, None]  # restart window: [kill time, back healthy + 1 s]


def count(kind):
    with lock:
        outcomes[kind] = outcomes.get(kind, 0) + 1


def request(base, method, path, body=None):
    """Returns (status, parsed JSON or None); status 0 for a connection failure."""
    host, port = base.split(":")
    started = time.time()
    try:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {"Authorization": "Bearer " + KEY}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        status = resp.status
        conn.close()
    except OSError:
        count("connection")
        return 0, None
    kind = f"{status // 100}xx"
    count(kind)
    if status >= 500:
        with lock:
            in_window = window[0] is not None and started >= window[0] - 1 and (
                window[1] is None or started <= window[1])
            if not in_window:
                bad_5xx.append((started, base, path, status))
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


class Worker(threading.Thread):
    def __init__(self, n):
        super().__init__(daemon=True)
        self.n = n
        self.rng = random.Random(n)
        self.models = {}  # name -> {"versions": set, "active": int or None}
        self.calls = 0

    def base(self):
        self.calls += 1
        return BASES[self.calls % len(BASES)]

    def run(self):
        deadline = time.time() + DURATION
        while time.time() < deadline:
            op = self.rng.choice(["create", "train", "train", "activate", "predict", "predict",
                                  "predict", "list"])
            getattr(self, op)()

    def create(self):
        name = f"soak-{self.n}-{len(self.models)}"
        if name in self.models:
            return
        status, _ = request(self.base(), "POST", "/v1/models",
                            {"name": name, "algorithm": "decision_tree"})
        if status == 201 or status == 200:
            self.models[name] = {"versions": set(), "active": None}
        elif status == 409:  # created by a request whose answer was lost in the restart
            self.models[name] = {"versions": set(), "active": None}

    def pick(self):
        return self.rng.choice(sorted(self.models)) if self.models else None

    def train(self):
        name = self.pick()
        if name is None:
            return
        status, job = request(self.base(), "POST", f"/v1/models/{name}/train",
                              {"features": FEATURES, "labels": LABELS})
        if status != 202 or not job:
            return
        # Jobs are in the store: any replica reports them, not only the one that runs it.
        for _ in range(600):
            s, state = request(self.base(), "GET", f"/v1/jobs/{job['job_id']}")
            if s == 200 and state and state["state"] == "succeeded":
                self.models[name]["versions"].add(state["version"])
                self.models[name]["active"] = state["version"]
                return
            if s == 200 and state and state["state"] == "failed":
                return  # the replica running the job was killed: not acknowledged
            time.sleep(0.05)

    def activate(self):
        name = self.pick()
        if name is None or not self.models[name]["versions"]:
            return
        version = self.rng.choice(sorted(self.models[name]["versions"]))
        status, _ = request(self.base(), "POST", f"/v1/models/{name}/activate", {"version": version})
        if status == 200:
            self.models[name]["active"] = version

    def predict(self):
        name = self.pick()
        if name is None or not self.models[name]["versions"]:
            return
        request(self.base(), "POST", f"/v1/models/{name}/predict",
                {"features": self.rng.choice(FEATURES)})

    def list(self):
        request(self.base(), "GET", "/v1/models")


def restart_last(pid):
    time.sleep(DURATION / 2)
    with lock:
        window[0] = time.time()
    os.kill(pid, signal.SIGKILL)
    time.sleep(2)
    subprocess.run(RESTART_CMD, shell=True, check=True)
    host, port = BASES[-1].split(":")
    while True:
        try:
            c = http.client.HTTPConnection(host, int(port), timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    with lock:
        window[1] = time.time() + 1


def main():
    pid = int(os.environ["SOAK_LAST_PID"])
    workers = [Worker(n) for n in range(WORKERS)]
    restarter = threading.Thread(target=restart_last, args=(pid,), daemon=True)
    for w in workers:
        w.start()
    restarter.start()
    for w in workers:
        w.join()
    restarter.join()
    lost = []
    checked = 0
    for w in workers:
        for name, state in w.models.items():
            status, versions = request(BASES[0], "GET", f"/v1/models/{name}/versions")
            stored = {v["version"] for v in versions} if status == 200 else set()
            checked += 1 + len(state["versions"])
            if status != 200:
                lost.append(f"model {name}")
                continue
            lost += [f"{name} v{v}" for v in state["versions"] - stored]
            _, info = request(BASES[0], "GET", f"/v1/models/{name}")
            if state["active"] is not None and info and info.get("active_version") != state["active"]:
                lost.append(f"{name}: active {info.get('active_version')}, acknowledged {state['active']}")
    print(json.dumps({
        "seconds": DURATION,
        "requests": outcomes,
        "restart_window_s": (window[1] - window[0]) if window[1] else None,
        "5xx_outside_restart_window": len(bad_5xx),
        "acknowledged_writes_checked": checked,
        "acknowledged_writes_lost": lost,
    }, indent=2))
    sys.exit(1 if bad_5xx or lost else 0)


main()
