'use strict';
// predict and predict_batch: labels as given in training, probabilities, real attributions.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freshCore, threatData, trainedModel } = require('./helpers');

test('predict returns the label, probabilities and TreeSHAP contributions', async () => {
  const { core, cleanup } = freshCore();
  try {
    const id = await trainedModel(core);
    const p = JSON.parse(await core.predict(id, JSON.stringify([0.1, 1, 1000])));
    assert.equal(p.prediction, 1);
    assert.deepEqual(p.classes, [0, 1]);
    assert.equal(p.confidence, Math.max(...p.probability_distribution));
    assert.equal(p.feature_importance_method, 'tree_shap');
    assert.equal(p.feature_importance_output, 'probability of class 1');
    assert.deepEqual(Object.keys(p.feature_importance).sort(), ['domain_age', 'ip_reputation', 'request_frequency']);
    // TreeSHAP: base + contributions = the predicted probability.
    const explained = JSON.parse(await core.model_explainability(id, JSON.stringify([0.1, 1, 1000])));
    const sum = Object.values(p.feature_importance).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(explained.base[1] + sum - p.confidence) < 1e-9);
    assert.ok(p.inference_time_ms > 0);

    const plain = JSON.parse(await core.predict(id, JSON.stringify({ features: [0.9, 400, 10] }), '{"explain": false}'));
    assert.equal(plain.prediction, 0);
    assert.equal(plain.feature_importance, null);
  } finally {
    await cleanup();
  }
});

test('text labels come back as given, linear models explain with their weights', async () => {
  const { core, cleanup } = freshCore();
  try {
    const created = JSON.parse(
      await core.create_model(JSON.stringify({ model_type: 'classification', algorithm: 'logistic_regression' })),
    );
    const { features, labels } = threatData();
    await core.train_model(
      created.model_id,
      JSON.stringify({ features, labels: labels.map((l) => (l ? 'malicious' : 'benign')) }),
    );
    const p = JSON.parse(await core.predict(created.model_id, JSON.stringify([0.1, 1, 1000])));
    assert.equal(p.prediction, 'malicious');
    assert.equal(p.feature_importance_method, 'linear');
    assert.equal(p.feature_importance_output, 'raw_score of class malicious');
    assert.equal(Object.keys(p.feature_importance).length, 3);
  } finally {
    await cleanup();
  }
});

// Whether `promise` is settled before any task of the event loop runs: microtasks only.
async function settledAtOnce(promise) {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  const atOnce = settled;
  await promise;
  return atOnce;
}

test('a cheap explanation is answered on the calling thread once measured, with the same figures', async () => {
  const { core, cleanup } = freshCore();
  try {
    const created = JSON.parse(
      await core.create_model(JSON.stringify({ model_type: 'classification', algorithm: 'logistic_regression' })),
    );
    await core.train_model(created.model_id, JSON.stringify(threatData()));
    const row = JSON.stringify([0.1, 1, 1000]);
    // The first explanation runs on the engine's threads and is timed.
    const first = core.predict(created.model_id, row);
    assert.equal(await settledAtOnce(first), false);
    // A linear explanation takes microseconds: the next ones settle at once.
    const second = core.predict(created.model_id, row);
    assert.equal(await settledAtOnce(second), true);
    const [a, b] = [JSON.parse(await first), JSON.parse(await second)];
    assert.deepEqual(b.feature_importance, a.feature_importance);
    assert.deepEqual(b.probability_distribution, a.probability_distribution);
  } finally {
    await cleanup();
  }
});

test('predict_batch answers every row with a measured throughput', async () => {
  const { core, cleanup } = freshCore();
  try {
    const id = await trainedModel(core);
    const rows = threatData(500, 99).features;
    const batch = JSON.parse(await core.predict_batch(id, JSON.stringify(rows)));
    assert.equal(batch.total_predictions, 500);
    assert.equal(batch.results.length, 500);
    assert.ok(batch.throughput_per_second > 0);
    const single = JSON.parse(await core.predict(id, JSON.stringify(rows[7]), '{"explain": false}'));
    assert.equal(batch.results[7].prediction, single.prediction);
    assert.deepEqual(batch.results[7].probability_distribution, single.probability_distribution);

    const withIds = JSON.parse(
      await core.predict_batch(id, JSON.stringify({ samples: rows.slice(0, 2), sample_ids: ['a', 'b'] })),
    );
    assert.deepEqual(withIds.results.map((r) => r.sample_id), ['a', 'b']);
  } finally {
    await cleanup();
  }
});
