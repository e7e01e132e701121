//! A hand-written parser for absolute URLs, and their features.
//!
//! Written by hand rather than with the `url` crate, whose IDNA dependency is heavy: features
//! need only the scheme, host, port, path and query, and internationalized hosts are expected
//! in their punycode (`xn--`) form.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::host::{Host, HostError, HostName};
use super::sink::FeatureSink;

/// Why a string is not an absolute URL.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// Whitespace or a control character.
    #[error("it contains whitespace or a control character")]
    BadCharacter,
    /// No `scheme://` at the start.
    #[error("it does not start with `scheme://` (a letter, then letters, digits, `+`, `-` or `.`)")]
    NoScheme,
    /// An IPv6 host without its closing bracket, or not an IPv6 address.
    #[error("the bracketed host is not an IPv6 address in `[...]`")]
    BadIpv6,
    /// The port is not a number from 0 to 65535.
    #[error("port {0:?} is not a number from 0 to 65535")]
    BadPort(String),
    /// The host is not a host name or IP address.
    #[error("{0}")]
    Host(#[from] HostError),
}

/// The parts of an absolute URL that features use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url<'a> {
    /// The scheme as written (compare case-insensitively).
    pub(crate) scheme: &'a str,
    /// The host as written, without brackets.
    pub(crate) host_text: &'a str,
    /// The parsed host.
    pub(crate) host: Host<'a>,
    /// The explicit port, if any (`host:` with an empty port has none).
    pub(crate) port: Option<u16>,
    /// The path, from its leading `/` (may be empty).
    pub(crate) path: &'a str,
    /// The query, without `?` (and without the fragment).
    pub(crate) query: Option<&'a str>,
}

impl<'a> Url<'a> {
    /// Parses `scheme://[userinfo@]host[:port][/path][?query][#fragment]`, where host is a
    /// host name, an IPv4 address or `[IPv6]`. The host must not be empty (so `file:///x`
    /// is not accepted).
    pub(crate) fn parse(s: &'a str) -> Result<Url<'a>, UrlError> {
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(UrlError::BadCharacter);
        }
        let (scheme, rest) = s.split_once("://").ok_or(UrlError::NoScheme)?;
        if !is_scheme(scheme) {
            return Err(UrlError::NoScheme);
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(authority_end);
        let host_port = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host_port)| host_port);
        let (host_text, host, port_text) = split_host_port(host_port)?;
        let port = match port_text {
            None | Some("") => None,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => Some(
                p.parse::<u16>()
                    .map_err(|_| UrlError::BadPort(p.to_owned()))?,
            ),
            Some(p) => return Err(UrlError::BadPort(p.to_owned())),
        };
        let before_fragment = after.split_once('#').map_or(after, |(before, _)| before);
        let (path, query) = match before_fragment.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (before_fragment, None),
        };
        Ok(Url {
            scheme,
            host_text,
            host,
            port,
            path,
            query,
        })
    }

    /// Non-empty path segments (`/a//b/` has 2).
    fn path_depth(&self) -> usize {
        self.path.split('/').filter(|s| !s.is_empty()).count()
    }

    /// Non-empty `&`-separated parts of the query.
    fn query_param_count(&self) -> usize {
        self.query
            .map_or(0, |q| q.split('&').filter(|p| !p.is_empty()).count())
    }
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Splits `host[:port]` or `[v6][:port]`, parsing the host.
fn split_host_port(s: &str) -> Result<(&str, Host<'_>, Option<&str>), UrlError> {
    if let Some(bracketed) = s.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or(UrlError::BadIpv6)?;
        let ip: Ipv6Addr = inside.parse().map_err(|_| UrlError::BadIpv6)?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(UrlError::BadIpv6)?),
        };
        return Ok((inside, Host::Ip(IpAddr::V6(ip)), port));
    }
    let (host_text, port) = match s.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (s, None),
    };
    let host = match host_text.parse::<Ipv4Addr>() {
        Ok(ip) => Host::Ip(IpAddr::V4(ip)),
        Err(_) => Host::Name(HostName::parse(host_text)?),
    };
    Ok((host_text, host, port))
}

/// Whether `s` is detected as a URL: it parses.
pub(crate) fn is_url(s: &str) -> bool {
    Url::parse(s).is_ok()
}

