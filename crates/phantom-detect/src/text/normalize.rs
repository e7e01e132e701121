//! Event normalisation before compression: volatile tokens become placeholders, so that a new
//! timestamp or request id on every line does not hide the structure that repeats, and secrets
//! and personal data are redacted, so they are never kept or hashed into evidence.
//!
//! One pass over the event, token by token (a token runs between whitespace, quotes, brackets,
//! commas and semicolons). In order, a token becomes:
//!
//! | placeholder | what |
//! |---|---|
//! | `<secret>` | the value after a key named like a secret (`password=`, `"token": `, `Authorization: Bearer `), a JWT, or a long random-looking string of mixed letters and digits |
//! | `<email>` | `name@domain.tld` |
//! | `<card>` | 13 to 19 digits (dashes allowed) that pass the Luhn check |
//! | `<uuid>` | 8-4-4-4-12 hexadecimal |
//! | `<ts>` | a date (`2026-11-22`, `2026-11-22T05:00:00Z`) or a time (`05:00:00.123`) |
//! | `<ip>` | an IPv4 address (with an optional port) or an IPv6 address |
//! | `<num>` | a number; inside other tokens, each run of digits (`worker-12` → `worker-<num>`) |
//! | `<hex>` | `0x…`, or 8 or more hexadecimal characters with a digit and a letter |
//!
//! `key=value` tokens keep the key and normalise the value. Whitespace runs become one space.
//! Card numbers written with spaces between the groups are not recognised as one token: each
//! group becomes `<num>`, which hides them all the same.

/// Key names whose value is redacted (compared lower-case, as substrings of the key).
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "authorization",
    "credential",
    "private_key",
    "session",
    "cookie",
];

/// Words between a secret key and its value (`Authorization: Bearer <secret>`).
const AUTH_SCHEMES: &[&str] = &["bearer", "basic", "token", "digest"];

/// The shortest run of letters and digits taken for a random secret.
const MIN_RANDOM_SECRET: usize = 24;

/// Whether the next token is a secret's value.
#[derive(Clone, Copy, PartialEq)]
enum Redact {
    /// No.
    No,
    /// Only if a `:` or `=` token comes first (a bare key word, as in JSON).
    AfterSeparator,
    /// Yes (an authentication scheme word in between is kept).
    Next,
}

/// Appends the normalised form of `event` to `out`.
pub fn normalize_into(event: &str, out: &mut String) {
    let mut redact = Redact::No;
    let mut pending_space = false;
    let mut start = None;
    for (i, c) in event.char_indices() {
        if is_delimiter(c) {
            if let Some(s) = start.take() {
                flush_space(out, &mut pending_space);
                redact = emit_token(&event[s..i], out, redact);
            }
            if c.is_whitespace() {
                pending_space = !out.is_empty();
            } else {
                flush_space(out, &mut pending_space);
                out.push(c);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        flush_space(out, &mut pending_space);
        emit_token(&event[s..], out, redact);
    }
}

/// The normalised form of `event`.
pub fn normalize(event: &str) -> String {
    let mut out = String::with_capacity(event.len());
    normalize_into(event, &mut out);
    out
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '`' | ',' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>' | '|'
        )
}

fn flush_space(out: &mut String, pending: &mut bool) {
    if *pending {
        out.push(' ');
        *pending = false;
    }
}

/// Writes one token and says whether the next one is a secret's value.
fn emit_token(token: &str, out: &mut String, redact: Redact) -> Redact {
    let separator = token == ":" || token == "=";
    match redact {
        Redact::Next if separator => {
            out.push_str(token);
            return Redact::Next;
        }
        Redact::Next => {
            let bare = token.trim_end_matches([':', '=']);
            if AUTH_SCHEMES.iter().any(|s| bare.eq_ignore_ascii_case(s)) {
                out.push_str(token);
                return Redact::Next;
            }
            out.push_str("<secret>");
            return Redact::No;
        }
        Redact::AfterSeparator if separator => {
            out.push_str(token);
            return Redact::Next;
        }
        Redact::AfterSeparator | Redact::No => {}
    }
    if let Some(eq) = token.find('=')
        && eq > 0
    {
        let (key, value) = (&token[..eq], &token[eq + 1..]);
        out.push_str(key);
        out.push('=');
        if is_secret_key(key) {
            if value.is_empty() {
                return Redact::Next;
            }
            out.push_str("<secret>");
        } else if !value.is_empty() {
            classify(value, out);
        }
        return Redact::No;
    }
    let bare = token.trim_end_matches(':');
    if bare.len() < token.len() && is_secret_key(bare) {
        out.push_str(token);
        return Redact::Next;
    }
    if is_secret_key(token)
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        out.push_str(token);
        return Redact::AfterSeparator;
    }
    classify(token, out);
    Redact::No
}

