//! Turning OTLP attributes and values into the flat strings of a record.

mod json_text;

pub(crate) use json_text::push_json_value;

use crate::batch::{Origin, merge};
use crate::proto::common::{AnyValue, InstrumentationScope, KeyValue, Resource, any_value};
use crate::record::UNKNOWN_SERVICE;

/// The origin of a resource's records.
pub(crate) fn resource_origin(resource: Option<Resource>) -> Origin {
    let mut attributes = Vec::new();
    merge(
        &mut attributes,
        pairs(resource.map(|r| r.attributes).unwrap_or_default()),
    );
    let service = attributes
        .iter()
        .find(|(key, value)| key == "service.name" && !value.is_empty())
        .map_or_else(|| UNKNOWN_SERVICE.to_owned(), |(_, value)| value.clone());
    Origin {
        service,
        attributes,
    }
}

/// The origin of a scope's records within `resource`: scope attributes override resource ones.
pub(crate) fn scope_origin(resource: &Origin, scope: Option<InstrumentationScope>) -> Origin {
    let mut attributes = resource.attributes.clone();
    merge(
        &mut attributes,
        pairs(scope.map(|s| s.attributes).unwrap_or_default()),
    );
    Origin {
        service: resource.service.clone(),
        attributes,
    }
}

/// Attributes as `(key, text)` pairs, in their order (see [`text`]).
pub(crate) fn pairs(attributes: Vec<KeyValue>) -> impl ExactSizeIterator<Item = (String, String)> {
    attributes
        .into_iter()
        .map(|kv| (kv.key, text(kv.value.unwrap_or_default())))
}

/// A value as text: a string as it is; a number, bool or bytes (base64) as in JSON without
/// quotes; an array or key-value list as compact JSON; nothing as the empty string.
pub(crate) fn text(value: AnyValue) -> String {
    match value.value {
        None => String::new(),
        Some(any_value::Value::StringValue(s)) => s,
        Some(any_value::Value::BytesValue(bytes)) => json_text::base64(&bytes),
        Some(any_value::Value::DoubleValue(v)) => {
            let mut out = String::new();
            json_text::push_number(&mut out, v, false);
            out
        }
        Some(
            value @ (any_value::Value::BoolValue(_)
            | any_value::Value::IntValue(_)
            | any_value::Value::ArrayValue(_)
            | any_value::Value::KvlistValue(_)),
        ) => json(&AnyValue { value: Some(value) }),
    }
}

/// A value as compact JSON: `"text"`, `5`, `true`, `[...]`, `{...}` (key-value lists keep
/// their order), bytes as a base64 string, nothing as `null`.
pub(crate) fn json(value: &AnyValue) -> String {
    let mut out = String::new();
    json_text::push_any_value(&mut out, value);
    out
}
