//! Shannon entropy of a string.

use std::collections::BTreeMap;

/// Shannon entropy of the characters of `s`, in bits per character: 0 for an empty or
/// one-symbol string, log2(k) for k symbols equally frequent. Random tokens (keys, encoded
/// payloads, generated domains) score high; words score lower.
///
/// The terms are summed in character order, so the same string always gives the same bits
/// (a hash map's order would vary the last digits from run to run).
pub(crate) fn shannon_entropy(s: &str) -> f64 {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    let mut total = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    counts
        .values()
        .map(|&count| {
            let p = count as f64 / n;
            -p * p.log2()
        })
        .sum::<f64>()
        .max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_entropies() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert_eq!(shannon_entropy("abab"), 1.0);
        assert_eq!(shannon_entropy("abcd"), 2.0);
        // "aab": -(2/3 log2 2/3 + 1/3 log2 1/3) = 0.9182958340544896
        assert!((shannon_entropy("aab") - 0.918_295_834_054_489_6).abs() < 1e-15);
    }
}