/// Pushes `length` (characters of the whole URL), `path_depth`, the host features
/// (`subdomain_count`, `host_entropy`, `host_is_ip`, `is_punycode`), `query_param_count`,
/// `is_https` and `has_port` (an explicit port).
pub(crate) fn url_features(
    value: &str,
    field: &str,
    sink: &mut FeatureSink,
) -> Result<(), UrlError> {
    let url = Url::parse(value)?;
    sink.push(field, "length", value.chars().count() as f64);
    sink.push(field, "path_depth", url.path_depth() as f64);
    url.host.push_features(url.host_text, field, sink);
    sink.push(field, "query_param_count", url.query_param_count() as f64);
    sink.push_flag(field, "is_https", url.scheme.eq_ignore_ascii_case("https"));
    sink.push_flag(field, "has_port", url.port.is_some());
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parts_of_a_full_url() {
        let u =
            Url::parse("HTTPS://user:pw@a.b.example.com:8443/x//y/z.php?q=1&&r=2#frag?&").unwrap();
        assert_eq!(u.scheme, "HTTPS");
        assert_eq!(u.host_text, "a.b.example.com");
        assert_eq!(u.port, Some(8443));
        assert_eq!(u.path, "/x//y/z.php");
        assert_eq!(u.query, Some("q=1&&r=2"));
        assert_eq!((u.path_depth(), u.query_param_count()), (3, 2));
    }

    #[test]
    fn ip_hosts_and_empty_parts() {
        let u = Url::parse("http://[2001:db8::1]:80").unwrap();
        assert_eq!(u.host, Host::Ip("2001:db8::1".parse().unwrap()));
        assert_eq!((u.port, u.path, u.query), (Some(80), "", None));
        let u = Url::parse("ftp://10.0.0.1:/?").unwrap();
        assert_eq!(u.host, Host::Ip("10.0.0.1".parse().unwrap()));
        assert_eq!((u.port, u.path, u.query), (None, "/", Some("")));
        assert_eq!(u.query_param_count(), 0);
    }

    #[test]
    fn malformed_urls() {
        assert_eq!(Url::parse("example.com/x"), Err(UrlError::NoScheme));
        assert_eq!(Url::parse("1http://a.com"), Err(UrlError::NoScheme));
        assert_eq!(Url::parse("://a.com"), Err(UrlError::NoScheme));
        assert_eq!(Url::parse("http://a b.com"), Err(UrlError::BadCharacter));
        assert_eq!(Url::parse("http://[::1"), Err(UrlError::BadIpv6));
        assert_eq!(Url::parse("http://[::1]x"), Err(UrlError::BadIpv6));
        assert_eq!(Url::parse("http://[zz]/"), Err(UrlError::BadIpv6));
        assert_eq!(
            Url::parse("http://a.com:99999/"),
            Err(UrlError::BadPort("99999".into()))
        );
        assert_eq!(
            Url::parse("http://a.com:8a/"),
            Err(UrlError::BadPort("8a".into()))
        );
        assert_eq!(
            Url::parse("file:///etc/passwd"),
            Err(UrlError::Host(HostError::Empty))
        );
        assert!(matches!(
            Url::parse("http://exa_mple!.com/"),
            Err(UrlError::Host(HostError::BadLabel(_)))
        ));
    }

    #[test]
    fn features_by_hand() {
        let mut sink = FeatureSink::default();
        url_features(
            "https://login.secure.xn--pypal-4ve.com:8080/a/b?x=1&y=2",
            "link",
            &mut sink,
        )
        .unwrap();
        let host_entropy =
            crate::features::entropy::shannon_entropy("login.secure.xn--pypal-4ve.com");
        assert_eq!(
            sink.into_pairs(),
            vec![
                ("link.length".into(), 55.0),
                ("link.path_depth".into(), 2.0),
                ("link.subdomain_count".into(), 2.0),
                ("link.host_entropy".into(), host_entropy),
                ("link.host_is_ip".into(), 0.0),
                ("link.is_punycode".into(), 1.0),
                ("link.query_param_count".into(), 2.0),
                ("link.is_https".into(), 1.0),
                ("link.has_port".into(), 1.0),
            ]
        );
    }

    fn arb_url() -> impl Strategy<Value = (String, String, Option<u16>, String, Option<String>)> {
        (
            "[a-z][a-z0-9+.-]{0,6}",
            prop::collection::vec("[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", 1..4),
            prop::option::of(any::<u16>()),
            prop::collection::vec("[a-zA-Z0-9._~%-]{0,6}", 0..4),
            prop::option::of("[a-z0-9=&]{0,12}"),
        )
            .prop_map(|(scheme, labels, port, segments, query)| {
                let path: String = segments.iter().map(|s| format!("/{s}")).collect();
                (scheme, labels.join("."), port, path, query)
            })
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,80}") {
            let _ = Url::parse(&s);
        }

        #[test]
        fn parsing_never_panics_near_valid_urls(s in "[a-z]{1,5}://[a-z0-9.:@\\[\\]/?#&=%-]{0,40}") {
            let _ = Url::parse(&s);
        }

        #[test]
        fn built_urls_parse_back_into_their_parts((scheme, host, port, path, query) in arb_url()) {
            let mut s = format!("{scheme}://{host}");
            if let Some(port) = port {
                s.push_str(&format!(":{port}"));
            }
            s.push_str(&path);
            if let Some(query) = &query {
                s.push_str(&format!("?{query}"));
            }
            let u = Url::parse(&s).unwrap();
            prop_assert_eq!(u.scheme, scheme.as_str());
            prop_assert_eq!(u.host_text, host.as_str());
            prop_assert_eq!(u.port, port);
            prop_assert_eq!(u.path, path.as_str());
            prop_assert_eq!(u.query, query.as_deref());
        }
    }
}
