//! The features of one field, chosen by its JSON type and, for strings, its kind.

use std::net::IpAddr;

use serde_json::Value;

use crate::analytics::error::json_type;

use super::FeatureIssue;
use super::error::FeatureError;
use super::host::{HostName, domain_features};
use super::ip::ip_features;
use super::numeric::{ArrayOutcome, array_features};
use super::options::{FieldKind, Keyword};
use super::sink::FeatureSink;
use super::text::text_features;
use super::timestamp::{Timestamp, timestamp_features};
use super::url::{is_url, url_features};

/// The kind of a string field that has none declared: the first of ip, url, timestamp,
/// domain that the value parses as, else text. A string with `://` that does not parse as a
/// URL is text.
pub(crate) fn detect_kind(value: &str) -> FieldKind {
    if value.parse::<IpAddr>().is_ok() {
        FieldKind::Ip
    } else if is_url(value) {
        FieldKind::Url
    } else if Timestamp::parse(value).is_ok() {
        FieldKind::Timestamp
    } else if HostName::parse(value).is_ok_and(|name| name.is_domain_like()) {
        FieldKind::Domain
    } else {
        FieldKind::Text
    }
}

/// Everything one call needs besides the field itself.
pub(crate) struct FieldContext<'a> {
    /// The compiled suspicious keywords.
    pub(crate) keywords: &'a [Keyword],
    /// Where features go.
    pub(crate) sink: &'a mut FeatureSink,
    /// Where issues go.
    pub(crate) issues: &'a mut Vec<FeatureIssue>,
}

impl FieldContext<'_> {
    fn issue(&mut self, field: &str, value: &Value, problem: String) {
        self.issues.push(FeatureIssue {
            field: field.to_owned(),
            value: value.clone(),
            problem,
        });
    }
}

/// Pushes the features of `field` (a flattened leaf, never an object), or an issue when its
/// value gives none: null ("missing"), a declared kind the value does not parse as, an empty
/// array or one whose summary overflows.
pub(crate) fn field_features(
    field: &str,
    value: &Value,
    declared: Option<FieldKind>,
    cx: &mut FieldContext<'_>,
) -> Result<(), FeatureError> {
    match (value, declared) {
        (Value::Null, _) => cx.issue(field, value, "missing".to_owned()),
        (Value::String(s), _) => string_features(field, value, s, declared, cx),
        (Value::Bool(_) | Value::Number(_) | Value::Array(_) | Value::Object(_), Some(kind)) => {
            let kind = kind.name();
            cx.issue(
                field,
                value,
                format!(
                    "declared as {kind} in field_types, but the value is {}; a {kind} is a string",
                    json_type(value)
                ),
            );
        }
        (Value::Bool(b), None) => cx.sink.push_field(field, if *b { 1.0 } else { 0.0 }),
        (Value::Number(n), None) => match n.as_f64().filter(|v| v.is_finite()) {
            Some(v) => cx.sink.push_field(field, v),
            None => cx.issue(field, value, "not a finite number".to_owned()),
        },
        (Value::Array(items), None) => match array_features(items, field, cx.sink)? {
            ArrayOutcome::Summarised => {}
            ArrayOutcome::Empty => {
                cx.issue(
                    field,
                    value,
                    "empty array: no numbers to summarise".to_owned(),
                );
            }
            ArrayOutcome::NotFinite => cx.issue(
                field,
                value,
                "the numbers are too large to summarise (a statistic overflows)".to_owned(),
            ),
        },
        // Flattening expanded every object into its leaves.
        (Value::Object(_), None) => {}
    }
    Ok(())
}

fn string_features(
    field: &str,
    value: &Value,
    s: &str,
    declared: Option<FieldKind>,
    cx: &mut FieldContext<'_>,
) {
    let kind = declared.unwrap_or_else(|| detect_kind(s));
    let problem = match kind {
        FieldKind::Ip => match s.parse::<IpAddr>() {
            Ok(ip) => {
                ip_features(ip, field, cx.sink);
                None
            }
            Err(_) => Some("not an IPv4 or IPv6 address".to_owned()),
        },
        FieldKind::Url => url_features(s, field, cx.sink)
            .err()
            .map(|e| format!("not a URL: {e}")),
        FieldKind::Domain => domain_features(s, field, cx.sink)
            .err()
            .map(|e| format!("not a domain: {e}")),
        FieldKind::Timestamp => timestamp_features(s, field, cx.sink)
            .err()
            .map(|e| format!("not an RFC 3339 timestamp: {e}")),
        FieldKind::Text => {
            text_features(s, cx.keywords, field, cx.sink);
            None
        }
    };
    if let Some(problem) = problem {
        cx.issue(field, value, problem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_order() {
        let cases = [
            ("10.1.2.3", FieldKind::Ip),
            ("2001:db8::1", FieldKind::Ip),
            ("https://example.com/login", FieldKind::Url),
            ("http://bad host/", FieldKind::Text),
            ("2024-05-01T12:00:00Z", FieldKind::Timestamp),
            ("2024-05-01", FieldKind::Text),
            ("mail.example.com", FieldKind::Domain),
            ("xn--80ak6aa92e.xn--p1ai", FieldKind::Domain),
            ("localhost", FieldKind::Text),
            ("3.14", FieldKind::Text),
            ("hello world.com", FieldKind::Text),
            ("", FieldKind::Text),
        ];
        for (value, kind) in cases {
            assert_eq!(detect_kind(value), kind, "{value}");
        }
    }
}
