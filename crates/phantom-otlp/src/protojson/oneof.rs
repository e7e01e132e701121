//! `Deserialize` for the messages that hold a `oneof`, read key by key so that a bad value in
//! the `oneof` is an error (with its path), two cases set at once is an error, and an empty
//! object is the empty value.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, IgnoredAny, MapAccess, Visitor};

use super::de;
use crate::proto::common::{AnyValue, ArrayValue, KeyValue, KeyValueList, any_value};
use crate::proto::metrics::{
    Exemplar, ExponentialHistogram, Gauge, Histogram, Metric, NumberDataPoint, Sum, Summary,
    exemplar, metric, number_data_point,
};

/// A newtype whose `Deserialize` is one of the [`de`] functions, for `next_value`.
macro_rules! field_value {
    ($name:ident, $ty:ty, $read:path) => {
        struct $name($ty);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $read(d).map($name)
            }
        }
    };
}

field_value!(Str, String, de::string);
field_value!(Bool, bool, de::bool);
field_value!(I64, i64, de::i64);
field_value!(U64, u64, de::u64);
field_value!(U32, u32, de::u32);
field_value!(F64, f64, de::f64);
field_value!(Hex, Vec<u8>, de::hex);
field_value!(Base64, Vec<u8>, de::base64);
field_value!(KeyValues, Vec<KeyValue>, de::vec);
field_value!(Exemplars, Vec<Exemplar>, de::vec);

/// Stores the case of a `oneof`, refusing a second one.
fn set_once<T, E: Error>(slot: &mut Option<T>, value: T, oneof: &str) -> Result<(), E> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(E::custom(format!("more than one case of `{oneof}` is set"))),
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum AnyValueField {
    StringValue,
    BoolValue,
    IntValue,
    DoubleValue,
    ArrayValue,
    KvlistValue,
    BytesValue,
    #[serde(other)]
    Unknown,
}

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(AnyValueVisitor)
    }
}

struct AnyValueVisitor;

impl<'de> Visitor<'de> for AnyValueVisitor {
    type Value = AnyValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an AnyValue object such as {\"stringValue\": \"...\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
        use any_value::Value;
        let mut value = None;
        while let Some(field) = map.next_key()? {
            let case = match field {
                AnyValueField::StringValue => Value::StringValue(map.next_value::<Str>()?.0),
                AnyValueField::BoolValue => Value::BoolValue(map.next_value::<Bool>()?.0),
                AnyValueField::IntValue => Value::IntValue(map.next_value::<I64>()?.0),
                AnyValueField::DoubleValue => Value::DoubleValue(map.next_value::<F64>()?.0),
                AnyValueField::ArrayValue => {
                    Value::ArrayValue(map.next_value::<Option<ArrayValue>>()?.unwrap_or_default())
                }
                AnyValueField::KvlistValue => Value::KvlistValue(
                    map.next_value::<Option<KeyValueList>>()?
                        .unwrap_or_default(),
                ),
                AnyValueField::BytesValue => Value::BytesValue(map.next_value::<Base64>()?.0),
                AnyValueField::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            set_once(&mut value, case, "AnyValue.value")?;
        }
        Ok(AnyValue { value })
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum MetricField {
    Name,
    Description,
    Unit,
    Gauge,
    Sum,
    Histogram,
    ExponentialHistogram,
    Summary,
    Metadata,
    #[serde(other)]
    Unknown,
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MetricVisitor)
    }
}

struct MetricVisitor;

impl<'de> Visitor<'de> for MetricVisitor {
    type Value = Metric;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Metric object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Metric, A::Error> {
        use metric::Data;
        let mut metric = Metric::default();
        while let Some(field) = map.next_key()? {
            let data = match field {
                MetricField::Name => {
                    metric.name = map.next_value::<Str>()?.0;
                    None
                }
                MetricField::Description => {
                    metric.description = map.next_value::<Str>()?.0;
                    None
                }
                MetricField::Unit => {
                    metric.unit = map.next_value::<Str>()?.0;
                    None
                }
                MetricField::Metadata => {
                    metric.metadata = map.next_value::<KeyValues>()?.0;
                    None
                }
                MetricField::Gauge => map.next_value::<Option<Gauge>>()?.map(Data::Gauge),
                MetricField::Sum => map.next_value::<Option<Sum>>()?.map(Data::Sum),
                MetricField::Histogram => {
                    map.next_value::<Option<Histogram>>()?.map(Data::Histogram)
                }
                MetricField::ExponentialHistogram => map
                    .next_value::<Option<ExponentialHistogram>>()?
                    .map(Data::ExponentialHistogram),
                MetricField::Summary => map.next_value::<Option<Summary>>()?.map(Data::Summary),
                MetricField::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                    None
                }
            };
            if let Some(data) = data {
                set_once(&mut metric.data, data, "Metric.data")?;
            }
        }
        Ok(metric)
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum NumberDataPointField {
    Attributes,
    StartTimeUnixNano,
    TimeUnixNano,
    AsDouble,
    AsInt,
    Exemplars,
    Flags,
    #[serde(other)]
    Unknown,
}

impl<'de> Deserialize<'de> for NumberDataPoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(NumberDataPointVisitor)
    }
}