/// Whether `key` names a secret, compared without allocating: this runs for every token.
fn is_secret_key(key: &str) -> bool {
    let key = key.as_bytes();
    if !(3..=64).contains(&key.len()) {
        return false;
    }
    SECRET_KEYS.iter().any(|k| {
        let k = k.as_bytes();
        key.windows(k.len()).any(|w| w.eq_ignore_ascii_case(k))
    })
}

/// Writes the placeholder of a whole token, or the token with its digit runs replaced.
fn classify(token: &str, out: &mut String) {
    // Trailing sentence punctuation is kept outside the token ("at 10.0.0.1." ends a line).
    let core = token.trim_end_matches(['.', ':', '!', '?']);
    let tail = &token[core.len()..];
    let placeholder = if core.is_empty() {
        None
    } else if is_email(core) {
        Some("<email>")
    } else if is_jwt(core) || is_random_secret(core) {
        Some("<secret>")
    } else if is_card(core) {
        Some("<card>")
    } else if is_uuid(core) {
        Some("<uuid>")
    } else if is_date_or_time(core) {
        Some("<ts>")
    } else if is_ipv4(core) || is_ipv6(core) {
        Some("<ip>")
    } else if is_number(core) {
        Some("<num>")
    } else if is_hex_id(core) {
        Some("<hex>")
    } else {
        None
    };
    match placeholder {
        Some(p) => {
            out.push_str(p);
            out.push_str(tail);
        }
        None => replace_digit_runs(token, out),
    }
}

fn replace_digit_runs(token: &str, out: &mut String) {
    let mut in_digits = false;
    for c in token.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push_str("<num>");
                in_digits = true;
            }
        } else {
            in_digits = false;
            out.push(c);
        }
    }
}

fn is_email(t: &str) -> bool {
    let Some(at) = t.find('@') else {
        return false;
    };
    let (local, domain) = (&t[..at], &t[at + 1..]);
    !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-'))
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
}

fn is_jwt(t: &str) -> bool {
    t.starts_with("eyJ")
        && t.split('.').count() == 3
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'='))
}

/// A long string of letters and digits with upper case, lower case and digits mixed, as API
/// keys and tokens are.
fn is_random_secret(t: &str) -> bool {
    if t.len() < MIN_RANDOM_SECRET
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'='))
    {
        return false;
    }
    let upper = t.bytes().filter(u8::is_ascii_uppercase).count();
    let lower = t.bytes().filter(u8::is_ascii_lowercase).count();
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    upper >= 2 && lower >= 2 && digits >= 2
}

fn is_card(t: &str) -> bool {
    if !t.bytes().all(|b| b.is_ascii_digit() || b == b'-') || t.starts_with('-') {
        return false;
    }
    let digits: Vec<u32> = t
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
        .collect();
    (13..=19).contains(&digits.len()) && luhn(&digits)
}

/// The Luhn checksum of a card number.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn is_uuid(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_date_or_time(t: &str) -> bool {
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    // 2026-11-22, 2026/11/22, then anything (T05:00:00Z, .123+01:00).
    let date = b.len() >= 10
        && digits(0..4)
        && matches!(b[4], b'-' | b'/')
        && digits(5..7)
        && b[7] == b[4]
        && digits(8..10);
    // 05:00, 05:00:00, 05:00:00.123
    let time = b.len() >= 5
        && digits(0..2)
        && b[2] == b':'
        && digits(3..5)
        && b[5..]
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b',' | b'Z'));
    date || time
}

