//! Random secrets from the operating system, and comparing secrets in constant time.

use rand::TryRng;
use rand::rngs::SysRng;

use crate::EngineError;

/// Characters of generated key parts: letters and digits, so a key survives copying,
/// URLs and shell quoting, and `_` stays free to separate its parts.
const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `n` bytes from the operating system's generator.
pub(super) fn random_bytes(n: usize) -> Result<Vec<u8>, EngineError> {
    let mut bytes = vec![0u8; n];
    SysRng.try_fill_bytes(&mut bytes).map_err(|e| {
        EngineError::Internal(format!(
            "the operating system's random generator failed: {e}"
        ))
    })?;
    Ok(bytes)
}

/// `len` characters drawn uniformly from [`ALPHABET`] (about 5.95 bits each).
pub(super) fn random_alphanumeric(len: usize) -> Result<String, EngineError> {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes(len * 2)? {
            // 248 = 4 × 62: bytes above it are skipped, so every character is equally likely.
            if b < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    Ok(out)
}

/// Whether `a` and `b` are equal, taking the same time wherever they differ (the lengths
/// are not secret).
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_strings_have_the_length_and_alphabet_asked_for() {
        let a = random_alphanumeric(40).unwrap();
        let b = random_alphanumeric(40).unwrap();
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
        assert_eq!(random_bytes(32).unwrap().len(), 32);
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
