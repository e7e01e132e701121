'use strict';
// Monitoring, history, insights, backup and recovery, and the database backends.
const test = require('node:test');
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync, readFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { PhantomMLCore } = require('..');
const { freshCore, threatData, trainedModel } = require('./helpers');

test('stats, health and inference history count what happened', async () => {
  const { core, cleanup } = freshCore();
  try {
    const id = await trainedModel(core);
    for (let i = 0; i < 5; i++) {
      await core.predict(id, JSON.stringify([0.1, 1, 1000]), '{"explain": false}');
    }
    await core.predict_batch(id, JSON.stringify(threatData(10).features));
    const stats = JSON.parse(await core.get_performance_stats());
    assert.equal(stats.total_inferences, 15);
    assert.equal(stats.total_trainings, 1);
    assert.ok(stats.average_inference_time_ms > 0);
    const health = JSON.parse(await core.get_system_health());
    assert.equal(health.system_health, 'healthy');
    assert.equal(health.models_loaded, 1);
    assert.equal(health.storage.backend, 'sqlite');

    let history;
    for (let tries = 0; tries < 50; tries++) {
      history = JSON.parse(await core.get_inference_history(id, 3));
      if (history.total === 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(history.total, 3);
    assert.deepEqual(history.records[0].input.length, 3);
  } finally {
    await cleanup();
  }
});

test('generate_insights is derived from the stored models', async () => {
  const { core, cleanup } = freshCore();
  try {
    const id = await trainedModel(core);
    await core.create_model(JSON.stringify({ name: 'idle', model_type: 'classification', algorithm: 'decision_tree' }));
    const insights = JSON.parse(await core.generate_insights());
    assert.equal(insights.total_models, 2);
    assert.deepEqual(insights.untrained_models, ['idle']);
    const info = JSON.parse(await core.get_model_info(id));
    assert.equal(insights.best_by_task.classification.model_id, id);
    assert.equal(insights.best_by_task.classification.value, info.accuracy);
    assert.ok(insights.insights.some((s) => s.includes('never trained')));
  } finally {
    await cleanup();
  }
});

test('backup_system writes a checked file that disaster_recovery restores', async () => {
  const a = freshCore();
  const b = freshCore();
  const out = mkdtempSync(path.join(tmpdir(), 'phantom-backup-'));
  try {
    const id = await trainedModel(a.core);
    await a.core.train_model(id, JSON.stringify(threatData(60, 5)));
    await a.core.archive_model(await trainedModel(a.core, { name: 'old' }));
    const file = path.join(out, 'phantom.backup');
    const backup = JSON.parse(await a.core.backup_system(JSON.stringify({ path: file })));
    const bytes = readFileSync(file);
    assert.equal(backup.size_bytes, bytes.length);
    assert.equal(backup.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(backup.models, 2);
    assert.equal(backup.versions, 3);
    // This tenant has no telemetry streams; the engine's tests cover backups of streams.
    assert.deepEqual([backup.streams, backup.anomalies, backup.evidence_bundles], [0, 0, 0]);

    const restored = JSON.parse(await b.core.disaster_recovery(file));
    assert.equal(restored.versions_restored, 3);
    assert.equal(restored.models_restored.length, 2);
    assert.deepEqual(restored.streams_restored, []);
    assert.deepEqual(restored.skipped_streams, []);
    const row = JSON.stringify([0.1, 1, 1000]);
    assert.deepEqual(
      JSON.parse(await b.core.predict(id, row)).probability_distribution,
      JSON.parse(await a.core.predict(id, row)).probability_distribution,
    );
    assert.equal(JSON.parse(await b.core.get_model_info('old')).status, 'archived');
    const again = JSON.parse(await b.core.disaster_recovery(file));
    assert.equal(again.skipped.length, 2);
    const replaced = JSON.parse(await b.core.disaster_recovery(JSON.stringify({ path: file, replace: true })));
    assert.equal(replaced.models_restored.length, 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
    await a.cleanup();
    await b.cleanup();
  }
});

test('initialize_databases: MongoDB and Elasticsearch say they are unsupported without failing', async () => {
  const { core, cleanup } = freshCore();
  try {
    const r = JSON.parse(
      await core.initialize_databases(
        JSON.stringify({ mongodb_uri: 'mongodb://localhost:27017/x', elasticsearch_url: 'http://localhost:9200' }),
      ),
    );
    assert.equal(r.mongodb.status, 'not_supported');
    assert.match(r.mongodb.message, /use postgresql_uri/);
    assert.equal(r.elasticsearch.status, 'not_supported');
    assert.equal(r.postgresql.status, 'not_configured');
    assert.equal(r.storage_backend, 'sqlite');
    const bad = JSON.parse(await core.initialize_databases(JSON.stringify({ redis_url: 'redis://127.0.0.1:1' })));
    assert.equal(bad.redis.status, 'error');
    assert.ok(bad.redis.error.length > 0);
    assert.equal(JSON.parse(await core.get_system_health()).system_health, 'healthy');
  } finally {
    await cleanup();
  }
});

const postgres = process.env.PHANTOM_TEST_POSTGRES_URL;
const redis = process.env.PHANTOM_TEST_REDIS_URL;

test('initialize_databases connects PostgreSQL and Redis for real', { skip: !(postgres && redis) && 'PHANTOM_TEST_POSTGRES_URL and PHANTOM_TEST_REDIS_URL are not set' }, async () => {
  const tenant = `node-${process.pid}-${Date.now()}`;
  const { core, cleanup } = freshCore({ tenant });
  try {
    const r = JSON.parse(await core.initialize_databases(JSON.stringify({ postgresql_uri: postgres, redis_url: redis, model_storage: 'postgresql' })));
    assert.equal(r.postgresql.status, 'connected');
    assert.equal(r.redis.status, 'connected');
    assert.equal(r.storage_backend, 'postgres');
    const id = await trainedModel(core);
    const row = JSON.stringify([0.1, 1, 1000]);
    const first = JSON.parse(await core.predict(id, row, '{"explain": false}'));
    const second = JSON.parse(await core.predict(id, row, '{"explain": false}'));
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    const other = new PhantomMLCore(JSON.stringify({ database_url: postgres, tenant }));
    assert.equal(JSON.parse(await other.get_model_info(id)).model_id, id);
    await other.delete_model(id);
    await other.close();
  } finally {
    await cleanup();
  }
});
