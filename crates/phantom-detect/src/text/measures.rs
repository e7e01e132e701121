//! The measures of one window against its baseline.

use serde::{Deserialize, Serialize};

use super::compress::{CompressError, Compressor};
use super::profile::{BaselineProfile, TokenKey, WindowProfile, divergence};

/// What a window's compression says about it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// Normalised bytes of the baseline.
    pub baseline_bytes: usize,
    /// Normalised bytes of the window.
    pub window_bytes: usize,
    /// `C(B)`, compressed bytes of the baseline.
    pub baseline_compressed: usize,
    /// `C(W)`.
    pub window_compressed: usize,
    /// `C(W | B)`: the window's cost given the baseline (`C(BW) − C(B)`), bytes.
    pub window_given_baseline: usize,
    /// `C(B) / |B|`.
    pub baseline_ratio: f64,
    /// `C(W) / |W|`.
    pub window_ratio: f64,
    /// `window_ratio − baseline_ratio`: positive when the window compresses worse.
    pub ratio_change: f64,
    /// Shannon entropy of the baseline's bytes, bits per byte.
    pub baseline_entropy: f64,
    /// Shannon entropy of the window's bytes, bits per byte.
    pub window_entropy: f64,
    /// `window_entropy − baseline_entropy`.
    pub entropy_change: f64,
    /// Normalised compression distance, `(C(BW) − min(C(B), C(W))) / max(C(B), C(W))`.
    pub ncd: f64,
    /// `C(W | B) / |W|`: compressed bytes per window byte that the baseline cannot explain.
    #[serde(default)]
    pub novelty: f64,
    /// Jensen–Shannon divergence (base 2, 0 to 1) between the token frequencies of the
    /// baseline and of the window.
    #[serde(default)]
    pub token_divergence: f64,
}

/// The baseline's side of the measures, computed once per baseline.
#[derive(Debug)]
pub(crate) struct BaselineMeasures {
    pub(crate) bytes: usize,
    pub(crate) compressed: usize,
    pub(crate) entropy: f64,
    pub(crate) tokens: BaselineProfile,
}

impl BaselineMeasures {
    /// Prepares `baseline` (events one per line, whose tokens are `tokens`) in `compressor`
    /// and measures it.
    pub(crate) fn prepare<'a>(
        compressor: &mut Compressor,
        baseline: &str,
        tokens: impl IntoIterator<Item = &'a [TokenKey]>,
    ) -> Result<Self, CompressError> {
        let bytes = baseline.as_bytes();
        let mut profile = BaselineProfile::default();
        profile.count(tokens);
        Ok(Self {
            bytes: bytes.len(),
            compressed: compressor.set_baseline(bytes)?,
            entropy: entropy(bytes),
            tokens: profile,
        })
    }
}

/// Measures `window_text` (events one per line, whose token profile is `window_tokens`)
/// against the baseline prepared in `compressor`.
pub(crate) fn measure(
    compressor: &mut Compressor,
    baseline: &BaselineMeasures,
    window_text: &str,
    window_tokens: &WindowProfile,
) -> Result<Measures, CompressError> {
    let window = window_text.as_bytes();
    let cw = compressor.size(window)?;
    let cwb = compressor.size_given_baseline(window)?;
    let cb = baseline.compressed;
    let baseline_ratio = ratio(cb, baseline.bytes);
    let window_ratio = ratio(cw, window.len());
    let window_entropy = entropy(window);
    Ok(Measures {
        baseline_bytes: baseline.bytes,
        window_bytes: window.len(),
        baseline_compressed: cb,
        window_compressed: cw,
        window_given_baseline: cwb,
        baseline_ratio,
        window_ratio,
        ratio_change: window_ratio - baseline_ratio,
        baseline_entropy: baseline.entropy,
        window_entropy,
        entropy_change: window_entropy - baseline.entropy,
        ncd: ncd(cb, cw, cwb),
        novelty: ratio(cwb, window.len()),
        token_divergence: divergence(&baseline.tokens, window_tokens),
    })
}

/// `compressed / bytes`, 0 for no bytes.
pub(crate) fn ratio(compressed: usize, bytes: usize) -> f64 {
    if bytes == 0 {
        0.0
    } else {
        compressed as f64 / bytes as f64
    }
}

/// NCD from `C(B)`, `C(W)` and `C(W | B)` (standing for `C(BW) − C(B)`).
pub(crate) fn ncd(cb: usize, cw: usize, cwb: usize) -> f64 {
    let (lo, hi) = (cb.min(cw) as f64, cb.max(cw) as f64);
    if hi == 0.0 {
        return 0.0;
    }
    ((cb + cwb) as f64 - lo) / hi
}

/// Shannon entropy of the byte distribution of `data`, in bits per byte.
pub fn entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u64; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entropy_of_known_distributions() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abab") - 1.0).abs() < 1e-12);
        let all: Vec<u8> = (0..=255).collect();
        assert!((entropy(&all) - 8.0).abs() < 1e-12);
    }

    #[test]
    fn ncd_follows_its_formula() {
        // C(B)=100, C(W)=50, C(BW)-C(B)=10: (110 - 50) / 100.
        assert!((ncd(100, 50, 10) - 0.6).abs() < 1e-12);
        assert_eq!(ncd(0, 0, 0), 0.0);
    }

    proptest! {
        #[test]
        fn entropy_is_between_0_and_8(data in prop::collection::vec(any::<u8>(), 0..512)) {
            let h = entropy(&data);
            prop_assert!((0.0..=8.0 + 1e-9).contains(&h));
        }
    }
}
