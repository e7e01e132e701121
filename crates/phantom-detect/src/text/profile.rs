//! Token profiles: how often each token (a piece of a normalised event between spaces and
//! newlines) occurs in a set of events, and how far two profiles lie apart (Jensen–Shannon
//! divergence). A burst of one template, a silent service or a changed field format moves the
//! token mix even when the window compresses as well as ever.
//!
//! Every window is profiled, so tokens are not split and hashed again for each one: events
//! hold the [`TokenKey`]s of their template (see [`super::templates`]), found once per
//! template, and a profile counts keys. The baseline's counts sit in an array indexed by token
//! id. The divergence is a floating-point sum over the window's distinct tokens, whose last bits
//! depend on the order of the terms; the window's counts are therefore kept in a map that
//! hashes a key by the hash of its token's text ([`TokenHasher`]), filled in the order the
//! tokens first occur, so it visits them in the same order as a map keyed by the text itself,
//! as the profiles were first computed.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

/// A fast, non-cryptographic hasher for short strings (a multiply-rotate hash, as in rustc's
/// `FxHasher`). The keys it hashes are the stream's own templates and tokens, held only as
/// long as the events that carry them.
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

/// A map keyed by templates or tokens, with [`TokenHasher`].
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<TokenHasher>>;

/// The hash a [`FastMap`] keyed by `token` gives it.
pub(super) fn token_hash(token: &str) -> u64 {
    BuildHasherDefault::<TokenHasher>::default().hash_one(token)
}

/// A token as profiles count it: its id among the tokens the detector holds, and the hash of
/// its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenKey {
    /// The token's id, an index into a profile's counts.
    pub(super) id: usize,
    /// [`token_hash`] of the token's text.
    pub(super) hash: u64,
}

impl Hash for TokenKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes a [`TokenKey`]'s precomputed hash through; other writes are mixed as
/// [`TokenHasher`] mixes them.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut mixed = TokenHasher(self.0);
        mixed.write(bytes);
        self.0 = mixed.0;
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Token counts of a baseline (or one side of a permuted split), indexed by token id.
#[derive(Debug, Default)]
pub(crate) struct BaselineProfile {
    counts: Vec<u32>,
    total: u32,
}

impl BaselineProfile {
    /// Counts the tokens of `events` (each event's keys), replacing what was counted before.
    pub(crate) fn count<'a>(&mut self, events: impl IntoIterator<Item = &'a [TokenKey]>) {
        self.counts.fill(0);
        self.total = 0;
        for tokens in events {
            for k in tokens {
                if k.id >= self.counts.len() {
                    self.counts.resize(k.id + 1, 0);
                }
                self.counts[k.id] += 1;
                self.total += 1;
            }
        }
    }

    /// Occurrences of the token with id `id`.
    fn get(&self, id: usize) -> u32 {
        self.counts.get(id).copied().unwrap_or(0)
    }
}

/// Token counts of a window (or one side of a permuted split), in the order a map keyed by
/// the tokens' text visits them.
#[derive(Debug, Default)]
pub(crate) struct WindowProfile {
    counts: HashMap<TokenKey, u32, BuildHasherDefault<KeyHasher>>,
    total: u32,
}

/// Makes [`WindowProfile`]s, reusing its buffers from one to the next.
#[derive(Debug, Default)]
pub(crate) struct Profiler {
    /// Counts by token id, all 0 between profiles.
    counts: Vec<u32>,
    /// Distinct tokens in the order they first occur.
    first_seen: Vec<TokenKey>,
}

impl Profiler {
    /// The profile of `events` (each event's keys, in order).
    pub(crate) fn window<'a>(
        &mut self,
        events: impl IntoIterator<Item = &'a [TokenKey]>,
    ) -> WindowProfile {
        let mut total = 0;
        for tokens in events {
            for &k in tokens {
                if k.id >= self.counts.len() {
                    self.counts.resize(k.id + 1, 0);
                }
                if self.counts[k.id] == 0 {
                    self.first_seen.push(k);
                }
                self.counts[k.id] += 1;
                total += 1;
            }
        }
        // A fresh map, filled through `entry` in first-occurrence order: its layout, and so its
        // iteration order, is the one a map counting every occurrence by text would have.
        let mut counts = HashMap::default();
        for k in self.first_seen.drain(..) {
            *counts.entry(k).or_default() += std::mem::take(&mut self.counts[k.id]);
        }
        WindowProfile { counts, total }
    }
}

