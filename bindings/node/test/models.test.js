'use strict';
// Model management: every method's happy path, figures checked against each other.
const test = require('node:test');
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { freshCore, threatData, trainedModel } = require('./helpers');

test('create, train, info, list, versions, delete', async () => {
  const { core, cleanup } = freshCore();
  try {
    const created = JSON.parse(
      await core.create_model(
        JSON.stringify({
          model_type: 'classification',
          algorithm: 'random_forest',
          hyperparameters: { n_estimators: 20, max_depth: 6, min_samples_split: 2, random_state: 42 },
          feature_config: { input_features: ['a', 'b', 'c'], normalization: false },
          training_config: { epochs: 10, batch_size: 32, validation_split: 0.25 },
        }),
      ),
    );
    assert.equal(created.status, 'created');
    assert.equal(created.feature_count, 3);
    assert.match(created.created_at, /^\d{4}-\d\d-\d\dT/);
    const ignored = created.ignored_settings.map((i) => i.setting).sort();
    assert.deepEqual(ignored, [
      'hyperparameters.min_samples_split',
      'training_config.batch_size',
      'training_config.epochs',
    ]);

    const trained = JSON.parse(await core.train_model(created.model_id, JSON.stringify(threatData(80))));
    assert.equal(trained.version, 1);
    assert.equal(trained.validation_samples, 20);
    assert.equal(trained.training_samples, 60);
    for (const key of ['training_accuracy', 'validation_accuracy', 'training_loss', 'validation_loss']) {
      assert.equal(typeof trained[key], 'number', key);
      assert.ok(trained[key] >= 0, key);
    }
    assert.equal(trained.loss_function, 'log_loss');
    assert.equal(trained.epochs_completed, undefined, 'a forest has no epochs');
    assert.equal(trained.validation_accuracy, trained.validation_metrics.accuracy);

    const info = JSON.parse(await core.get_model_info(created.model_id));
    assert.equal(info.status, 'trained');
    assert.equal(info.hyperparameters.n_trees, 20);
    assert.equal(info.hyperparameters.seed, 42);
    assert.equal(info.accuracy, trained.validation_accuracy);
    assert.equal(info.versions.length, 1);

    const list = JSON.parse(await core.list_models());
    assert.equal(list.total_models, 1);
    assert.equal(list.active_models, 1);

    await core.train_model(created.model_id, JSON.stringify(threatData(80, 11)));
    const versions = JSON.parse(await core.get_model_versions(created.model_id));
    assert.equal(versions.total_versions, 2);
    const rolled = JSON.parse(await core.activate_version(created.model_id, 1));
    assert.equal(rolled.version, 1);

    const deleted = JSON.parse(await core.delete_model(created.model_id));
    assert.equal(deleted.success, true);
    assert.equal(deleted.versions_deleted, 2);
    assert.equal(JSON.parse(await core.list_models()).total_models, 0);
  } finally {
    await cleanup();
  }
});

test('a neural network reports the epochs it ran', async () => {
  const { core, cleanup } = freshCore();
  try {
    const id = await trainedModel(core, {
      algorithm: 'neural_network',
      training_config: { epochs: 15 },
    });
    const info = JSON.parse(await core.get_model_info(id));
    assert.equal(info.hyperparameters.max_iter, 15);
    const again = JSON.parse(await core.train_model(id, JSON.stringify(threatData())));
    assert.ok(again.epochs_completed >= 1 && again.epochs_completed <= 15, String(again.epochs_completed));
  } finally {
    await cleanup();
  }
});

