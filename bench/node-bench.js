'use strict';
// bench/node.sh: predict and predict_batch through the Node.js package beside the same calls
// on phantom-engine in Rust (target/node/phantom-node-bench), on the same model and rows, in
// one run. Node's timings include JSON.stringify of the input and JSON.parse of the answer,
// as callers of the JSON-string API pay them. Prints a markdown table.
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { PhantomMLCore } = require('../bindings/node');

const FEATURES = 20;
const TRAIN_ROWS = 5000;
const PREDICT_CALLS = 20000;
const EXPLAIN_CALLS = 2000;
const BATCH_ROWS = 1000;
const BATCH_CALLS = 50;

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function dataset(n, seed) {
  const r = rng(seed);
  const features = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: FEATURES }, () => r() * 10);
    features.push(row);
    labels.push(row[0] + row[1] * 0.5 - row[2] + r() * 3 > 6 ? 1 : 0);
  }
  return { features, labels };
}

function figures(micros, totalS) {
  micros.sort((a, b) => a - b);
  const at = (q) => micros[Math.min(micros.length - 1, Math.floor(micros.length * q))];
  return {
    calls: micros.length,
    calls_per_second: micros.length / totalS,
    mean_us: micros.reduce((a, b) => a + b, 0) / micros.length,
    p50_us: at(0.5),
    p99_us: at(0.99),
  };
}

async function timed(calls, fn) {
  const micros = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    micros.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return figures(micros, Number(process.hrtime.bigint() - start) / 1e9);
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'phantom-node-bench-'));
  try {
    const core = new PhantomMLCore({ data_dir: path.join(dir, 'store'), inference_log: { enabled: false } });
    const created = JSON.parse(
      await core.create_model(
        JSON.stringify({ model_type: 'classification', algorithm: 'random_forest', hyperparameters: { n_estimators: 100 } }),
      ),
    );
    const id = created.model_id;
    await core.train_model(id, JSON.stringify(dataset(TRAIN_ROWS, 1)));
    const rows = dataset(2000, 2).features;
    const batch = dataset(BATCH_ROWS, 3).features;

    const node = {};
    const plain = '{"explain": false}';
    for (let i = 0; i < 1000; i++) JSON.parse(await core.predict(id, JSON.stringify(rows[i]), plain));
    node.predict = await timed(PREDICT_CALLS, async (i) =>
      JSON.parse(await core.predict(id, JSON.stringify(rows[i % rows.length]), plain)),
    );
    for (let i = 0; i < 1000; i++) JSON.parse(await core.predict(id, JSON.stringify(rows[i])));
    node.predict_explained = await timed(EXPLAIN_CALLS, async (i) =>
      JSON.parse(await core.predict(id, JSON.stringify(rows[i % rows.length]))),
    );
    for (let i = 0; i < 5; i++) JSON.parse(await core.predict_batch(id, JSON.stringify(batch)));
    node.predict_batch = await timed(BATCH_CALLS, async () =>
      JSON.parse(await core.predict_batch(id, JSON.stringify(batch))),
    );
    await core.close();

    const setup = path.join(dir, 'setup.json');
    writeFileSync(
      setup,
      JSON.stringify({
        data_dir: path.join(dir, 'store'),
        model_id: id,
        rows,
        batch,
        predict_calls: PREDICT_CALLS,
        explain_calls: EXPLAIN_CALLS,
        batch_calls: BATCH_CALLS,
      }),
    );
    const rustBin = path.join(__dirname, '..', 'target', 'node', 'phantom-node-bench');
    const rust = JSON.parse(execFileSync(rustBin, ['--setup', setup], { encoding: 'utf8' }));

    const f = (v, d = 1) => v.toFixed(d);
    console.log(
      `Random forest, 100 trees, ${FEATURES} features, trained on ${TRAIN_ROWS} rows; predict_batch of ${BATCH_ROWS} rows; inference log off.`,
    );
    console.log('');
    console.log('| call | Node calls/s | Node p50 µs | Node p99 µs | Rust calls/s | Rust p50 µs | Rust p99 µs | added µs per call (mean) | Node/Rust time |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    const names = {
      predict: 'predict (`{"explain": false}`)',
      predict_explained: 'predict (default: with TreeSHAP `feature_importance`) vs Rust predict + explain',
      predict_batch: `predict_batch (${BATCH_ROWS} rows)`,
    };
    const json = {};
    for (const key of Object.keys(names)) {
      const n = node[key];
      const r = rust[key];
      const added = n.mean_us - r.mean_us;
      json[key] = { node: n, rust: r, added_us: added };
      console.log(
        `| ${names[key]} | ${f(n.calls_per_second, 0)} | ${f(n.p50_us)} | ${f(n.p99_us)} | ${f(r.calls_per_second, 0)} | ${f(r.p50_us)} | ${f(r.p99_us)} | ${f(added)} | ${f(n.mean_us / r.mean_us, 2)}x |`,
      );
    }
    console.log('');
    console.log(JSON.stringify(json));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
