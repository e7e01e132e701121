//! Metrics: one value per data point, distributions as their mean, rejected points.

use phantom_otlp::proto::collector::ExportMetricsServiceRequest;
use phantom_otlp::proto::metrics::{
    ExponentialHistogram, ExponentialHistogramDataPoint, FLAG_NO_RECORDED_VALUE, Gauge, Histogram,
    HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, Summary,
    SummaryDataPoint, metric::Data, number_data_point::Value,
};
use phantom_otlp::{BodyFormat, decode_metrics};
use prost::Message;

use crate::support::{kv, resource, scope, string, value};

fn metric(name: &str, data: Data) -> Metric {
    Metric {
        name: name.to_owned(),
        data: Some(data),
        ..Metric::default()
    }
}

fn number(value: Value, time: u64) -> NumberDataPoint {
    NumberDataPoint {
        attributes: vec![kv("route", string("/pay"))],
        time_unix_nano: time,
        value: Some(value),
        ..NumberDataPoint::default()
    }
}

fn request(metrics: Vec<Metric>) -> Vec<u8> {
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: resource("payments"),
            scope_metrics: vec![ScopeMetrics {
                scope: scope(),
                metrics,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
    .encode_to_vec()
}

#[test]
fn every_kind_of_point_becomes_one_value() {
    let histogram = |sum, count| HistogramDataPoint {
        sum,
        count,
        time_unix_nano: 3,
        ..HistogramDataPoint::default()
    };
    let body = request(vec![
        metric(
            "cpu",
            Data::Gauge(Gauge {
                data_points: vec![number(Value::AsDouble(0.5), 1)],
            }),
        ),
        metric(
            "requests",
            Data::Sum(Sum {
                data_points: vec![number(Value::AsInt(7), 2)],
                aggregation_temporality: 2,
                is_monotonic: true,
            }),
        ),
        metric(
            "latency",
            Data::Histogram(Histogram {
                data_points: vec![
                    histogram(Some(30.0), 3),
                    histogram(Some(5.0), 0),
                    histogram(None, 2),
                ],
                aggregation_temporality: 1,
            }),
        ),
        metric(
            "size",
            Data::ExponentialHistogram(ExponentialHistogram {
                data_points: vec![ExponentialHistogramDataPoint {
                    sum: Some(8.0),
                    count: 4,
                    ..Default::default()
                }],
                aggregation_temporality: 1,
            }),
        ),
        metric(
            "rpc",
            Data::Summary(Summary {
                data_points: vec![SummaryDataPoint {
                    sum: 9.0,
                    count: 3,
                    ..SummaryDataPoint::default()
                }],
            }),
        ),
    ]);
    let decoded = decode_metrics(&body, BodyFormat::Protobuf).unwrap();
    let values: Vec<(&str, f64)> = decoded.records.iter().map(value).collect();
    assert_eq!(
        values,
        [
            ("cpu", 0.5),
            ("requests", 7.0),
            ("latency", 10.0),
            ("size", 2.0),
            ("rpc", 3.0)
        ]
    );
    assert_eq!(decoded.records[0].attribute("route"), Some("/pay"));
    assert_eq!(decoded.records[0].service, "payments");
    assert_eq!(decoded.records[2].time_unix_nano, 3);
    assert_eq!(
        decoded.rejected, 2,
        "a histogram with a count of 0 and one with no sum"
    );
    assert_eq!(
        decoded.rejection.as_deref(),
        Some(
            "resourceMetrics[0].scopeMetrics[0].metrics[2].histogram.dataPoints[1]: the data point of \"latency\" has a count of 0"
        )
    );
}

#[test]
fn points_without_a_usable_value_are_rejected() {
    let no_value = NumberDataPoint::default();
    let stale = NumberDataPoint {
        flags: FLAG_NO_RECORDED_VALUE,
        ..number(Value::AsDouble(1.0), 1)
    };
    let body = request(vec![
        metric(
            "g",
            Data::Gauge(Gauge {
                data_points: vec![no_value, number(Value::AsDouble(f64::NAN), 1), stale],
            }),
        ),
        Metric {
            name: "empty".to_owned(),
            ..Metric::default()
        },
        Metric {
            name: String::new(),
            ..metric(
                "",
                Data::Gauge(Gauge {
                    data_points: vec![number(Value::AsInt(1), 1); 2],
                }),
            )
        },
        metric(
            "ok",
            Data::Gauge(Gauge {
                data_points: vec![number(Value::AsInt(-4), 1)],
            }),
        ),
    ]);
    let decoded = decode_metrics(&body, BodyFormat::Protobuf).unwrap();
    assert_eq!(
        decoded.records.iter().map(value).collect::<Vec<_>>(),
        [("ok", -4.0)]
    );
    assert_eq!(decoded.rejected, 3 + 1 + 2);
    assert_eq!(
        decoded.rejection.as_deref(),
        Some(
            "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]: the data point of \"g\" has no value"
        )
    );
}

/// The shape of the specification's `examples/metrics.json`, written by hand.
const SPEC_METRICS_JSON: &str = r#"{
  "resourceMetrics": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "my.service"}}]},
    "scopeMetrics": [{
      "scope": {"name": "my.library", "version": "1.0.0"},
      "metrics": [
        {"name": "my.counter", "unit": "1", "description": "I am a Counter",
         "sum": {"aggregationTemporality": 1, "isMonotonic": true,
                 "dataPoints": [{"asDouble": 5, "startTimeUnixNano": "1544712660300000000",
                                 "timeUnixNano": "1544712660300000000",
                                 "attributes": [{"key": "my.counter.attr", "value": {"stringValue": "some value"}}]}]}},
        {"name": "my.gauge", "unit": "1",
         "gauge": {"dataPoints": [{"asInt": "10", "timeUnixNano": "1544712660300000000"}]}},
        {"name": "my.histogram", "unit": "1",
         "histogram": {"aggregationTemporality": "AGGREGATION_TEMPORALITY_DELTA",
                       "dataPoints": [{"startTimeUnixNano": "1544712660300000000", "timeUnixNano": "1544712660300000000",
                                       "count": "2", "sum": 2, "bucketCounts": ["1", 1], "explicitBounds": [1],
                                       "min": 0, "max": 2,
                                       "exemplars": [{"asInt": "1", "spanId": "EEE19B7EC3C1B174",
                                                      "traceId": "5B8EFFF798038103D269B633813FC60C"}]}]}},
        {"name": "my.exponential.histogram", "unit": "1",
         "exponentialHistogram": {"aggregationTemporality": 1,
                                  "dataPoints": [{"count": "3", "sum": 10, "scale": 0, "zeroCount": "1",
                                                  "positive": {"offset": 1, "bucketCounts": ["0", "2"]},
                                                  "min": 0, "max": 5, "zeroThreshold": 0}]}},
        {"name": "my.summary", "summary": {"dataPoints": [{"count": "4", "sum": "NaN",
                                                            "quantileValues": [{"quantile": 0.5, "value": 1}]}]}}
      ]
    }]
  }]
}"#;

