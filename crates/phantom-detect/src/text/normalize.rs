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

//!
//! The scan works on bytes: every delimiter is ASCII, so a token is cut at a byte whose class
//! (one table lookup) says so, and only a non-ASCII character is decoded, to ask whether it is
//! whitespace.

use super::tokens::classify;

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

/// What a byte is to the scan.
#[derive(Clone, Copy, PartialEq)]
enum ByteClass {
    /// Part of a token.
    Token,
    /// ASCII whitespace (as `char::is_whitespace` has it).
    Space,
    /// A delimiter that is kept: quotes, brackets, commas, semicolons, `<`, `>`, `|`.
    Delimiter,
    /// The first byte of a non-ASCII character: whitespace or part of a token.
    NonAscii,
}

/// The class of every byte.
const BYTE_CLASS: [ByteClass; 256] = {
    let mut table = [ByteClass::Token; 256];
    let mut b = 0x80;
    while b < 256 {
        table[b] = ByteClass::NonAscii;
        b += 1;
    }
    let spaces = b"\t\n\x0b\x0c\r ";
    let mut i = 0;
    while i < spaces.len() {
        table[spaces[i] as usize] = ByteClass::Space;
        i += 1;
    }
    let delimiters = b"\"'`,;()[]{}<>|";
    let mut i = 0;
    while i < delimiters.len() {
        table[delimiters[i] as usize] = ByteClass::Delimiter;
        i += 1;
    }
    table
};

/// The bytes every secret key has at its start, compared in either case.
const SECRET_KEY_PREFIX: usize = 3;

/// For each of the first [`SECRET_KEY_PREFIX`] positions of a key and each byte, the secret keys
/// that have that byte there in either case (bit `j` is `SECRET_KEYS[j]`): most positions of a
/// token are ruled out by three lookups alone.
const SECRET_KEYS_BY_PREFIX_BYTE: [[u16; 256]; SECRET_KEY_PREFIX] = {
    let mut table = [[0u16; 256]; SECRET_KEY_PREFIX];
    let mut j = 0;
    while j < SECRET_KEYS.len() {
        let key = SECRET_KEYS[j].as_bytes();
        assert!(
            key.len() >= SECRET_KEY_PREFIX,
            "a secret key is shorter than the prefix"
        );
        let mut at = 0;
        while at < SECRET_KEY_PREFIX {
            table[at][key[at] as usize] |= 1 << j;
            table[at][key[at].to_ascii_uppercase() as usize] |= 1 << j;
            at += 1;
        }
        j += 1;
    }
    table
};

/// Appends the normalised form of `event` to `out` (whatever `out` already holds, the result
/// is the same as [`normalize`] gives).
pub fn normalize_into(event: &str, out: &mut String) {
    let bytes = event.as_bytes();
    let start = out.len();
    let mut redact = Redact::No;
    let mut pending_space = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let class = BYTE_CLASS[usize::from(b)];
        let space_width = match class {
            ByteClass::Space => Some(1),
            ByteClass::NonAscii => whitespace_at(event, i),
            ByteClass::Token | ByteClass::Delimiter => None,
        };
        if let Some(width) = space_width {
            pending_space = out.len() > start;
            i += width;
        } else if class == ByteClass::Delimiter {
            flush_space(out, &mut pending_space);
            out.push(char::from(b));
            i += 1;
        } else {
            let end = token_end(event, i);
            flush_space(out, &mut pending_space);
            redact = emit_token(&event[i..end], out, redact);
            i = end;
        }
    }
}

/// The normalised form of `event`.
pub fn normalize(event: &str) -> String {
    let mut out = String::with_capacity(event.len());
    normalize_into(event, &mut out);
    out
}

/// The width in bytes of the character at `i` if it is whitespace.
fn whitespace_at(event: &str, i: usize) -> Option<usize> {
    event[i..]
        .chars()
        .next()
        .filter(|c| c.is_whitespace())
        .map(char::len_utf8)
}

/// Where the token that starts at `i` ends.
fn token_end(event: &str, mut i: usize) -> usize {
    let bytes = event.as_bytes();
    while let Some(&b) = bytes.get(i) {
        match BYTE_CLASS[usize::from(b)] {
            ByteClass::Token => i += 1,
            ByteClass::NonAscii => match event[i..].chars().next() {
                Some(c) if !c.is_whitespace() => i += c.len_utf8(),
                Some(_) | None => break,
            },
            ByteClass::Space | ByteClass::Delimiter => break,
        }
    }
    i
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
    if let Some(eq) = token.bytes().position(|b| b == b'=')
        && eq > 0
    {
        let (key, value) = (&token[..eq], &token[eq + 1..]);
        out.push_str(&token[..=eq]);
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
    let bare_len = token
        .bytes()
        .rposition(|b| b != b':')
        .map_or(0, |last| last + 1);
    if bare_len < token.len() && is_secret_key(&token[..bare_len]) {
        out.push_str(token);
        return Redact::Next;
    }
    if token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && is_secret_key(token)
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
    // Every secret key has at least `SECRET_KEY_PREFIX` bytes: only a position with that many
    // left can start one.
    key.windows(SECRET_KEY_PREFIX)
        .enumerate()
        .any(|(i, prefix)| {
            let mut candidates = prefix
                .iter()
                .zip(&SECRET_KEYS_BY_PREFIX_BYTE)
                .fold(u16::MAX, |c, (&b, table)| c & table[usize::from(b)]);
            while candidates != 0 {
                let k = SECRET_KEYS[candidates.trailing_zeros() as usize].as_bytes();
                if key
                    .get(i..i + k.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(k))
                {
                    return true;
                }
                candidates &= candidates - 1;
            }
            false
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens::luhn;
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
    fn appending_gives_the_same_form_whatever_the_buffer_holds() {
        let mut out = String::from("earlier\n");
        normalize_into("\u{a0} leading space, worker 12", &mut out);
        assert_eq!(out, "earlier\nleading space, worker <num>");
    }

    #[test]
    fn whitespace_collapses_and_delimiters_stay() {
        assert_eq!(normalize("  a\t\tb  (c, d) "), "a b (c, d)");
        assert_eq!(normalize(""), "");
    }

    proptest! {
        #[test]
        fn secret_keys_are_found_in_any_case_anywhere_in_a_key(
            prefix in "[a-zA-Z0-9_é-]{0,30}",
            key in 0..SECRET_KEYS.len(),
            upper in prop::collection::vec(any::<bool>(), 16),
            suffix in "[a-zA-Z0-9_é-]{0,30}",
            other in "[a-zA-Z0-9_é-]{0,70}",
        ) {
            let cased: String = SECRET_KEYS[key]
                .chars()
                .zip(&upper)
                .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            let named = format!("{prefix}{cased}{suffix}");
            for text in [named.as_str(), other.as_str()] {
                let lower = text.to_ascii_lowercase();
                let expected = (3..=64).contains(&text.len())
                    && SECRET_KEYS.iter().any(|k| lower.contains(k));
                prop_assert_eq!(is_secret_key(text), expected, "{}", text);
            }
        }

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