/// Jensen–Shannon divergence (base 2, from 0 for equal mixes to 1 for disjoint ones) between
/// a baseline's token mix and a window's.
pub(crate) fn divergence(baseline: &BaselineProfile, window: &WindowProfile) -> f64 {
    if baseline.total == 0 || window.total == 0 {
        return if baseline.total == window.total {
            0.0
        } else {
            1.0
        };
    }
    let (n, m) = (f64::from(baseline.total), f64::from(window.total));
    // Only the window's tokens are visited (far fewer than the baseline's): a share with no
    // counterpart adds half of itself, p·log2(2p / p) / 2, so the shares of the baseline that
    // the window lacks add half of what the shared ones leave.
    let mut js = 0.0;
    let mut shared = 0.0;
    for (k, &d) in &window.counts {
        let q = f64::from(d) / m;
        match baseline.get(k.id) {
            0 => js += q / 2.0,
            c => {
                let p = f64::from(c) / n;
                shared += p;
                let mid = (p + q) / 2.0;
                js += (p * (p / mid).log2() + q * (q / mid).log2()) / 2.0;
            }
        }
    }
    js += (1.0 - shared).max(0.0) / 2.0;
    js.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::templates::Templates;

    /// Each event's keys, interned in `templates`.
    fn keys(templates: &mut Templates, events: &[&str]) -> Vec<Vec<TokenKey>> {
        events
            .iter()
            .map(|e| {
                let id = templates.hold(e);
                templates.tokens(id).to_vec()
            })
            .collect()
    }

    fn baseline(keys: &[Vec<TokenKey>]) -> BaselineProfile {
        let mut p = BaselineProfile::default();
        p.count(keys.iter().map(Vec::as_slice));
        p
    }

    fn window(keys: &[Vec<TokenKey>]) -> WindowProfile {
        Profiler::default().window(keys.iter().map(Vec::as_slice))
    }

    #[test]
    fn divergence_is_zero_for_equal_mixes_and_one_for_disjoint_ones() {
        let mut t = Templates::default();
        let a = keys(&mut t, &["GET /a 200", "GET /b 200"]);
        let twice = keys(
            &mut t,
            &["GET /b 200", "GET /a 200", "GET /a 200", "GET /b 200"],
        );
        let other = keys(&mut t, &["kernel panic", "oops"]);
        assert!(divergence(&baseline(&a), &window(&twice)).abs() < 1e-12);
        assert!((divergence(&baseline(&a), &window(&other)) - 1.0).abs() < 1e-12);
        assert_eq!(divergence(&baseline(&a), &window(&[])), 1.0);
        assert_eq!(divergence(&baseline(&[]), &window(&[])), 0.0);
    }

    #[test]
    fn divergence_is_symmetric_and_grows_with_the_shift() {
        let mut t = Templates::default();
        let base = keys(&mut t, &["a x", "b x", "c x", "d x"]);
        let little = keys(&mut t, &["a x", "b x", "c x", "c x"]);
        let much = keys(&mut t, &["c x", "c x", "c x", "c x"]);
        let l = divergence(&baseline(&base), &window(&little));
        let m = divergence(&baseline(&base), &window(&much));
        assert!(0.0 < l && l < m && m < 1.0, "{l} {m}");
        assert!((l - divergence(&baseline(&little), &window(&base))).abs() < 1e-12);
    }

    #[test]
    fn a_recounted_baseline_forgets_what_it_counted_before() {
        let mut t = Templates::default();
        let first = keys(&mut t, &["a b c d e"]);
        let second = keys(&mut t, &["a"]);
        let mut p = baseline(&first);
        p.count(second.iter().map(Vec::as_slice));
        let counts: Vec<u32> = first[0].iter().map(|k| p.get(k.id)).collect();
        assert_eq!((p.total, counts), (1, vec![1, 0, 0, 0, 0]));
    }

    /// The divergence's last bits depend on the order the window's tokens are visited in: it
    /// must be the order of a map counting every occurrence keyed by the token's text, with
    /// windows profiled one after another by the same profiler.
    #[test]
    fn window_tokens_are_visited_as_a_map_keyed_by_text_visits_them() {
        let mut t = Templates::default();
        let mut profiler = Profiler::default();
        for size in [1, 3, 7, 8, 29, 300] {
            let events: Vec<String> = (0..size * 2)
                .map(|i| format!("t{} shared u{} t{}", i * 7 % size, i % 5, i % size))
                .collect();
            let texts: Vec<&str> = events.iter().map(String::as_str).collect();
            let mut by_text: FastMap<&str, u32> = FastMap::default();
            for token in texts.iter().flat_map(|e| e.split(' ')) {
                *by_text.entry(token).or_default() += 1;
            }
            let expected: Vec<(&str, u32)> = by_text.into_iter().collect();

            let event_keys = keys(&mut t, &texts);
            let mut text_of = std::collections::HashMap::new();
            for (keys, text) in event_keys.iter().zip(&texts) {
                for (k, token) in keys.iter().zip(text.split(' ')) {
                    text_of.insert(k.id, token);
                }
            }
            let profile = profiler.window(event_keys.iter().map(Vec::as_slice));
            let got: Vec<(&str, u32)> = profile
                .counts
                .iter()
                .map(|(k, &c)| (text_of[&k.id], c))
                .collect();
            assert_eq!(got, expected, "{size} distinct tokens");
        }
    }
}