#[test]
fn the_specification_example_decodes() {
    let decoded = decode_metrics(SPEC_METRICS_JSON.as_bytes(), BodyFormat::Json).unwrap();
    let values: Vec<(&str, f64)> = decoded.records.iter().map(value).collect();
    assert_eq!(
        values,
        [
            ("my.counter", 5.0),
            ("my.gauge", 10.0),
            ("my.histogram", 1.0),
            ("my.exponential.histogram", 10.0 / 3.0)
        ]
    );
    assert_eq!(
        decoded.records[0].attribute("my.counter.attr"),
        Some("some value")
    );
    assert_eq!(decoded.records[1].time_unix_nano, 1_544_712_660_300_000_000);
    assert_eq!(
        decoded.rejected, 1,
        "a summary whose sum is NaN has no finite mean"
    );
    let request: ExportMetricsServiceRequest = serde_json::from_str(SPEC_METRICS_JSON).unwrap();
    assert_eq!(
        decode_metrics(&request.encode_to_vec(), BodyFormat::Protobuf).unwrap(),
        decoded,
        "the protobuf form of the same request decodes alike"
    );
}

#[test]
fn a_oneof_with_two_cases_or_a_bad_value_is_an_error_with_its_path() {
    let two = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asInt":"1","asDouble":1}]}}]}]}]}"#;
    let error = decode_metrics(two.as_bytes(), BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]"),
        "{error}"
    );
    assert!(
        error.contains("more than one case of `NumberDataPoint.value`"),
        "{error}"
    );

    let bad = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","sum":{"dataPoints":[{"asInt":"seven"}]}}]}]}]}"#;
    let error = decode_metrics(bad.as_bytes(), BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("invalid JSON at resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt: \"seven\" is not an integer"),
        "{error}"
    );

    let both = r#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{},"sum":{}}]}]}]}"#;
    let error = decode_metrics(both.as_bytes(), BodyFormat::Json)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("more than one case of `Metric.data`"),
        "{error}"
    );
}
