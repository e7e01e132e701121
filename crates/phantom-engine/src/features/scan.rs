//! Counting indicators inside free text: URLs, IP addresses, e-mail addresses, hex and base64
//! blobs. Heuristic scanners over token boundaries, no regular expressions.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::host::HostName;

/// Shortest run of hex digits counted as a hex blob (a 64-bit value in hex).
const MIN_HEX_BLOB: usize = 16;
/// Shortest base64 run (with padding) counted as a base64 blob (15 encoded bytes).
const MIN_BASE64_BLOB: usize = 20;

/// Occurrences of `scheme://` followed by something other than whitespace or `/`, where the
/// scheme (the run of letters, digits, `+`, `-` and `.` just before `://`) has a letter.
pub(crate) fn count_urls(text: &str) -> usize {
    text.match_indices("://")
        .filter(|&(at, _)| {
            let before = text.get(..at).unwrap_or("");
            let run_start = before
                .char_indices()
                .rev()
                .take_while(|&(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                .last()
                .map_or(at, |(i, _)| i);
            let scheme = before.get(run_start..).unwrap_or("");
            let has_scheme = scheme.chars().any(|c| c.is_ascii_alphabetic());
            let after = text.get(at + 3..).unwrap_or("");
            let has_host = after
                .chars()
                .next()
                .is_some_and(|c| !c.is_whitespace() && c != '/');
            has_scheme && has_host
        })
        .count()
}

/// IPv4 and IPv6 addresses among the runs of letters, digits, `.` and `:` (trailing dots,
/// as at the end of a sentence, are ignored). An IPv4 address followed by `:port` counts;
/// an IPv6 candidate needs at least one hex digit (so `::` alone does not count).
pub(crate) fn count_ips(text: &str) -> (usize, usize) {
    let mut v4 = 0;
    let mut v6 = 0;
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == ':')) {
        let token = token.trim_end_matches('.');
        if token.parse::<Ipv4Addr>().is_ok() {
            v4 += 1;
        } else if token.contains(':')
            && token.chars().any(|c| c.is_ascii_hexdigit())
            && token.parse::<Ipv6Addr>().is_ok()
        {
            v6 += 1;
        } else if let Some((host, port)) = token.split_once(':')
            && port.bytes().all(|b| b.is_ascii_digit())
            && host.parse::<Ipv4Addr>().is_ok()
        {
            v4 += 1;
        }
    }
    (v4, v6)
}

/// E-mail addresses among the runs of letters, digits and `._%+-@` (trailing dots ignored):
/// exactly one `@`, a local part of those characters not starting or ending with `.`, and a
/// domain that is a host name with an alphabetic top-level domain.
pub(crate) fn count_emails(text: &str) -> usize {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "._%+-@".contains(c)))
        .map(|token| token.trim_end_matches('.'))
        .filter(|token| {
            let Some((local, domain)) = token.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !domain.contains('@')
                && HostName::parse(domain).is_ok_and(|name| name.is_domain_like())
        })
        .count()
}

/// Runs of letters and digits that are all hex digits (after an optional `0x`), at least 16
/// of them.
pub(crate) fn count_hex_blobs(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .map(|token| {
            token
                .strip_prefix("0x")
                .or_else(|| token.strip_prefix("0X"))
                .unwrap_or(token)
        })
        .filter(|token| token.len() >= MIN_HEX_BLOB && token.chars().all(|c| c.is_ascii_hexdigit()))
        .count()
}

