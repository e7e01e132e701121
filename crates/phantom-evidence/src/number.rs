//! Numbers as ECMAScript writes them (`Number.prototype.toString`), which RFC 8785 adopts.

/// Writes `x` as ECMAScript's `String(x)` does: the shortest digits that read back as `x`,
/// in plain notation for magnitudes in [1e-6, 1e21) and as `d.ddde±n` outside. Non-finite
/// values, which JSON cannot hold, are written `null` as `JSON.stringify` does.
pub(crate) fn write_es_number(x: f64, out: &mut Vec<u8>) {
    if !x.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    if x == 0.0 {
        // Both zeros, as ECMAScript writes -0 as "0".
        out.push(b'0');
        return;
    }
    if x < 0.0 {
        out.push(b'-');
    }
    // Rust's `{:e}` gives the shortest digits that read back as x, and of those the closest
    // to x, as ECMAScript requires; only exact ties are settled differently.
    let (digits, exponent) = scientific_digits(&format!("{:e}", x.abs()));
    let digits = even_on_tie(x.abs(), digits, exponent);
    place_digits(&digits, exponent + 1, out);
}

/// The digits and the exponent of "d.dddde±x".
fn scientific_digits(scientific: &str) -> (Vec<u8>, i32) {
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// When `x` (positive) lies exactly halfway between the two shortest candidates, ECMAScript
/// takes the one whose last digit is even, where Rust rounds up (1424953923781206.25 is
/// written ...206.2, not ...206.3). A tie needs as many digits as a double holds, so shorter
/// results are returned as they are.
fn even_on_tie(x: f64, digits: Vec<u8>, exponent: i32) -> Vec<u8> {
    let k = digits.len();
    if k < 16 || digits.last().is_some_and(|d| d % 2 == 0) {
        return digits;
    }
    // Every double is a decimal of at most 767 significant digits: this is x exactly.
    let (mut exact, exact_exponent) = scientific_digits(&format!("{x:.800e}"));
    while exact.last() == Some(&b'0') {
        exact.pop();
    }
    if exact_exponent != exponent || exact.len() != k + 1 || exact.last() != Some(&b'5') {
        return digits;
    }
    let lower = &exact[..k];
    let other = if digits == lower {
        match increment(lower) {
            Some(upper) => upper,
            None => return digits,
        }
    } else {
        lower.to_vec()
    };
    let (first, rest) = other.split_at(1);
    let text = format!(
        "{}.{}e{exponent}",
        String::from_utf8_lossy(first),
        String::from_utf8_lossy(rest)
    );
    if text.parse::<f64>() == Ok(x) {
        other
    } else {
        digits
    }
}

/// `digits` plus one in the last place, unless that adds a digit.
fn increment(digits: &[u8]) -> Option<Vec<u8>> {
    let mut next = digits.to_vec();
    for digit in next.iter_mut().rev() {
        if *digit == b'9' {
            *digit = b'0';
        } else {
            *digit += 1;
            return Some(next);
        }
    }
    None
}

/// Writes the decimal digits `digits` (no leading zero) whose value is 0.digits × 10^n,
/// following ECMAScript's Number::toString steps 5 to 9.
fn place_digits(digits: &[u8], n: i32, out: &mut Vec<u8>) {
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if k <= n && n <= 21 {
        out.extend_from_slice(digits);
        out.extend(std::iter::repeat_n(b'0', (n - k).unsigned_abs() as usize));
    } else if 0 < n && n <= 21 {
        let (whole, fraction) = digits.split_at(n.unsigned_abs() as usize);
        out.extend_from_slice(whole);
        out.push(b'.');
        out.extend_from_slice(fraction);
    } else if -6 < n && n <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', n.unsigned_abs() as usize));
        out.extend_from_slice(digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.extend_from_slice(first);
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest);
        }
        out.push(b'e');
        out.push(if n > 0 { b'+' } else { b'-' });
        out.extend_from_slice((n - 1).unsigned_abs().to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::write_es_number;

    fn es(x: f64) -> String {
        let mut out = Vec::new();
        write_es_number(x, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// RFC 8785 appendix B, by IEEE-754 bit pattern.
    #[test]
    fn rfc8785_appendix_b() {
        for (bits, text) in [
            (0x0000000000000000_u64, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ] {
            assert_eq!(es(f64::from_bits(bits)), text, "bits {bits:016x}");
        }
    }

    // The RFC's example writes 333333333.33333329, more digits than a double holds.
    #[allow(clippy::excessive_precision)]
    #[test]
    fn plain_and_exponent_boundaries() {
        for (x, text) in [
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-7, "1e-7"),
            (1e-6, "0.000001"),
            (123e-20, "1.23e-18"),
            (-0.0, "0"),
            (0.004, "0.004"),
            (7.1, "7.1"),
            (4.50, "4.5"),
            (2e-3, "0.002"),
            (1e30, "1e+30"),
            (333333333.33333329, "333333333.3333333"),
            (100.0, "100"),
            (-1.5e300, "-1.5e+300"),
        ] {
            assert_eq!(es(x), text, "{x:e}");
        }
    }

    #[test]
    fn non_finite_is_null() {
        assert_eq!(es(f64::NAN), "null");
        assert_eq!(es(f64::INFINITY), "null");
    }
}