test('validate, export, import, clone, archive, restore, compare', async () => {
  const { core, cleanup } = freshCore();
  const out = mkdtempSync(path.join(tmpdir(), 'phantom-export-'));
  try {
    const id = await trainedModel(core);
    const valid = JSON.parse(await core.validate_model(id));
    assert.equal(valid.overall_valid, true);
    assert.equal(valid.checks_passed, valid.checks_total);

    const exported = JSON.parse(await core.export_model(id, 'binary'));
    assert.equal(Buffer.from(exported.export_data, 'base64').length, exported.export_size_bytes);
    const imported = JSON.parse(await core.import_model(JSON.stringify({ ...exported, name: 'imported' })));
    assert.equal(imported.name, 'imported');
    assert.equal(imported.status, 'trained');

    const file = path.join(out, 'model.phx');
    const written = JSON.parse(await core.export_model(id, JSON.stringify({ path: file })));
    assert.equal(statSync(file).size, written.export_size_bytes);
    const fromFile = JSON.parse(await core.import_model(JSON.stringify({ path: file, name: 'from-file' })));
    assert.equal(fromFile.feature_count, 3);

    const clone = JSON.parse(await core.clone_model(id, JSON.stringify({ name: 'copy' })));
    assert.equal(clone.name, 'copy');
    assert.equal(clone.original_model_id, id);

    const archived = JSON.parse(await core.archive_model(id, JSON.stringify({ reason: 'test' })));
    assert.equal(archived.status, 'archived');
    await assert.rejects(core.predict(id, '[0.1, 1, 1000]'), /archived; restore it/);
    const restored = JSON.parse(await core.restore_model(JSON.stringify(archived)));
    assert.equal(restored.status, 'trained');

    const row = [0.1, 1, 1000];
    const a = JSON.parse(await core.predict(id, JSON.stringify(row)));
    const b = JSON.parse(await core.predict('copy', JSON.stringify(row)));
    assert.deepEqual(a.probability_distribution, b.probability_distribution);

    const compared = JSON.parse(
      await core.compare_models(JSON.stringify({ model_ids: [id, 'copy'], data: threatData(30, 3) })),
    );
    assert.equal(compared.models_compared, 2);
    assert.equal(compared.evaluated_rows, 30);
    assert.equal(compared.entries[0].evaluated_metrics.accuracy, compared.entries[1].evaluated_metrics.accuracy);
  } finally {
    rmSync(out, { recursive: true, force: true });
    await cleanup();
  }
});

test('optimize_model trains candidates and keeps the better one only if it wins', async () => {
  const { core, cleanup } = freshCore();
  try {
    const created = JSON.parse(
      await core.create_model(
        JSON.stringify({
          model_type: 'classification',
          algorithm: 'decision_tree',
          hyperparameters: { max_depth: 1 },
          feature_config: { input_features: ['a', 'b'] },
        }),
      ),
    );
    // XOR of two thresholds: a depth-1 tree cannot learn it, a deeper one can.
    const features = [];
    const labels = [];
    for (let i = 0; i < 200; i++) {
      const a = i % 10;
      const b = (i * 7) % 13;
      features.push([a, b]);
      labels.push(a > 4 !== b > 6 ? 1 : 0);
    }
    await core.train_model(created.model_id, JSON.stringify({ features, labels }));
    const report = JSON.parse(
      await core.optimize_model(created.model_id, JSON.stringify({ features, labels, trials: 10, seed: 3 })),
    );
    assert.equal(report.trials.length, 10);
    assert.equal(report.metric, 'accuracy');
    assert.equal(report.baseline_version, 1);
    const best = report.trials[report.best_trial].score;
    assert.ok(best > report.baseline_score, `${best} vs ${report.baseline_score}`);
    assert.equal(report.kept, true);
    assert.equal(report.new_version.version, 2);
    const info = JSON.parse(await core.get_model_info(created.model_id));
    assert.equal(info.version, 2);

    // Again: the baseline is now the winner, which the same candidates cannot beat.
    const again = JSON.parse(
      await core.optimize_model(created.model_id, JSON.stringify({ features, labels, trials: 10, seed: 3 })),
    );
    assert.equal(again.kept, false);
    assert.equal(JSON.parse(await core.get_model_info(created.model_id)).version, 2);
  } finally {
    await cleanup();
  }
});
