'use strict';
// Every kind of bad input rejects with an Error whose message says what was wrong.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freshCore, trainedModel } = require('./helpers');

test('bad JSON, unknown model, wrong feature count and NaN reject clearly', async () => {
  const { core, cleanup } = freshCore();
  try {
    const id = await trainedModel(core);
    await assert.rejects(core.predict(id, '[0.1, 1,'), /bad JSON in features_json at line 1, column \d+/);
    await assert.rejects(core.create_model('{"algorithm": '), /bad JSON in config_json/);
    await assert.rejects(core.predict('no-such-model', '[1, 2, 3]'), /no model 'no-such-model'/);
    await assert.rejects(core.train_model('no-such-model', '{"features": [[1]], "labels": [1]}'), /no model 'no-such-model'/);
    await assert.rejects(
      core.predict(id, '[1, 2]'),
      /wrong feature count: model '.*' expects 3 features but got 2/,
    );
    // The same errors from the synchronous path (no attribution, model in memory).
    const fast = core.predict(id, '[1, 2]', '{"explain": false}');
    assert.ok(fast instanceof Promise);
    await assert.rejects(fast, /expects 3 features but got 2/);
    await assert.rejects(core.predict(id, '[1, 2, "x"]', '{"explain": false}'), /features_json at \[2\]: expected a number/);
    await assert.rejects(core.predict(id, JSON.stringify([NaN, 1, 2])), /features_json at \[0\].*NaN/);
    await assert.rejects(core.predict(id, '[NaN, 1, 2]'), /NaN and Infinity are not JSON/);
    await assert.rejects(
      core.train_model(id, JSON.stringify({ features: [[1, 2, NaN]], labels: [1] })),
      /features\[0\]\[2\].*NaN/,
    );
    await assert.rejects(core.predict_batch(id, JSON.stringify([[1, 2, 3], [1, 2]])), /features\[1\] has 2 values/);
    await assert.rejects(core.create_model(JSON.stringify({ model_type: 'classification', algorithm: 'magic' })), /unknown variant `magic`/);
    await assert.rejects(core.create_model(JSON.stringify({ algorithm: 'kmeans', colour: 1 })), /colour/);
    await assert.rejects(core.detect_anomalies('[]', 1), /empty|no points|at least/i);
    await assert.rejects(core.get_inference_history(id, -3), /limit.*1 to 10000/);
    await assert.rejects(core.disaster_recovery('/nonexistent/phantom.backup'), /reading '\/nonexistent/);
    const e = await core.predict(id, '[1, 2]').catch((err) => err);
    assert.ok(e instanceof Error);
  } finally {
    await cleanup();
  }
});

test('the constructor throws on bad options', () => {
  const { PhantomMLCore } = require('..');
  assert.throws(() => new PhantomMLCore('{"data_dir": '), /bad JSON in options/);
  assert.throws(() => new PhantomMLCore({ datadir: '/tmp' }), /unknown field `datadir`/);
});
