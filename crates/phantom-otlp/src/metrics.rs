//! `POST /v1/metrics`: one numeric record per data point.

use crate::batch::{Batch, BatchRecord};
use crate::error::OtlpError;
use crate::flatten;
use crate::format::BodyFormat;
use crate::proto::collector::ExportMetricsServiceRequest;
use crate::proto::common::KeyValue;
use crate::proto::metrics::{
    ExponentialHistogramDataPoint, FLAG_NO_RECORDED_VALUE, HistogramDataPoint, Metric,
    NumberDataPoint, ResourceMetrics, ScopeMetrics, SummaryDataPoint, metric, number_data_point,
};
use crate::record::{Decoded, RecordBody};
use crate::request::{self, ItemPath};

request::export!(
    ExportMetricsServiceRequest,
    resource_metrics: ResourceMetrics,
    scope_metrics: ScopeMetrics,
    metrics: Metric,
    ["resourceMetrics", "scopeMetrics", "metrics"]
);

/// Decodes an `ExportMetricsServiceRequest` (protobuf, JSON, or NDJSON with one JSON request
/// per line) into one [`RecordBody::Value`] per data point, named after its metric, with the
/// point's attributes: gauge and sum points as they are (`asDouble` or `asInt`), histogram,
/// exponential histogram and summary points as their mean (sum / count).
///
/// Rejected, one per point: a point with no value, a value that is not finite, the "no
/// recorded value" flag, a distribution with a count of 0 or (histograms) no sum, every point
/// of a metric with no name; and a metric with no data at all, as one.
pub fn decode_metrics(body: &[u8], format: BodyFormat) -> Result<Decoded, OtlpError> {
    batch(body, format).map(Batch::into_decoded)
}

/// [`decode_metrics`] into a [`Batch`].
pub(crate) fn batch(body: &[u8], format: BodyFormat) -> Result<Batch, OtlpError> {
    request::decode::<ExportMetricsServiceRequest>(body, format, push_metric)
}

/// One data point, reduced to what a record needs.
struct Point {
    attributes: Vec<KeyValue>,
    time: u64,
    flags: u32,
    value: Result<f64, &'static str>,
}

fn push_metric(origin: usize, metric: Metric, path: &ItemPath, out: &mut Batch) {
    use metric::Data;
    let (kind, points): (&str, Vec<Point>) = match metric.data {
        None => {
            out.reject(1, || {
                format!("{path}: metric \"{}\" has no data", metric.name)
            });
            return;
        }
        Some(Data::Gauge(gauge)) => ("gauge", points(gauge.data_points)),
        Some(Data::Sum(sum)) => ("sum", points(sum.data_points)),
        Some(Data::Histogram(histogram)) => ("histogram", points(histogram.data_points)),
        Some(Data::ExponentialHistogram(histogram)) => {
            ("exponentialHistogram", points(histogram.data_points))
        }
        Some(Data::Summary(summary)) => ("summary", points(summary.data_points)),
    };
    if metric.name.is_empty() {
        let count = points.len().max(1) as u64;
        out.reject(count, || format!("{path}: the metric has no name"));
        return;
    }
    for (index, point) in points.into_iter().enumerate() {
        let value = match point.value {
            _ if point.flags & FLAG_NO_RECORDED_VALUE != 0 => Err("has no recorded value (flag)"),
            Ok(value) if !value.is_finite() => Err("has a value that is not a finite number"),
            value @ (Ok(_) | Err(_)) => value,
        };
        match value {
            Ok(value) => {
                out.records.push(BatchRecord {
                    origin,
                    time_unix_nano: point.time,
                    attributes: flatten::pairs(point.attributes).collect(),
                    body: RecordBody::Value {
                        metric: metric.name.clone(),
                        value,
                    },
                });
            }
            Err(why) => out.reject(1, || {
                format!(
                    "{path}.{kind}.dataPoints[{index}]: the data point of \"{}\" {why}",
                    metric.name
                )
            }),
        }
    }
}

fn points<P: Into<Point>>(points: Vec<P>) -> Vec<Point> {
    points.into_iter().map(Into::into).collect()
}

/// `From<$point> for Point`, the value computed from the point `$p` by `$value`.
macro_rules! point_from {
    ($point:ty, |$p:ident| $value:expr) => {
        impl From<$point> for Point {
            fn from($p: $point) -> Point {
                let value = $value;
                Point {
                    value,
                    attributes: $p.attributes,
                    time: $p.time_unix_nano,
                    flags: $p.flags,
                }
            }
        }
    };
}

point_from!(NumberDataPoint, |p| match p.value {
    Some(number_data_point::Value::AsDouble(v)) => Ok(v),
    Some(number_data_point::Value::AsInt(v)) => Ok(v as f64),
    None => Err("has no value"),
});
point_from!(HistogramDataPoint, |p| mean(p.sum, p.count));
point_from!(ExponentialHistogramDataPoint, |p| mean(p.sum, p.count));
point_from!(SummaryDataPoint, |p| mean(Some(p.sum), p.count));

/// A distribution's mean, or why it has none.
fn mean(sum: Option<f64>, count: u64) -> Result<f64, &'static str> {
    match (sum, count) {
        (_, 0) => Err("has a count of 0"),
        (None, _) => Err("has no sum"),
        (Some(sum), count) => Ok(sum / count as f64),
    }
}
