//! Token profiles: how often each token (a space-separated piece of a normalised event) occurs
//! in a set of events, and how far two profiles lie apart (Jensen–Shannon divergence). A burst
//! of one template, a silent service or a changed field format moves the token mix even when
//! the window compresses as well as ever.
//!
//! Every window is profiled, so tokens are hashed with a small multiply-rotate hash (as in
//! rustc's `FxHasher`) rather than the standard library's DoS-resistant one: the keys are the
//! stream's own tokens, counted and dropped within one window.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A fast, non-cryptographic hasher for short strings.
#[derive(Default)]
pub(super) struct TokenHasher(u64);

impl TokenHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let mut tail = [0; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(tail) ^ bytes.len() as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by tokens or templates, with [`TokenHasher`].
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<TokenHasher>>;

/// Token counts of some events, keyed by borrowed (`&str`) or owned (`Box<str>`) tokens.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TokenProfile<K: Hash + Eq> {
    counts: FastMap<K, u32>,
    total: u32,
}

impl<K: Hash + Eq> Default for TokenProfile<K> {
    fn default() -> Self {
        Self {
            counts: FastMap::default(),
            total: 0,
        }
    }
}

impl<'a> TokenProfile<&'a str> {
    /// The profile of `text`, events one per line.
    pub(crate) fn of_lines(text: &'a str) -> Self {
        let mut p = Self::default();
        p.add_tokens(text.split(['\n', ' ']));
        p
    }

    /// The profile of `events`.
    pub(crate) fn of_events(events: &[&'a str]) -> Self {
        let mut p = Self::default();
        for e in events {
            p.add_tokens(e.split(' '));
        }
        p
    }

    fn add_tokens(&mut self, tokens: impl Iterator<Item = &'a str>) {
        for t in tokens.filter(|t| !t.is_empty()) {
            *self.counts.entry(t).or_default() += 1;
            self.total += 1;
        }
    }

    /// The same profile, owning its tokens (to outlive the events it was made from).
    pub(crate) fn to_owned_tokens(&self) -> TokenProfile<Box<str>> {
        TokenProfile {
            counts: self
                .counts
                .iter()
                .map(|(t, &c)| (Box::from(*t), c))
                .collect(),
            total: self.total,
        }
    }
}

impl<K: Borrow<str> + Hash + Eq> TokenProfile<K> {
    /// Jensen–Shannon divergence (base 2, from 0 for equal mixes to 1 for disjoint ones)
    /// between this profile and `other`.
    pub(crate) fn divergence<L: Borrow<str> + Hash + Eq>(&self, other: &TokenProfile<L>) -> f64 {
        if self.total == 0 || other.total == 0 {
            return if self.total == other.total { 0.0 } else { 1.0 };
        }
        let (n, m) = (f64::from(self.total), f64::from(other.total));
        // Only `other`'s tokens are visited (the window's, far fewer than the baseline's): a
        // share with no counterpart adds half of itself, p·log2(2p / p) / 2, so the shares of
        // this profile that `other` lacks add half of what the shared ones leave.
        let mut js = 0.0;
        let mut shared = 0.0;
        for (t, &d) in &other.counts {
            let q = f64::from(d) / m;
            match self.counts.get(t.borrow()) {
                Some(&c) => {
                    let p = f64::from(c) / n;
                    shared += p;
                    let mid = (p + q) / 2.0;
                    js += (p * (p / mid).log2() + q * (q / mid).log2()) / 2.0;
                }
                None => js += q / 2.0,
            }
        }
        js += (1.0 - shared).max(0.0) / 2.0;
        js.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divergence_is_zero_for_equal_mixes_and_one_for_disjoint_ones() {
        let a = TokenProfile::of_lines("GET /a 200\nGET /b 200\n");
        let twice = TokenProfile::of_lines("GET /b 200\nGET /a 200\nGET /a 200\nGET /b 200\n");
        assert!(a.divergence(&twice).abs() < 1e-12);
        let other = TokenProfile::of_events(&["kernel panic", "oops"]);
        assert!((a.divergence(&other) - 1.0).abs() < 1e-12);
        assert_eq!(a.divergence(&TokenProfile::<&str>::default()), 1.0);
        assert!(a.to_owned_tokens().divergence(&twice).abs() < 1e-12);
    }

    #[test]
    fn divergence_is_symmetric_and_grows_with_the_shift() {
        let base = TokenProfile::of_events(&["a x", "b x", "c x", "d x"]);
        let little = TokenProfile::of_events(&["a x", "b x", "c x", "c x"]);
        let much = TokenProfile::of_events(&["c x", "c x", "c x", "c x"]);
        let (l, m) = (base.divergence(&little), base.divergence(&much));
        assert!(0.0 < l && l < m && m < 1.0, "{l} {m}");
        assert!((l - little.divergence(&base)).abs() < 1e-12);
    }
}
