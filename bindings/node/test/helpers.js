'use strict';
// Shared test helpers: every test gets its own data directory and engine.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { PhantomMLCore } = require('..');

/** A PhantomMLCore on a fresh temporary data directory, and a way to remove it. */
function freshCore(extra = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'phantom-node-'));
  const core = new PhantomMLCore(JSON.stringify({ data_dir: dir, ...extra }));
  return {
    core,
    dir,
    async cleanup() {
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Seeded rows of a threat-detection task: [ip_reputation, domain_age, request_frequency]. */
function threatData(n = 60, seed = 7) {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const features = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const threat = i % 3 === 0;
    features.push(
      threat
        ? [rand() * 0.4, rand() * 30, 400 + rand() * 800]
        : [0.5 + rand() * 0.5, 30 + rand() * 700, rand() * 300],
    );
    labels.push(threat ? 1 : 0);
  }
  return { features, labels };
}

/** Creates and trains a model; returns its id. */
async function trainedModel(core, config = {}) {
  const created = JSON.parse(
    await core.create_model(
      JSON.stringify({
        model_type: 'classification',
        algorithm: 'random_forest',
        feature_config: { input_features: ['ip_reputation', 'domain_age', 'request_frequency'] },
        ...config,
      }),
    ),
  );
  await core.train_model(created.model_id, JSON.stringify(threatData()));
  return created.model_id;
}

module.exports = { freshCore, threatData, trainedModel };
