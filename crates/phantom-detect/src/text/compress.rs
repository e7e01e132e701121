//! Compressed sizes, the measure behind compression-based detection: `C(x)` for a window, and
//! `C(W | B)`, the size of a window compressed with the baseline as a prefix, which stands for
//! `C(BW) − C(B)` without compressing the baseline again for every window.
//!
//! zstd (the default) and lz4 prepare the baseline once, as a dictionary of raw content, and
//! reuse it for every window until the baseline changes. gzip has no such reuse here: its
//! `C(W | B)` is `C(BW) − C(B)`, computed by compressing the baseline and window together.
//! A compressor is meant to be kept: its zstd contexts are made once, so later compressions
//! reuse their tables instead of allocating them again.

use std::io::Write;

use serde::{Deserialize, Serialize};

/// The zstd level used for scoring (zstd's default).
pub const ZSTD_LEVEL: i32 = 3;

/// A compressor.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompressorKind {
    /// zstd at level 3.
    #[default]
    Zstd,
    /// LZ4 block format.
    Lz4,
    /// gzip (DEFLATE) at level 6.
    Gzip,
}

impl CompressorKind {
    /// The name used in settings and evidence.
    pub fn name(self) -> &'static str {
        match self {
            CompressorKind::Zstd => "zstd",
            CompressorKind::Lz4 => "lz4",
            CompressorKind::Gzip => "gzip",
        }
    }
}

/// Why a compression failed (zstd reports errors for invalid parameters only).
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[error("{compressor} failed: {reason}")]
pub struct CompressError {
    /// The compressor.
    pub compressor: &'static str,
    /// Its message.
    pub reason: String,
}

fn zstd_error(code: usize) -> CompressError {
    CompressError {
        compressor: "zstd",
        reason: zstd_safe::get_error_name(code).to_owned(),
    }
}

/// A compressor with its reusable state and a prepared baseline.
pub struct Compressor {
    engine: Engine,
    scratch: Vec<u8>,
}

/// Each compressor's reusable state and baseline.
enum Engine {
    /// Plain compressions and compressions after the baseline each have their own context,
    /// made once: their tables differ in size, and one context switching between them would
    /// resize its workspace back and forth.
    Zstd {
        plain: zstd_safe::CCtx<'static>,
        given: zstd_safe::CCtx<'static>,
        /// The baseline as a dictionary of raw content, once there is one.
        dict: Option<zstd_safe::CDict<'static>>,
    },
    Lz4 {
        baseline: Vec<u8>,
    },
    Gzip {
        baseline: Vec<u8>,
        baseline_size: usize,
    },
}

impl std::fmt::Debug for Compressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compressor")
            .field("kind", &self.kind())
            .finish()
    }
}

impl Compressor {
    /// A compressor of `kind` with an empty baseline.
    pub fn new(kind: CompressorKind) -> Self {
        let engine = match kind {
            CompressorKind::Zstd => Engine::Zstd {
                plain: zstd_safe::CCtx::create(),
                given: zstd_safe::CCtx::create(),
                dict: None,
            },
            CompressorKind::Lz4 => Engine::Lz4 {
                baseline: Vec::new(),
            },
            CompressorKind::Gzip => Engine::Gzip {
                baseline: Vec::new(),
                baseline_size: 0,
            },
        };
        Self {
            engine,
            scratch: Vec::new(),
        }
    }

    /// The compressor's kind.
    pub fn kind(&self) -> CompressorKind {
        match self.engine {
            Engine::Zstd { .. } => CompressorKind::Zstd,
            Engine::Lz4 { .. } => CompressorKind::Lz4,
            Engine::Gzip { .. } => CompressorKind::Gzip,
        }
    }

    /// `C(data)`, in bytes.
    pub fn size(&mut self, data: &[u8]) -> Result<usize, CompressError> {
        match &mut self.engine {
            Engine::Zstd { plain, .. } => {
                self.scratch.clear();
                self.scratch.reserve(zstd_safe::compress_bound(data.len()));
                plain
                    .compress(&mut self.scratch, data, ZSTD_LEVEL)
                    .map_err(zstd_error)
            }
            Engine::Lz4 { .. } => {
                self.scratch
                    .resize(lz4_flex::block::get_maximum_output_size(data.len()), 0);
                lz4_flex::block::compress_into(data, &mut self.scratch).map_err(lz4_error)
            }
            Engine::Gzip { .. } => gzip_size(data),
        }
    }

