'use strict';
// Odd inputs to every method: each call must settle (resolve or reject with an Error), and
// the process must keep answering.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freshCore, trainedModel } = require('./helpers');
// Methods that take a path write relative paths into the working directory: use the test's.

const ODD = [
  undefined, null, '', ' ', '{', '}', '[', 'null', 'true', '0', '-1', '1e400', '"x"', '[]', '{}',
  '[[]]', '[null]', '[NaN]', '[Infinity]', '[1e308, -1e308, 5e-324]', '{"features": "x"}',
  '{"features": [[1, 2, 3]], "labels": ["a"]}', '{"path": "missing.csv"}', '{"path": 5}',
  'x'.repeat(10000), '[' + '['.repeat(5000), JSON.stringify({ a: { b: { c: [1, { d: null }] } } }),
  42, -1, 1.5, NaN, true, {}, [], [1, 2, 3], { features: [0.1, 1, 1000] }, '\u0000', '😀', 'relative/file',
];

const METHODS = [
  ['initialize_databases', 1], ['create_model', 1], ['train_model', 2], ['get_model_info', 1],
  ['list_models', 0], ['delete_model', 1], ['validate_model', 2], ['export_model', 2],
  ['import_model', 1], ['clone_model', 2], ['archive_model', 2], ['restore_model', 1],
  ['compare_models', 1], ['optimize_model', 2], ['get_model_versions', 1], ['activate_version', 2],
  ['predict', 3], ['predict_batch', 2], ['detect_anomalies', 2], ['engineer_features', 2],
  ['generate_insights', 1], ['trend_analysis', 2], ['correlation_analysis', 1],
  ['statistical_summary', 1], ['data_quality_assessment', 2], ['feature_importance_analysis', 2],
  ['model_explainability', 3], ['get_performance_stats', 0], ['get_system_health', 0],
  ['get_inference_history', 2], ['backup_system', 1], ['disaster_recovery', 1],
];

test('every method settles on odd input and the process survives', async () => {
  const { core, dir, cleanup } = freshCore();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const id = await trainedModel(core, { name: 'target' });
    let settled = 0;
    for (const [method, arity] of METHODS) {
      for (const odd of ODD) {
        for (let position = 0; position < Math.max(arity, 1); position++) {
          const args = [];
          for (let i = 0; i < arity; i++) args.push(i === position ? odd : i === 0 ? id : '[0.1, 1, 1000]');
          try {
            await core[method](...args);
          } catch (e) {
            assert.ok(e instanceof Error, `${method}: ${e}`);
            assert.ok(e.message.length > 0, method);
          }
          settled++;
        }
      }
    }
    assert.ok(settled > 1000);
    await core.restore_model('target');
    const p = JSON.parse(await core.predict('target', '[0.1, 1, 1000]'));
    assert.ok(p.confidence > 0);
  } finally {
    process.chdir(cwd);
    await cleanup();
  }
});
