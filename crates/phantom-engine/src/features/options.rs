//! What [`engineer_features`](super::engineer_features) is told about its input.

use std::collections::BTreeMap;

use phantom_ml::scaling::ScalerKind;
use serde::{Deserialize, Serialize};

use super::error::FeatureError;

/// Security terms counted in text by default (case-insensitive): phishing lures, command
/// execution, downloaders, encoded payloads, path traversal targets, SQL injection and XSS.
pub const DEFAULT_SUSPICIOUS_KEYWORDS: [&str; 21] = [
    "password",
    "login",
    "verify",
    "urgent",
    "account",
    "suspended",
    "bitcoin",
    "wallet",
    "invoice",
    "powershell",
    "cmd.exe",
    "eval(",
    "exec(",
    "base64",
    "wget",
    "curl",
    "/etc/passwd",
    "select ",
    "union ",
    "<script",
    "drop table",
];

/// Most suspicious keywords accepted: each adds a feature to every text field.
pub const MAX_KEYWORDS: usize = 256;

/// The kind of a string field, which decides its features.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// An IPv4 or IPv6 address.
    Ip,
    /// An absolute URL, `scheme://host[:port][/path][?query][#fragment]`.
    Url,
    /// A host name (or an IP literal).
    Domain,
    /// An RFC 3339 date and time.
    Timestamp,
    /// Free text.
    Text,
}

impl FieldKind {
    /// The kind's name as in `field_types`: `ip`, `url`, `domain`, `timestamp`, `text`.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Ip => "ip",
            FieldKind::Url => "url",
            FieldKind::Domain => "domain",
            FieldKind::Timestamp => "timestamp",
            FieldKind::Text => "text",
        }
    }
}

/// Options of [`engineer_features`](super::engineer_features) and
/// [`engineer_batch`](super::engineer_batch).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeatureOptions {
    /// The kind of string fields by (dotted) name, e.g. `{"src_ip": "ip", "body": "text"}`.
    /// A string field not listed is detected: an IP address is `ip`, a string starting with
    /// `scheme://` that parses as a URL is `url`, an RFC 3339 timestamp is `timestamp`, a
    /// dotted host name without spaces whose last label is alphabetic (or punycode, `xn--`) is
    /// `domain`, anything else `text`. A listed field whose value does not parse as its kind is reported as an
    /// issue and gives no features. Names not in the input are ignored. Default: none.
    pub field_types: BTreeMap<String, FieldKind>,
    /// Terms counted (case-insensitive) in every text field, each as a feature
    /// `<field>.keyword.<name>` where `<name>` keeps the term's letters and digits and turns
    /// other runs into `_` (`cmd.exe` -> `cmd_exe`, `<script` -> `script`). At most 256.
    /// Default: [`DEFAULT_SUSPICIOUS_KEYWORDS`].
    pub suspicious_keywords: Vec<String>,
    /// Scaling of the feature values: in a batch any kind, fitted on the batch; on a single
    /// object only `unit_vector`. Default: none.
    pub scaling: Option<ScalerKind>,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions {
            field_types: BTreeMap::new(),
            suspicious_keywords: DEFAULT_SUSPICIOUS_KEYWORDS.map(str::to_owned).to_vec(),
            scaling: None,
        }
    }
}

/// A suspicious keyword ready for matching.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Keyword {
    /// The keyword in lower case.
    pub(crate) needle: String,
    /// Its part of the feature name.
    pub(crate) name: String,
}

/// Checks the keywords and prepares them for matching.
pub(crate) fn compile_keywords(keywords: &[String]) -> Result<Vec<Keyword>, FeatureError> {
    if keywords.len() > MAX_KEYWORDS {
        return Err(FeatureError::TooManyKeywords {
            count: keywords.len(),
            max: MAX_KEYWORDS,
        });
    }
    let mut compiled: Vec<(Keyword, &String)> = Vec::with_capacity(keywords.len());
    for keyword in keywords {
        let name = feature_name(keyword);
        if name.is_empty() {
            return Err(FeatureError::InvalidKeyword {
                keyword: keyword.clone(),
                reason: "it needs at least one letter or digit, which name its feature",
            });
        }
        if let Some((_, first)) = compiled.iter().find(|(k, _)| k.name == name) {
            return Err(FeatureError::KeywordNameClash {
                first: (*first).clone(),
                second: keyword.clone(),
                name,
            });
        }
        compiled.push((
            Keyword {
                needle: keyword.to_lowercase(),
                name,
            },
            keyword,
        ));
    }
    Ok(compiled.into_iter().map(|(k, _)| k).collect())
}

/// The keyword's letters and digits in lower case, other runs turned into one `_`, without
/// `_` at either end.
fn feature_name(keyword: &str) -> String {
    let mut name = String::with_capacity(keyword.len());
    for c in keyword.chars() {
        if c.is_alphanumeric() {
            name.extend(c.to_lowercase());
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    name.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn default_keywords_compile_to_readable_names() {
        let names: Vec<String> = compile_keywords(&FeatureOptions::default().suspicious_keywords)
            .unwrap()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(names.len(), DEFAULT_SUSPICIOUS_KEYWORDS.len());
        for expected in [
            "cmd_exe",
            "eval",
            "etc_passwd",
            "select",
            "script",
            "drop_table",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
    }

    #[test]
    fn bad_keywords_are_errors() {
        assert!(matches!(
            compile_keywords(&["((".to_owned()]),
            Err(FeatureError::InvalidKeyword { .. })
        ));
        let err = compile_keywords(&["eval(".to_owned(), "EVAL".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("keyword.eval"), "{err}");
        let many: Vec<String> = (0..=MAX_KEYWORDS).map(|i| format!("k{i}")).collect();
        assert!(matches!(
            compile_keywords(&many),
            Err(FeatureError::TooManyKeywords {
                count: 257,
                max: 256
            })
        ));
    }

    #[test]
    fn options_parse_from_json() {
        let o: FeatureOptions = serde_json::from_value(json!({
            "field_types": {"src_ip": "ip", "body": "text", "link": "url", "host": "domain", "ts": "timestamp"},
            "scaling": "z_score"
        }))
        .unwrap();
        assert_eq!(o.field_types.get("ts"), Some(&FieldKind::Timestamp));
        assert_eq!(o.scaling, Some(ScalerKind::ZScore));
        assert_eq!(
            o.suspicious_keywords.len(),
            DEFAULT_SUSPICIOUS_KEYWORDS.len()
        );
        assert!(serde_json::from_value::<FeatureOptions>(json!({"keywords": []})).is_err());
        assert!(
            serde_json::from_value::<FeatureOptions>(json!({"field_types": {"a": "email"}}))
                .is_err()
        );
    }
}
