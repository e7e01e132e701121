'use strict';
// bench/node.sh: predict and predict_batch through the Node.js package beside the same calls
// on phantom-engine in Rust (target/node/phantom-node-bench), on the same model and rows, in
// one run. Node's timings include JSON.stringify of the input and JSON.parse of the answer,
// as callers of the JSON-string API pay them. The two sides take turns in ROUNDS rounds (Node's
// share of the calls, then the Rust binary's), so a change in the machine's load touches both
// alike; the figures are over all rounds. Prints a markdown table.
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
const ROUNDS = 5;

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
  return { micros, totalS: Number(process.hrtime.bigint() - start) / 1e9 };
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
    const linear = JSON.parse(
      await core.create_model(JSON.stringify({ model_type: 'classification', algorithm: 'logistic_regression' })),
    ).model_id;
    await core.train_model(linear, JSON.stringify(dataset(TRAIN_ROWS, 1)));
    const rows = dataset(2000, 2).features;
    const batch = dataset(BATCH_ROWS, 3).features;
    const texts = rows.map((row) => JSON.stringify(row));

    const plain = '{"explain": false}';
    const node = { predict: [], predict_call: [], predict_explained: [], predict_linear: [], predict_batch: [] };
    const rust = { predict: [], predict_explained: [], predict_linear: [], predict_batch: [] };
    const seconds = { node: {}, rust: {} };
    const add = (side, key, micros, totalS) => {
      side === 'node' ? node[key].push(...micros) : rust[key].push(...micros);
      seconds[side][key] = (seconds[side][key] || 0) + totalS;
    };
    const setup = path.join(dir, 'setup.json');
    writeFileSync(
      setup,
      JSON.stringify({
        data_dir: path.join(dir, 'store'),
        model_id: id,
        linear_model_id: linear,
        rows,
        batch,
        predict_calls: PREDICT_CALLS / ROUNDS,
        explain_calls: EXPLAIN_CALLS / ROUNDS,
        batch_calls: BATCH_CALLS / ROUNDS,
      }),
    );
    const rustBin = path.join(__dirname, '..', 'target', 'node', 'phantom-node-bench');
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < 1000; i++) JSON.parse(await core.predict(id, JSON.stringify(rows[i]), plain));
      let t = await timed(PREDICT_CALLS / ROUNDS, async (i) =>
        JSON.parse(await core.predict(id, JSON.stringify(rows[i % rows.length]), plain)),
      );
      add('node', 'predict', t.micros, t.totalS);
      t = await timed(PREDICT_CALLS / ROUNDS, async (i) => await core.predict(id, texts[i % texts.length], plain));
      add('node', 'predict_call', t.micros, t.totalS);
      for (let i = 0; i < 100; i++) JSON.parse(await core.predict(id, JSON.stringify(rows[i])));
      t = await timed(EXPLAIN_CALLS / ROUNDS, async (i) =>
        JSON.parse(await core.predict(id, JSON.stringify(rows[i % rows.length]))),
      );
      add('node', 'predict_explained', t.micros, t.totalS);
      for (let i = 0; i < 1000; i++) JSON.parse(await core.predict(linear, JSON.stringify(rows[i])));
      t = await timed(PREDICT_CALLS / ROUNDS, async (i) =>
        JSON.parse(await core.predict(linear, JSON.stringify(rows[i % rows.length]))),
      );
      add('node', 'predict_linear', t.micros, t.totalS);
      for (let i = 0; i < 5; i++) JSON.parse(await core.predict_batch(id, JSON.stringify(batch)));
      t = await timed(BATCH_CALLS / ROUNDS, async () =>
        JSON.parse(await core.predict_batch(id, JSON.stringify(batch))),
      );
      add('node', 'predict_batch', t.micros, t.totalS);

      const r = JSON.parse(execFileSync(rustBin, ['--setup', setup], { encoding: 'utf8' }));
      for (const key of Object.keys(rust)) add('rust', key, r[key].micros, r[key].total_s);
    }
    await core.close();

    const f = (v, d = 1) => v.toFixed(d);
    console.log(
      `Random forest, 100 trees, and logistic regression, ${FEATURES} features, trained on ${TRAIN_ROWS} rows; predict_batch of ${BATCH_ROWS} rows; inference log off; ${ROUNDS} alternating rounds.`,
    );
    console.log('');
    console.log('| call | Node calls/s | Node p50 µs | Node p99 µs | Rust calls/s | Rust p50 µs | Rust p99 µs | added µs per call (mean) | Node/Rust time |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    const names = {
      predict: 'predict (`{"explain": false}`)',
      predict_call: 'the same call alone: input already JSON text, answer not parsed',
      predict_explained: 'predict (default: with TreeSHAP `feature_importance`) vs Rust predict + explain',
      predict_linear: 'predict (default) of a logistic regression: weight × value `feature_importance` vs Rust predict + explain',
      predict_batch: `predict_batch (${BATCH_ROWS} rows)`,
    };
    const json = {};
    for (const key of Object.keys(names)) {
      const n = figures(node[key], seconds.node[key]);
      // The call alone is compared with the same Rust calls as the whole predict.
      const same = key === 'predict_call' ? 'predict' : key;
      const r = figures(rust[same], seconds.rust[same]);
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
