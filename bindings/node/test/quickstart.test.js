'use strict';
// The original phantom-ml-core README's quick start, as written, against a real engine.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freshCore } = require('./helpers');

test('the README quick start runs as written and answers for real', async () => {
  const { core: mlCore, cleanup } = freshCore();
  try {
    // 1. Create model
    const config = {
      model_type: 'classification',
      algorithm: 'random_forest',
      feature_config: {
        input_features: ['ip_reputation', 'domain_age', 'request_frequency'],
      },
    };
    const model = await mlCore.create_model(JSON.stringify(config));
    const { model_id } = JSON.parse(model);
    assert.ok(model_id);

    // 2. Train with sample data
    const trainingData = {
      features: [[0.8, 30, 100], [0.2, 5, 500], [0.9, 365, 50]],
      labels: [0, 1, 0], // 0=benign, 1=threat
    };
    const trained = JSON.parse(await mlCore.train_model(model_id, JSON.stringify(trainingData)));
    assert.equal(typeof trained.training_accuracy, 'number');
    assert.ok(trained.training_time_ms > 0);

    // 3. Detect threats
    const result = await mlCore.predict(model_id, JSON.stringify([0.1, 1, 1000]));
    const prediction = JSON.parse(result);
    assert.ok(prediction.prediction === 0 || prediction.prediction === 1);
    assert.ok(prediction.confidence >= 0.5 && prediction.confidence <= 1);
    const total = prediction.probability_distribution.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-9);
    // The row looks like the threat (low reputation, new domain, many requests).
    assert.equal(prediction.prediction, 1);
    console.log('Threat detected:', prediction.prediction === 1);
    console.log('Confidence:', (prediction.confidence * 100).toFixed(1) + '%');
  } finally {
    await cleanup();
  }
});
