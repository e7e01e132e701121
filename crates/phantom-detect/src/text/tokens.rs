//! What one token is: the placeholder that replaces it (see the table in [`super::normalize`]),
//! or the token itself with its digit runs replaced.
//!
//! Every check runs on every token, so each starts with the cheapest test that can rule it out
//! (the length, the first byte, one scan that stops at the first byte it cannot hold) and none
//! allocates.

/// The shortest run of letters and digits taken for a random secret.
const MIN_RANDOM_SECRET: usize = 24;

/// Writes the placeholder of a whole token, or the token with its digit runs replaced.
pub(super) fn classify(token: &str, out: &mut String) {
    // Trailing sentence punctuation is kept outside the token ("at 10.0.0.1." ends a line).
    // Everything after the last other byte is ASCII, so the cut is a character boundary.
    let core_len = token
        .bytes()
        .rposition(|b| !matches!(b, b'.' | b':' | b'!' | b'?'))
        .map_or(0, |last| last + 1);
    let (core, tail) = token.split_at(core_len);
    let shape = shape(core);
    match placeholder(core, shape) {
        Some(p) => {
            out.push_str(p);
            out.push_str(tail);
        }
        // The tail holds no digits.
        None if shape & DIGIT == 0 => out.push_str(token),
        None => replace_digit_runs(token, out),
    }
}

/// The placeholder of a whole token, in the order of the table. Each check runs only if the
/// token's [`shape`] allows it.
fn placeholder(core: &str, shape: u8) -> Option<&'static str> {
    let has = |bits: u8| shape & bits != 0;
    let only = |allowed: u8| shape & !allowed == 0;
    if shape == DIGIT {
        // Digits alone are a card number or a number: every other class needs another byte.
        return Some(if is_card(core) { "<card>" } else { "<num>" });
    }
    if !has(DIGIT | AT | COLON | DOT) {
        // Without digits, `@`, `:` or `.`, only a UUID of letters a-f is possible.
        return is_uuid(core).then_some("<uuid>");
    }
    if has(AT) && is_email(core) {
        Some("<email>")
    } else if is_jwt(core) || is_random_secret(core) {
        Some("<secret>")
    } else if only(DIGIT | DASH) && is_card(core) {
        Some("<card>")
    } else if is_uuid(core) {
        Some("<uuid>")
    } else if is_date_or_time(core) {
        Some("<ts>")
    } else if (has(DOT) && only(DIGIT | DOT | COLON) && is_ipv4(core))
        || (has(COLON) && only(DIGIT | HEX_LETTER | COLON | DOT | PERCENT) && is_ipv6(core))
    {
        Some("<ip>")
    } else if is_number(core) {
        Some("<num>")
    } else if is_hex_id(core) {
        Some("<hex>")
    } else {
        None
    }
}

/// [`shape`] bit: an ASCII digit.
const DIGIT: u8 = 1;
/// [`shape`] bit: a letter from a to f, either case.
const HEX_LETTER: u8 = 1 << 1;
/// [`shape`] bit: `@`.
const AT: u8 = 1 << 2;
/// [`shape`] bit: `:`.
const COLON: u8 = 1 << 3;
/// [`shape`] bit: `.`.
const DOT: u8 = 1 << 4;
/// [`shape`] bit: `-`.
const DASH: u8 = 1 << 5;
/// [`shape`] bit: `%`.
const PERCENT: u8 = 1 << 6;
/// [`shape`] bit: any other byte.
const OTHER: u8 = 1 << 7;

/// The [`shape`] bit of every byte.
const SHAPE_BITS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_digit() {
            table[b] = DIGIT;
        } else if c.is_ascii_hexdigit() {
            table[b] = HEX_LETTER;
        }
        b += 1;
    }
    table[b'@' as usize] = AT;
    table[b':' as usize] = COLON;
    table[b'.' as usize] = DOT;
    table[b'-' as usize] = DASH;
    table[b'%' as usize] = PERCENT;
    table
};

/// Which kinds of byte a token holds, as bits: one pass that lets most tokens skip most
/// checks (an empty token has none).
fn shape(t: &str) -> u8 {
    t.bytes()
        .fold(0, |shape, b| shape | SHAPE_BITS[usize::from(b)])
}

/// Writes `token` with each run of ASCII digits replaced by `<num>`.
fn replace_digit_runs(token: &str, out: &mut String) {
    let mut rest = token;
    while let Some(first) = rest.bytes().position(|b| b.is_ascii_digit()) {
        out.push_str(&rest[..first]);
        out.push_str("<num>");
        let after = rest[first..]
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .map_or(rest.len(), |n| first + n);
        rest = &rest[after..];
    }
    out.push_str(rest);
}

fn is_email(t: &str) -> bool {
    let Some(at) = t.bytes().position(|b| b == b'@') else {
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

/// The most digits a card number has.
const MAX_CARD_DIGITS: usize = 19;

fn is_card(t: &str) -> bool {
    if t.starts_with('-') || !t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return false;
    }
    let mut digits = [0u32; MAX_CARD_DIGITS];
    let mut n = 0;
    for b in t.bytes().filter(u8::is_ascii_digit) {
        let Some(slot) = digits.get_mut(n) else {
            return false;
        };
        *slot = u32::from(b - b'0');
        n += 1;
    }
    n >= 13 && luhn(&digits[..n])
}

/// The Luhn checksum of a card number.
pub(super) fn luhn(digits: &[u32]) -> bool {
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
    // The first of the four parts is digits.
    if !t.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let addr = match t.rsplit_once(':') {
        Some((a, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => a,
        Some(_) | None => t,
    };
    let mut parts = 0;
    for p in addr.split('.') {
        parts += 1;
        if parts > 4 || p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    parts == 4
}

fn is_ipv6(t: &str) -> bool {
    t.bytes()
        .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'%'))
        && t.bytes().filter(|&b| b == b':').count() >= 2
        && t.bytes().any(|b| b.is_ascii_hexdigit())
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
    // Digits alone always parse; anything else (a fraction, an exponent) asks the parser.
    body.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && (body.bytes().all(|b| b.is_ascii_digit()) || body.parse::<f64>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classified(token: &str) -> String {
        let mut out = String::new();
        classify(token, &mut out);
        out
    }

    #[test]
    fn the_short_cuts_give_what_the_full_checks_give() {
        // Digits alone: a card when the checksum holds, a number otherwise.
        assert_eq!(classified("4111111111111111"), "<card>");
        assert_eq!(classified("4111111111111112"), "<num>");
        assert_eq!(classified("12345."), "<num>.");
        // No digit, `@`, `:` or `.`: a UUID of letters a-f, or the word itself.
        assert_eq!(classified("deadbeef-dead-beef-dead-beefdeadbeef"), "<uuid>");
        assert_eq!(classified("worker-pool"), "worker-pool");
        assert_eq!(classified("?!"), "?!");
        // Without the short cuts.
        assert_eq!(classified("fe80::1"), "<ip>");
        assert_eq!(classified("10.0.0.1:8080"), "<ip>");
        assert_eq!(classified("10.0.0.1.5"), "<num>.<num>.<num>.<num>.<num>");
        assert_eq!(classified("1e5"), "<num>");
        assert_eq!(classified("v1.2.3"), "v<num>.<num>.<num>");
    }
}
