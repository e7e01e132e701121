//! `opentelemetry.proto.common.v1` and `opentelemetry.proto.resource.v1`.

use serde::Deserialize;

use crate::protojson::de;

/// A value of any type: a string, a number, a boolean, bytes, an array or a key-value list.
/// No value at all is allowed and means "empty".
#[derive(Clone, PartialEq, prost::Message)]
pub struct AnyValue {
    /// The value, one of [`any_value::Value`]'s cases; `None` when empty.
    #[prost(oneof = "any_value::Value", tags = "1, 2, 3, 4, 5, 6, 7")]
    pub value: Option<any_value::Value>,
}

/// The cases of [`AnyValue`].
pub mod any_value {
    /// The value held by an [`AnyValue`](super::AnyValue).
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        /// `stringValue`.
        #[prost(string, tag = "1")]
        StringValue(String),
        /// `boolValue`.
        #[prost(bool, tag = "2")]
        BoolValue(bool),
        /// `intValue` (a decimal string or a number in JSON).
        #[prost(int64, tag = "3")]
        IntValue(i64),
        /// `doubleValue`.
        #[prost(double, tag = "4")]
        DoubleValue(f64),
        /// `arrayValue`.
        #[prost(message, tag = "5")]
        ArrayValue(super::ArrayValue),
        /// `kvlistValue`.
        #[prost(message, tag = "6")]
        KvlistValue(super::KeyValueList),
        /// `bytesValue` (base64 in JSON).
        #[prost(bytes = "vec", tag = "7")]
        BytesValue(Vec<u8>),
    }
}

/// A list of values, the array case of [`AnyValue`].
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ArrayValue {
    /// The elements, possibly none.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub values: Vec<AnyValue>,
}

/// A list of key-value pairs, the map case of [`AnyValue`].
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyValueList {
    /// The pairs; keys should be unique.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub values: Vec<KeyValue>,
}

/// One attribute: a key and its value.
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyValue {
    /// The attribute's name, e.g. `service.name`.
    #[prost(string, tag = "1")]
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// The attribute's value.
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

/// The library that produced the telemetry (an instrumentation scope).
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstrumentationScope {
    /// The scope's name; empty when unknown.
    #[prost(string, tag = "1")]
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// The scope's version.
    #[prost(string, tag = "2")]
    #[serde(deserialize_with = "de::string")]
    pub version: String,
    /// The scope's attributes.
    #[prost(message, repeated, tag = "3")]
    #[serde(deserialize_with = "de::vec")]
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped.
    #[prost(uint32, tag = "4")]
    #[serde(deserialize_with = "de::u32")]
    pub dropped_attributes_count: u32,
}

/// The entity that produced the telemetry (`opentelemetry.proto.resource.v1.Resource`).
#[derive(Clone, PartialEq, prost::Message, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resource {
    /// The resource's attributes; `service.name` names the service.
    #[prost(message, repeated, tag = "1")]
    #[serde(deserialize_with = "de::vec")]
    pub attributes: Vec<KeyValue>,
    /// How many attributes the sender dropped.
    #[prost(uint32, tag = "2")]
    #[serde(deserialize_with = "de::u32")]
    pub dropped_attributes_count: u32,
}