struct NumberDataPointVisitor;

impl<'de> Visitor<'de> for NumberDataPointVisitor {
    type Value = NumberDataPoint;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a NumberDataPoint object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NumberDataPoint, A::Error> {
        use number_data_point::Value;
        let mut point = NumberDataPoint::default();
        while let Some(field) = map.next_key()? {
            let value = match field {
                NumberDataPointField::Attributes => {
                    point.attributes = map.next_value::<KeyValues>()?.0;
                    None
                }
                NumberDataPointField::StartTimeUnixNano => {
                    point.start_time_unix_nano = map.next_value::<U64>()?.0;
                    None
                }
                NumberDataPointField::TimeUnixNano => {
                    point.time_unix_nano = map.next_value::<U64>()?.0;
                    None
                }
                NumberDataPointField::Exemplars => {
                    point.exemplars = map.next_value::<Exemplars>()?.0;
                    None
                }
                NumberDataPointField::Flags => {
                    point.flags = map.next_value::<U32>()?.0;
                    None
                }
                NumberDataPointField::AsDouble => map
                    .next_value::<Option<F64>>()?
                    .map(|v| Value::AsDouble(v.0)),
                NumberDataPointField::AsInt => {
                    map.next_value::<Option<I64>>()?.map(|v| Value::AsInt(v.0))
                }
                NumberDataPointField::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                    None
                }
            };
            if let Some(value) = value {
                set_once(&mut point.value, value, "NumberDataPoint.value")?;
            }
        }
        Ok(point)
    }
}

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum ExemplarField {
    FilteredAttributes,
    TimeUnixNano,
    AsDouble,
    AsInt,
    SpanId,
    TraceId,
    #[serde(other)]
    Unknown,
}

impl<'de> Deserialize<'de> for Exemplar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ExemplarVisitor)
    }
}

struct ExemplarVisitor;

impl<'de> Visitor<'de> for ExemplarVisitor {
    type Value = Exemplar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Exemplar object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Exemplar, A::Error> {
        use exemplar::Value;
        let mut exemplar = Exemplar::default();
        while let Some(field) = map.next_key()? {
            let value = match field {
                ExemplarField::FilteredAttributes => {
                    exemplar.filtered_attributes = map.next_value::<KeyValues>()?.0;
                    None
                }
                ExemplarField::TimeUnixNano => {
                    exemplar.time_unix_nano = map.next_value::<U64>()?.0;
                    None
                }
                ExemplarField::SpanId => {
                    exemplar.span_id = map.next_value::<Hex>()?.0;
                    None
                }
                ExemplarField::TraceId => {
                    exemplar.trace_id = map.next_value::<Hex>()?.0;
                    None
                }
                ExemplarField::AsDouble => map
                    .next_value::<Option<F64>>()?
                    .map(|v| Value::AsDouble(v.0)),
                ExemplarField::AsInt => map.next_value::<Option<I64>>()?.map(|v| Value::AsInt(v.0)),
                ExemplarField::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                    None
                }
            };
            if let Some(value) = value {
                set_once(&mut exemplar.value, value, "Exemplar.value")?;
            }
        }
        Ok(exemplar)
    }
}
