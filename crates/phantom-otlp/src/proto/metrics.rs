//! `opentelemetry.proto.metrics.v1`.
//!
//! [`Metric`], [`NumberDataPoint`] and [`Exemplar`] hold a `oneof`; their JSON form is read
//! by hand (in `protojson::oneof`) so that a bad value in it is an error rather than a silently
//! missing field.

use serde::Deserialize;

use super::common::{InstrumentationScope, KeyValue, Resource};
use crate::protojson::de;

/// The names of `AggregationTemporality` values, indexed by value, without the
/// `AGGREGATION_TEMPORALITY_` prefix.
pub const AGGREGATION_TEMPORALITY_NAMES: [&str; 3] = ["UNSPECIFIED", "DELTA", "CUMULATIVE"];

/// The data point flag meaning "no value was recorded" (a staleness marker).
pub const FLAG_NO_RECORDED_VALUE: u32 = 1;

/// The metrics of one resource.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceMetrics {
    /// The resource the metrics come from; unknown when absent.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// The metrics, grouped by instrumentation scope.
    #[prost(message, repeated, tag = "2")]
    #[serde(deserialize_with = "de::vec")]
    pub scope_metrics: Vec<ScopeMetrics>,
    /// The schema of the resource's attributes.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub schema_url: String,
}

/// The metrics of one instrumentation scope.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScopeMetrics {
    /// The scope that produced the metrics.
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    /// The metrics.
    #[prost(message, repeated, tag = "2")]
    #[serde(deserialize_with = "de::vec")]
    pub metrics: Vec<Metric>,
    /// The schema of the metrics' attributes.
    #[prost(string, tag = "3")]
    #[serde(deserialize_with = "de::string")]
    pub schema_url: String,
}

/// One metric: a name and its data points of one kind.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Metric {
    /// The metric's name, e.g. `http.server.request.duration`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// What the metric measures.
    #[prost(string, tag = "2")]
    pub description: String,
    /// The unit, e.g. `ms`.
    #[prost(string, tag = "3")]
    pub unit: String,
    /// The data points, of one of [`metric::Data`]'s kinds.
    #[prost(oneof = "metric::Data", tags = "5, 7, 9, 10, 11")]
    pub data: Option<metric::Data>,
    /// Extra information about the metric.
    #[prost(message, repeated, tag = "12")]
    pub metadata: Vec<KeyValue>,
}

/// The cases of [`Metric`].
pub mod metric {
    /// The kinds of metric data.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Data {
        /// `gauge`: sampled values.
        #[prost(message, tag = "5")]
        Gauge(super::Gauge),
        /// `sum`: a counter or an up-down counter.
        #[prost(message, tag = "7")]
        Sum(super::Sum),
        /// `histogram`: distributions over explicit buckets.
        #[prost(message, tag = "9")]
        Histogram(super::Histogram),
        /// `exponentialHistogram`: distributions over exponential buckets.
        #[prost(message, tag = "10")]
        ExponentialHistogram(super::ExponentialHistogram),
        /// `summary`: quantiles, count and sum.
        #[prost(message, tag = "11")]
        Summary(super::Summary),
    }
}

/// Sampled values.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Gauge {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub data_points: Vec<NumberDataPoint>,
}

/// A sum over time: a counter or an up-down counter.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Sum {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub data_points: Vec<NumberDataPoint>,
    /// Delta or cumulative (see [`AGGREGATION_TEMPORALITY_NAMES`]).
    #[prost(int32, tag = "2")]
    #[serde(deserialize_with = "de::aggregation_temporality")]
    pub aggregation_temporality: i32,
    /// Whether the sum only grows.
    #[prost(bool, tag = "3")]
    #[serde(deserialize_with = "de::bool")]
    pub is_monotonic: bool,
}

/// Distributions over explicit buckets.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Histogram {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub data_points: Vec<HistogramDataPoint>,
    /// Delta or cumulative (see [`AGGREGATION_TEMPORALITY_NAMES`]).
    #[prost(int32, tag = "2")]
    #[serde(deserialize_with = "de::aggregation_temporality")]
    pub aggregation_temporality: i32,
}

/// Distributions over exponential buckets.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExponentialHistogram {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub data_points: Vec<ExponentialHistogramDataPoint>,
    /// Delta or cumulative (see [`AGGREGATION_TEMPORALITY_NAMES`]).
    #[prost(int32, tag = "2")]
    #[serde(deserialize_with = "de::aggregation_temporality")]
    pub aggregation_temporality: i32,
}

/// Quantiles, count and sum.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Summary {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub data_points: Vec<SummaryDataPoint>,
}

