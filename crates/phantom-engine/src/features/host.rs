//! Host names and the features of a host (of a URL or a domain field).

use std::net::IpAddr;

use super::entropy::shannon_entropy;
use super::sink::FeatureSink;

/// Longest host name DNS allows, without the trailing dot.
const MAX_NAME_LEN: usize = 253;
/// Longest DNS label.
const MAX_LABEL_LEN: usize = 63;

/// Why a string is not a host name.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub(crate) enum HostError {
    /// Nothing to parse.
    #[error("the host is empty")]
    Empty,
    /// Over 253 characters.
    #[error("the host name is {0} characters long; at most 253 are allowed")]
    TooLong(usize),
    /// A label is empty, too long, has a character other than letters, digits, `-` and `_`,
    /// or starts or ends with `-`.
    #[error(
        "label {0:?} is not a DNS label (1 to 63 ASCII letters, digits, `-` or `_`, not starting \
         or ending with `-`; internationalized names must be given in their xn-- form)"
    )]
    BadLabel(String),
}

/// A syntactically valid host name, split into labels (a trailing dot is dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostName<'a> {
    labels: Vec<&'a str>,
}

impl<'a> HostName<'a> {
    /// Parses `s` as a host name: labels of 1 to 63 ASCII letters, digits, `-` or `_`, not
    /// starting or ending with `-`, separated by dots, 253 characters at most.
    pub(crate) fn parse(s: &'a str) -> Result<HostName<'a>, HostError> {
        let name = s.strip_suffix('.').unwrap_or(s);
        if name.is_empty() {
            return Err(HostError::Empty);
        }
        if name.len() > MAX_NAME_LEN {
            return Err(HostError::TooLong(name.len()));
        }
        let labels: Vec<&str> = name.split('.').collect();
        if let Some(bad) = labels.iter().find(|label| !is_label(label)) {
            return Err(HostError::BadLabel((*bad).to_owned()));
        }
        Ok(HostName { labels })
    }

    /// Whether the name looks like a registrable domain: two labels or more, the last (the
    /// top-level domain) alphabetic or in punycode form (`xn--`).
    pub(crate) fn is_domain_like(&self) -> bool {
        match self.labels.as_slice() {
            [.., _, tld] => tld.chars().all(|c| c.is_ascii_alphabetic()) || is_punycode(tld),
            [] | [_] => false,
        }
    }

    /// Labels beyond a registrable domain, taken as the last two labels (`a.b.example.com`
    /// has 2). This overcounts by one under multi-label public suffixes such as `co.uk`,
    /// which would need the public suffix list.
    fn subdomain_count(&self) -> usize {
        self.labels.len().saturating_sub(2)
    }
}

fn is_label(label: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&label.len())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

fn is_punycode(label: &str) -> bool {
    label
        .get(..4)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--"))
}

/// The host of a URL or a domain field: a name or an IP literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Host<'a> {
    /// A host name.
    Name(HostName<'a>),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
}

impl<'a> Host<'a> {
    /// Parses a domain field's value: an IP address (IPv6 with or without brackets) or a host
    /// name.
    pub(crate) fn parse(s: &'a str) -> Result<Host<'a>, HostError> {
        let unbracketed = s
            .strip_prefix('[')
            .and_then(|inner| inner.strip_suffix(']'))
            .unwrap_or(s);
        match unbracketed.parse::<IpAddr>() {
            Ok(ip) => Ok(Host::Ip(ip)),
            Err(_) => HostName::parse(s).map(Host::Name),
        }
    }

    /// Pushes `subdomain_count`, `host_entropy` (of the host in lower case), `host_is_ip` and
    /// `is_punycode` (any `xn--` label). `text` is the host as written.
    pub(crate) fn push_features(&self, text: &str, field: &str, sink: &mut FeatureSink) {
        let (subdomains, is_ip, punycode) = match self {
            Host::Name(name) => (
                name.subdomain_count(),
                false,
                name.labels.iter().any(|label| is_punycode(label)),
            ),
            Host::Ip(_) => (0, true, false),
        };
        sink.push(field, "subdomain_count", subdomains as f64);
        sink.push(
            field,
            "host_entropy",
            shannon_entropy(&text.to_ascii_lowercase()),
        );
        sink.push_flag(field, "host_is_ip", is_ip);
        sink.push_flag(field, "is_punycode", punycode);
    }
}

/// Features of a domain field: `length` (characters) and the host features.
pub(crate) fn domain_features(
    value: &str,
    field: &str,
    sink: &mut FeatureSink,
) -> Result<(), HostError> {
    let host = Host::parse(value)?;
    sink.push(field, "length", value.chars().count() as f64);
    host.push_features(value, field, sink);
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn host_names_by_the_rules() {
        let h = HostName::parse("mail.Example.com.").unwrap();
        assert_eq!(h.labels, vec!["mail", "Example", "com"]);
        assert!(h.is_domain_like());
        assert_eq!(h.subdomain_count(), 1);
        assert!(HostName::parse("localhost").is_ok_and(|h| !h.is_domain_like()));
        assert!(HostName::parse("xn--80ak6aa92e.xn--p1ai").is_ok_and(|h| h.is_domain_like()));
        assert!(!HostName::parse("version.2").unwrap().is_domain_like());
        assert_eq!(HostName::parse(""), Err(HostError::Empty));
        assert_eq!(HostName::parse("."), Err(HostError::Empty));
        assert_eq!(
            HostName::parse("a..b"),
            Err(HostError::BadLabel(String::new()))
        );
        assert_eq!(
            HostName::parse("-a.com"),
            Err(HostError::BadLabel("-a".into()))
        );
        assert!(matches!(
            HostName::parse("bücher.de"),
            Err(HostError::BadLabel(_))
        ));
        assert!(matches!(
            HostName::parse(&"a".repeat(64)),
            Err(HostError::BadLabel(_))
        ));
        let long = vec!["a".repeat(63); 4].join(".");
        assert_eq!(HostName::parse(&long), Err(HostError::TooLong(255)));
    }

    #[test]
    fn domain_features_by_hand() {
        let mut sink = FeatureSink::default();
        domain_features("a.b.xn--bcher-kva.de", "host", &mut sink).unwrap();
        let got = sink.into_pairs();
        let expected_entropy = shannon_entropy("a.b.xn--bcher-kva.de");
        assert_eq!(
            got,
            vec![
                ("host.length".into(), 20.0),
                ("host.subdomain_count".into(), 2.0),
                ("host.host_entropy".into(), expected_entropy),
                ("host.host_is_ip".into(), 0.0),
                ("host.is_punycode".into(), 1.0),
            ]
        );
        let mut sink = FeatureSink::default();
        domain_features("[::1]", "host", &mut sink).unwrap();
        let got = sink.into_pairs();
        assert_eq!(got[3], ("host.host_is_ip".into(), 1.0));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,80}") {
            let _ = Host::parse(&s);
        }

        #[test]
        fn joined_valid_labels_parse_back(
            labels in prop::collection::vec("[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", 1..6),
        ) {
            let name = labels.join(".");
            let parsed = HostName::parse(&name).unwrap();
            prop_assert_eq!(parsed.labels.join("."), name);
        }
    }
}