    /// Makes `baseline` the prefix of later [`Compressor::size_given_baseline`] calls and
    /// returns `C(baseline)`.
    pub fn set_baseline(&mut self, baseline: &[u8]) -> Result<usize, CompressError> {
        let size = self.size(baseline)?;
        match &mut self.engine {
            Engine::Zstd { dict, .. } => {
                *dict = Some(zstd_safe::CDict::create(baseline, ZSTD_LEVEL));
            }
            Engine::Lz4 { baseline: kept } => {
                kept.clear();
                kept.extend_from_slice(baseline);
            }
            Engine::Gzip {
                baseline: kept,
                baseline_size,
            } => {
                kept.clear();
                kept.extend_from_slice(baseline);
                *baseline_size = size;
            }
        }
        Ok(size)
    }

    /// `C(W | B)`: the bytes `window` adds when compressed after the baseline.
    pub fn size_given_baseline(&mut self, window: &[u8]) -> Result<usize, CompressError> {
        match &mut self.engine {
            Engine::Zstd {
                given,
                dict: Some(dict),
                ..
            } => {
                self.scratch.clear();
                self.scratch
                    .reserve(zstd_safe::compress_bound(window.len()));
                given
                    .compress_using_cdict(&mut self.scratch, window, dict)
                    .map_err(zstd_error)
            }
            Engine::Zstd { dict: None, .. } => self.size(window),
            Engine::Lz4 { baseline } => {
                self.scratch
                    .resize(lz4_flex::block::get_maximum_output_size(window.len()), 0);
                lz4_flex::block::compress_into_with_dict(window, &mut self.scratch, baseline)
                    .map_err(lz4_error)
            }
            Engine::Gzip {
                baseline,
                baseline_size,
            } => {
                let mut joined = Vec::with_capacity(baseline.len() + window.len());
                joined.extend_from_slice(baseline);
                joined.extend_from_slice(window);
                Ok(gzip_size(&joined)?.saturating_sub(*baseline_size))
            }
        }
    }
}

fn lz4_error(e: lz4_flex::block::CompressError) -> CompressError {
    CompressError {
        compressor: "lz4",
        reason: e.to_string(),
    }
}

fn gzip_size(data: &[u8]) -> Result<usize, CompressError> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let failed = |e: std::io::Error| CompressError {
        compressor: "gzip",
        reason: e.to_string(),
    };
    encoder.write_all(data).map_err(failed)?;
    Ok(encoder.finish().map_err(failed)?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize, word: &str) -> Vec<u8> {
        (0..n)
            .map(|i| format!("GET /api/{word} status=200 user={}\n", i % 7))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn a_window_like_the_baseline_costs_little_given_it() {
        for kind in [
            CompressorKind::Zstd,
            CompressorKind::Lz4,
            CompressorKind::Gzip,
        ] {
            let mut c = Compressor::new(kind);
            let baseline = text(200, "orders");
            let same = text(50, "orders");
            let different: Vec<u8> = (0..50u32)
                .map(|i| {
                    format!(
                        "ERROR disk {} failed: sector {}\n",
                        i * 7919 % 97,
                        i * 104_729
                    )
                })
                .collect::<String>()
                .into_bytes();
            let cb = c.set_baseline(&baseline).unwrap();
            assert!(cb > 0 && cb < baseline.len(), "{kind:?}: {cb}");
            let given_same = c.size_given_baseline(&same).unwrap();
            let given_different = c.size_given_baseline(&different).unwrap();
            assert!(
                given_same * 2 < given_different,
                "{kind:?}: same {given_same}, different {given_different}"
            );
            assert!(c.size(&same).unwrap() > 0);
        }
    }

    #[test]
    fn zstd_given_an_empty_baseline_is_plain_compression() {
        let mut c = Compressor::new(CompressorKind::Zstd);
        let data = text(30, "x");
        assert_eq!(
            c.size_given_baseline(&data).unwrap(),
            c.size(&data).unwrap()
        );
    }
}