/// One value of a gauge or a sum.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NumberDataPoint {
    /// The point's attributes.
    #[prost(message, repeated, tag = "7")]
    pub attributes: Vec<KeyValue>,
    /// Start of the aggregation window, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "2")]
    pub start_time_unix_nano: u64,
    /// When the value was recorded, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// The value, a float or an integer.
    #[prost(oneof = "number_data_point::Value", tags = "4, 6")]
    pub value: Option<number_data_point::Value>,
    /// Example measurements behind the value.
    #[prost(message, repeated, tag = "5")]
    pub exemplars: Vec<Exemplar>,
    /// Flags, e.g. [`FLAG_NO_RECORDED_VALUE`].
    #[prost(uint32, tag = "8")]
    pub flags: u32,
}

/// The cases of [`NumberDataPoint`].
pub mod number_data_point {
    /// A number that is a float or an integer.
    #[derive(Clone, Copy, PartialEq, prost::Oneof)]
    pub enum Value {
        /// `asDouble`.
        #[prost(double, tag = "4")]
        AsDouble(f64),
        /// `asInt` (a decimal string or a number in JSON).
        #[prost(sfixed64, tag = "6")]
        AsInt(i64),
    }
}

/// One distribution over explicit buckets.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HistogramDataPoint {
    /// The point's attributes.
    #[prost(message, repeated, tag = "9")]
    #[serde(deserialize_with = "de::vec")]
    pub attributes: Vec<KeyValue>,
    /// Start of the aggregation window, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "2")]
    #[serde(deserialize_with = "de::u64")]
    pub start_time_unix_nano: u64,
    /// When the distribution was recorded, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "3")]
    #[serde(deserialize_with = "de::u64")]
    pub time_unix_nano: u64,
    /// How many values the distribution holds.
    #[prost(fixed64, tag = "4")]
    #[serde(deserialize_with = "de::u64")]
    pub count: u64,
    /// The sum of the values, when known.
    #[prost(double, optional, tag = "5")]
    #[serde(deserialize_with = "de::optional_f64")]
    pub sum: Option<f64>,
    /// How many values fell in each bucket.
    #[prost(fixed64, repeated, tag = "6")]
    #[serde(deserialize_with = "de::u64s")]
    pub bucket_counts: Vec<u64>,
    /// The buckets' upper bounds.
    #[prost(double, repeated, tag = "7")]
    #[serde(deserialize_with = "de::f64s")]
    pub explicit_bounds: Vec<f64>,
    /// Example measurements behind the distribution.
    #[prost(message, repeated, tag = "8")]
    #[serde(deserialize_with = "de::vec")]
    pub exemplars: Vec<Exemplar>,
    /// Flags, e.g. [`FLAG_NO_RECORDED_VALUE`].
    #[prost(uint32, tag = "10")]
    #[serde(deserialize_with = "de::u32")]
    pub flags: u32,
    /// The smallest value, when known.
    #[prost(double, optional, tag = "11")]
    #[serde(deserialize_with = "de::optional_f64")]
    pub min: Option<f64>,
    /// The largest value, when known.
    #[prost(double, optional, tag = "12")]
    #[serde(deserialize_with = "de::optional_f64")]
    pub max: Option<f64>,
}

/// One distribution over exponential buckets.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExponentialHistogramDataPoint {
    /// The point's attributes.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub attributes: Vec<KeyValue>,
    /// Start of the aggregation window, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "2")]
    #[serde(deserialize_with = "de::u64")]
    pub start_time_unix_nano: u64,
    /// When the distribution was recorded, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "3")]
    #[serde(deserialize_with = "de::u64")]
    pub time_unix_nano: u64,
    /// How many values the distribution holds.
    #[prost(fixed64, tag = "4")]
    #[serde(deserialize_with = "de::u64")]
    pub count: u64,
    /// The sum of the values, when known.
    #[prost(double, optional, tag = "5")]
    #[serde(deserialize_with = "de::optional_f64")]
    pub sum: Option<f64>,
    /// The resolution: bucket bounds grow by `2^(2^-scale)`.
    #[prost(sint32, tag = "6")]
    #[serde(deserialize_with = "de::i32")]
    pub scale: i32,
    /// How many values were (near) zero.
    #[prost(fixed64, tag = "7")]
    #[serde(deserialize_with = "de::u64")]
    pub zero_count: u64,
    /// The buckets of positive values.
    #[prost(message, optional, tag = "8")]
    pub positive: Option<exponential_histogram_data_point::Buckets>,
    /// The buckets of negative values.
    #[prost(message, optional, tag = "9")]
    pub negative: Option<exponential_histogram_data_point::Buckets>,
    /// Flags, e.g. [`FLAG_NO_RECORDED_VALUE`].
    #[prost(uint32, tag = "10")]
    #[serde(deserialize_with = "de::u32")]
    pub flags: u32,
    /// Example measurements behind the distribution.
    #[prost(message, repeated, tag = "11")]
    #[serde(deserialize_with = "de::vec")]
    pub exemplars: Vec<Exemplar>,
    /// The smallest value, when known.
    #[prost(double, optional, tag = "12")]
    #[serde(deserialize_with = "de::optional_f64")]
    pub min: Option<f64>,
    /// The largest value, when known.
    #[prost(double, optional, tag = "13")]
    #[serde(deserialize_with = "de::optional_f64")]
    pub max: Option<f64>,
    /// Values with an absolute value up to this count as zero.
    #[prost(double, tag = "14")]
    #[serde(deserialize_with = "de::f64")]
    pub zero_threshold: f64,
}

