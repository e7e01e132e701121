'use strict';
// Anomalies, features and analytics on data sent with the call.
const test = require('node:test');
const assert = require('node:assert/strict');
const { freshCore } = require('./helpers');

test('detect_anomalies finds the spike of the original example', async () => {
  const { core, cleanup } = freshCore();
  try {
    const data = [1.0, 2.0, 3.0, 2.5, 2.8, 3.2, 100.0, 2.1, 2.9];
    const r = JSON.parse(await core.detect_anomalies(JSON.stringify(data), 1.0));
    assert.equal(r.anomalies_detected, 1);
    assert.equal(r.anomalies[0].index, 6);
    assert.equal(r.anomalies[0].value, 100);
    assert.ok(['low', 'medium', 'high', 'critical'].includes(r.risk_level));
    assert.equal(r.statistical_metrics.count, 9);
    assert.equal(r.total_points, 9);
  } finally {
    await cleanup();
  }
});

test('engineer_features runs the original example and batches', async () => {
  const { core, cleanup } = freshCore();
  try {
    const rawData = {
      text: 'This is a suspicious message with MALWARE and 192.168.1.1',
      numeric: [1.0, 2.0, 3.0, 4.0, 5.0],
      ip: '192.168.1.100',
    };
    const featureConfig = {
      input_features: ['text', 'numeric', 'ip'],
      engineered_features: [],
      normalization: true,
      scaling_method: 'min_max',
      feature_selection: false,
    };
    const f = JSON.parse(await core.engineer_features(JSON.stringify(rawData), JSON.stringify(featureConfig)));
    assert.equal(f.feature_count, f.feature_names.length);
    assert.equal(f.engineered_features.length, f.feature_count);
    assert.ok(f.feature_names.includes('ip.is_private'));
    assert.equal(f.engineered_features[f.feature_names.indexOf('numeric.mean')], 3);
    assert.equal(f.ignored_settings[0].setting, 'scaling');

    const events = [
      { bytes: 10, src: '10.0.0.1' },
      { bytes: 30, src: '8.8.8.8' },
    ];
    const b = JSON.parse(await core.engineer_features(JSON.stringify(events), '{"scaling": "min_max"}'));
    assert.equal(b.engineered_features.length, 2);
    assert.deepEqual(b.engineered_features.map((r) => r[b.feature_names.indexOf('bytes')]), [0, 1]);
  } finally {
    await cleanup();
  }
});

test('trend, correlation, summary and quality compute on the data given', async () => {
  const { core, cleanup } = freshCore();
  try {
    const t = JSON.parse(await core.trend_analysis(JSON.stringify([1, 2, 3, 4, 5, 6]), '{"horizon": 2}'));
    assert.equal(t.direction, 'increasing');
    assert.ok(Math.abs(t.slope - 1) < 1e-9);
    assert.equal(t.forecast.length, 2);
    const rows = [
      { timestamp: '2024-01-01T00:00:00Z', threats: 1, blocked: 2 },
      { timestamp: '2024-01-01T01:00:00Z', threats: 2, blocked: 4 },
      { timestamp: '2024-01-01T02:00:00Z', threats: 3, blocked: 6 },
    ];
    const byColumn = JSON.parse(await core.trend_analysis(JSON.stringify(rows)));
    assert.deepEqual(Object.keys(byColumn.trend_summary).sort(), ['blocked', 'threats']);
    assert.ok(byColumn.skipped_columns.timestamp);

    const table = rows.map(({ threats, blocked }) => ({ threats, blocked }));
    const c = JSON.parse(await core.correlation_analysis(JSON.stringify(table)));
    assert.ok(Math.abs(c.pairs[0].pearson - 1) < 1e-12);
    const s = JSON.parse(await core.statistical_summary(JSON.stringify(table)));
    assert.equal(s.columns.find((x) => x.name === 'blocked').mean, 4);
    const q = JSON.parse(
      await core.data_quality_assessment(
        JSON.stringify([{ a: 1 }, { a: null }, { a: 50 }]),
        JSON.stringify({ ranges: { a: [0, 10] } }),
      ),
    );
    assert.equal(q.columns[0].missing, 1);
    assert.equal(q.columns[0].out_of_range, 1);
  } finally {
    await cleanup();
  }
});
