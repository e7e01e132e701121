//! Analytics through JSON, as the REST API and the Node.js package call them.

use phantom_engine::analytics::{
    AnomalyOptions, CorrelationOptions, Dataset, QualityOptions, RiskLevel, TrendDirection,
    TrendOptions, correlation, data_quality, detect_anomalies, summary, trend,
};
use serde_json::json;

#[test]
fn hourly_requests_with_a_daily_cycle() {
    let mut series: Vec<f64> = (0..24 * 14)
        .map(|h| if (9..17).contains(&(h % 24)) { 900.0 } else { 100.0 } + (h % 3) as f64)
        .collect();
    let robust: AnomalyOptions = serde_json::from_value(json!({})).unwrap();
    let seasonal: AnomalyOptions =
        serde_json::from_value(json!({"method": {"seasonal": {"period": 24}}})).unwrap();
    assert_eq!(
        detect_anomalies(&series, &seasonal)
            .unwrap()
            .anomalies_detected,
        0
    );

    // A burst at 03:00 on day 9 to the daytime level: on raw values the robust detector flags
    // every busy hour, the burst drowned among them; the seasonal one flags only the burst.
    series[24 * 9 + 3] = 900.0;
    assert!(
        detect_anomalies(&series, &robust)
            .unwrap()
            .anomalies_detected
            > 100
    );
    let report = detect_anomalies(&series, &seasonal).unwrap();
    assert_eq!(report.anomalies_detected, 1);
    assert_eq!(report.anomalies[0].index, 24 * 9 + 3);
    assert_eq!(report.risk_level, RiskLevel::High);
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(
        v["statistics"]["method"],
        json!({"seasonal": {"period": 24}})
    );
}

#[test]
fn growing_disk_usage_trend_and_forecast() {
    let usage: Vec<f64> = (0..30)
        .map(|d| 40.0 + 0.5 * d as f64 + (d % 2) as f64 * 0.2)
        .collect();
    let options: TrendOptions = serde_json::from_value(json!({"horizon": 3})).unwrap();
    let r = trend(&usage, &options).unwrap();
    assert_eq!(r.direction, TrendDirection::Increasing);
    assert!((r.slope - 0.5).abs() < 0.01, "{}", r.slope);
    assert_eq!(r.forecast.len(), 3);
    assert!(
        (r.forecast[0] - (40.1 + 0.5 * 30.0)).abs() < 0.2,
        "{:?}",
        r.forecast
    );
}

#[test]
fn a_table_from_json_rows() {
    let rows = json!([
        {"cpu": 10, "mem": 20, "errors": 0},
        {"cpu": 20, "mem": 41, "errors": 1},
        {"cpu": 30, "mem": 59, "errors": null},
        {"cpu": 40, "mem": 80, "errors": 3},
        {"cpu": 40, "mem": 80, "errors": 3},
        {"cpu": 250, "mem": 100, "errors": 2},
    ]);
    let data = Dataset::from_json_rows(&rows).unwrap();

    let s = summary(&data).unwrap();
    let errors = s.columns.iter().find(|c| c.name == "errors").unwrap();
    assert_eq!(
        (errors.count, errors.missing, errors.max),
        (5, 1, Some(3.0))
    );

    let c = correlation(
        &data,
        &serde_json::from_value::<CorrelationOptions>(json!({})).unwrap(),
    )
    .unwrap();
    let first = &c.pairs[0];
    assert!(first.pearson.unwrap().abs() >= c.pairs[1].pearson.unwrap().abs());
    let with_errors = c
        .pairs
        .iter()
        .find(|p| p.feature_a == "errors" || p.feature_b == "errors");
    assert_eq!(with_errors.unwrap().n, 5);

    let q: QualityOptions = serde_json::from_value(json!({"ranges": {"cpu": [0, 100]}})).unwrap();
    let report = data_quality(&data, &q).unwrap();
    assert_eq!(
        (
            report.duplicate_rows,
            report.total_cells,
            report.clean_cells
        ),
        (1, 18, 16)
    );
    let v = serde_json::to_value(&report).unwrap();
    assert!(v["quality_score"].as_f64().unwrap() < 1.0);
}

#[test]
fn errors_name_the_row_and_field() {
    let err = Dataset::from_json_rows(&json!([{"a": 1}, {"a": true}])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "row 1, field `a` is a boolean; expected a number or null"
    );
}