/// Runs of the base64 alphabet (`A-Z a-z 0-9 + /`) with up to two `=` of padding, at least 20
/// characters with the padding and a multiple of 4 long. To keep words, paths and hex out, the
/// run must mix upper case, lower case and a digit, `+` or `/`, and must not be all hex digits.
/// URL-safe base64 (`-`, `_`) is not counted.
pub(crate) fn count_base64_blobs(text: &str) -> usize {
    let is_alphabet = |c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/';
    let mut count = 0;
    let mut rest = text;
    while let Some(start) = rest.find(is_alphabet) {
        let candidate = rest.get(start..).unwrap_or("");
        let body_len = candidate
            .find(|c: char| !is_alphabet(c))
            .unwrap_or(candidate.len());
        let after_body = candidate.get(body_len..).unwrap_or("");
        let padding = after_body.len() - after_body.trim_start_matches('=').len();
        let body = candidate.get(..body_len).unwrap_or("");
        let total = body_len + padding;
        if padding <= 2
            && total >= MIN_BASE64_BLOB
            && total % 4 == 0
            && body.chars().any(|c| c.is_ascii_uppercase())
            && body.chars().any(|c| c.is_ascii_lowercase())
            && body
                .chars()
                .any(|c| c.is_ascii_digit() || c == '+' || c == '/')
            && !body.chars().all(|c| c.is_ascii_hexdigit())
        {
            count += 1;
        }
        rest = candidate.get(total.max(1)..).unwrap_or("");
    }
    count
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            count_urls(
                "see https://a.com/x and <a href=\"hxxp://b.org\">, ftp:// alone, ://x, 1://y"
            ),
            2
        );
        assert_eq!(count_urls("file:///etc/passwd"), 0);
        assert_eq!(count_urls("no links"), 0);
    }

    #[test]
    fn ips() {
        assert_eq!(
            count_ips(
                "from 10.0.0.1:8080 to [2001:db8::1]:443, then 192.168.1.1. Also fe80::1%eth0"
            ),
            (2, 2)
        );
        // Not addresses: version strings, times, MACs, Rust paths, `::`, leading zeros.
        assert_eq!(
            count_ips("v1.2.3.4.5 at 12:30:45 mac 00:1a:2b:3c:4d:5e std::net x :: y 01.2.3.4"),
            (0, 0)
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            count_emails(
                "mail alice.b+tag@example.co.uk, bob@mail.example.com. not: a@b, @x.com, c@@d.com, .e@f.com"
            ),
            2
        );
    }

    #[test]
    fn hex_blobs() {
        assert_eq!(
            count_hex_blobs(
                "key 0xDEADBEEFcafebabe1234 sha d41d8cd98f00b204e9800998ecf8427e short abcdef12 word deadbeefdeadbeefz"
            ),
            2
        );
    }

    #[test]
    fn base64_blobs() {
        // "aGVsbG8gd29ybGQgdGhpcyBpcyBh" is base64 of "hello world this is a" (28 chars).
        assert_eq!(
            count_base64_blobs("payload aGVsbG8gd29ybGQgdGhpcyBpcyBh end"),
            1
        );
        // Padded: base64 of "any carnal pleasure." is "YW55IGNhcm5hbCBwbGVhc3VyZS4=" (28).
        assert_eq!(count_base64_blobs("x=YW55IGNhcm5hbCBwbGVhc3VyZS4= y"), 1);
        // Wrong length, too short, all lower case, all hex, too much padding.
        assert_eq!(
            count_base64_blobs(
                "aGVsbG8gd29ybGQgdGhpcyBpcyB aGVsbG8= abcdefghijklmnopqrstuvwx d41d8cd98f00b204e9800998ecf8427e aGVsbG8gd29ybGQgdGhpcy==="
            ),
            0
        );
    }

    proptest! {
        #[test]
        fn scanners_never_panic(s in "\\PC{0,120}") {
            let _ = (count_urls(&s), count_ips(&s), count_emails(&s), count_hex_blobs(&s), count_base64_blobs(&s));
        }

        #[test]
        fn a_formatted_ipv4_address_in_a_sentence_is_counted(a in any::<[u8; 4]>()) {
            let text = format!("connection from {}.{}.{}.{}. closed", a[0], a[1], a[2], a[3]);
            prop_assert_eq!(count_ips(&text), (1, 0));
        }
    }
}