/// The messages nested in [`ExponentialHistogramDataPoint`].
pub mod exponential_histogram_data_point {
    use serde::Deserialize;

    use crate::protojson::de;

    /// A run of consecutive exponential buckets.
    #[derive(Clone, PartialEq, prost::Message, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct Buckets {
        /// The index of the first bucket.
        #[prost(sint32, tag = "1")]
        #[serde(deserialize_with = "de::i32")]
        pub offset: i32,
        /// How many values fell in each bucket.
        #[prost(uint64, repeated, tag = "2")]
        #[serde(deserialize_with = "de::u64s")]
        pub bucket_counts: Vec<u64>,
    }
}

/// Quantiles of a distribution, with its count and sum.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SummaryDataPoint {
    /// The point's attributes.
    #[prost(message, repeated, tag = "7")]
    #[serde(deserialize_with = "de::vec")]
    pub attributes: Vec<KeyValue>,
    /// Start of the aggregation window, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "2")]
    #[serde(deserialize_with = "de::u64")]
    pub start_time_unix_nano: u64,
    /// When the summary was recorded, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "3")]
    #[serde(deserialize_with = "de::u64")]
    pub time_unix_nano: u64,
    /// How many values the summary holds.
    #[prost(fixed64, tag = "4")]
    #[serde(deserialize_with = "de::u64")]
    pub count: u64,
    /// The sum of the values.
    #[prost(double, tag = "5")]
    #[serde(deserialize_with = "de::f64")]
    pub sum: f64,
    /// The values at some quantiles.
    #[prost(message, repeated, tag = "6")]
    #[serde(deserialize_with = "de::vec")]
    pub quantile_values: Vec<summary_data_point::ValueAtQuantile>,
    /// Flags, e.g. [`FLAG_NO_RECORDED_VALUE`].
    #[prost(uint32, tag = "8")]
    #[serde(deserialize_with = "de::u32")]
    pub flags: u32,
}

/// The messages nested in [`SummaryDataPoint`].
pub mod summary_data_point {
    use serde::Deserialize;

    use crate::protojson::de;

    /// The value at one quantile.
    #[derive(Clone, PartialEq, prost::Message, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct ValueAtQuantile {
        /// The quantile, in [0, 1].
        #[prost(double, tag = "1")]
        #[serde(deserialize_with = "de::f64")]
        pub quantile: f64,
        /// The value at that quantile.
        #[prost(double, tag = "2")]
        #[serde(deserialize_with = "de::f64")]
        pub value: f64,
    }
}

/// An example measurement behind an aggregated value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Exemplar {
    /// The measurement's attributes that the aggregation dropped.
    #[prost(message, repeated, tag = "7")]
    pub filtered_attributes: Vec<KeyValue>,
    /// When it was measured, in nanoseconds since the Unix epoch.
    #[prost(fixed64, tag = "2")]
    pub time_unix_nano: u64,
    /// The measured value.
    #[prost(oneof = "exemplar::Value", tags = "3, 6")]
    pub value: Option<exemplar::Value>,
    /// The span it was measured in (hex in JSON).
    #[prost(bytes = "vec", tag = "4")]
    pub span_id: Vec<u8>,
    /// The trace it was measured in (hex in JSON).
    #[prost(bytes = "vec", tag = "5")]
    pub trace_id: Vec<u8>,
}

/// The cases of [`Exemplar`].
pub mod exemplar {
    /// A number that is a float or an integer.
    #[derive(Clone, Copy, PartialEq, prost::Oneof)]
    pub enum Value {
        /// `asDouble`.
        #[prost(double, tag = "3")]
        AsDouble(f64),
        /// `asInt` (a decimal string or a number in JSON).
        #[prost(sfixed64, tag = "6")]
        AsInt(i64),
    }
}