fn is_ipv4(t: &str) -> bool {
    let addr = match t.rsplit_once(':') {
        Some((a, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => a,
        _ => t,
    };
    let parts: Vec<&str> = addr.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_ipv6(t: &str) -> bool {
    t.bytes().filter(|&b| b == b':').count() >= 2
        && t.bytes().any(|b| b.is_ascii_hexdigit())
        && t.bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'%'))
}

fn is_hex_id(t: &str) -> bool {
    if let Some(rest) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit());
    }
    t.len() >= 8
        && t.bytes().all(|b| b.is_ascii_hexdigit())
        && t.bytes().any(|b| b.is_ascii_digit())
}

fn is_number(t: &str) -> bool {
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    !body.is_empty() && body.as_bytes()[0].is_ascii_digit() && body.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn volatile_tokens_become_placeholders() {
        assert_eq!(
            normalize(
                "2026-11-22T05:00:01.123Z INFO  request 3f2b9c1e-8a4d-4e2b-9c1e-8a4d4e2b9c1e from 10.1.2.3:443 took 12.5 ms"
            ),
            "<ts> INFO request <uuid> from <ip> took <num> ms"
        );
        assert_eq!(
            normalize("worker-12 handled job 0x1f3a at 05:00:00 for fe80::1ff:fe23:4567:890a"),
            "worker-<num> handled job <hex> at <ts> for <ip>"
        );
        assert_eq!(
            normalize("trace=8f3a9c2b4d5e6f70 span=abc"),
            "trace=<hex> span=abc"
        );
    }

    #[test]
    fn secrets_and_personal_data_are_redacted() {
        assert_eq!(
            normalize("login user=ann password=hunter2 from ann@example.com"),
            "login user=ann password=<secret> from <email>"
        );
        assert_eq!(
            normalize(r#"{"user": "ann", "api_key": "k-1", "card": "4111-1111-1111-1111"}"#),
            r#"{"user": "ann", "api_key": "<secret>", "card": "<card>"}"#
        );
        assert_eq!(
            normalize("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
            "Authorization: Bearer <secret>"
        );
        assert_eq!(
            normalize("key phk_Ab3dEf9hJk2mNp4qRs6tUv8wXy0z ok"),
            "key <secret> ok"
        );
        assert_eq!(
            normalize("paid with 4111111111111111."),
            "paid with <card>."
        );
        // Not a valid card number: only a number.
        assert_eq!(normalize("order 4111111111111112"), "order <num>");
    }

    #[test]
    fn a_secret_word_in_prose_hides_nothing_else() {
        assert_eq!(
            normalize("invalid password for user bob"),
            "invalid password for user bob"
        );
        assert_eq!(normalize("token = abc123"), "token = <secret>");
    }

    #[test]
    fn whitespace_collapses_and_delimiters_stay() {
        assert_eq!(normalize("  a\t\tb  (c, d) "), "a b (c, d)");
        assert_eq!(normalize(""), "");
    }

    proptest! {
        #[test]
        fn no_input_panics_and_the_output_is_stable(s in "\\PC{0,200}") {
            let once = normalize(&s);
            prop_assert!(once.len() <= s.len() * 8 + 8);
        }

        #[test]
        fn emails_and_valid_cards_never_survive(
            user in "[a-z]{1,10}", domain in "[a-z]{1,10}", prefix in "[a-z ]{0,20}",
            digits in prop::collection::vec(0u32..10, 15)
        ) {
            let mut card = digits.clone();
            // Append the Luhn check digit.
            let check = (0..10).find(|d| { let mut c = card.clone(); c.push(*d); luhn(&c) }).unwrap();
            card.push(check);
            let card: String = card.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            let line = format!("{prefix} {user}@{domain}.com paid {card}");
            let out = normalize(&line);
            let email = format!("{user}@{domain}.com");
            prop_assert!(!out.contains(&email), "{}", out);
            prop_assert!(!out.contains(&card), "{}", out);
        }
    }
}
