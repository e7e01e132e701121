//! Raw zstd compression of the log text, single-threaded, at the level the detector uses:
//! the scale the full path is compared with.

use std::time::Instant;

use anyhow::{Result, anyhow};
use phantom_detect::text::ZSTD_LEVEL;

/// Lines per second that zstd compresses when each body's lines, joined by newlines, are one
/// block: the median of `repeats` passes over all bodies. Also the compressed size as a
/// fraction of the text.
pub fn raw_zstd(bodies: &[Vec<String>], repeats: usize) -> Result<(f64, f64)> {
    let mut cctx = zstd_safe::CCtx::create();
    let mut joined = Vec::new();
    let mut out = Vec::new();
    let lines: usize = bodies.iter().map(Vec::len).sum();
    let (mut text, mut compressed) = (0usize, 0usize);
    let mut rates = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        (text, compressed) = (0, 0);
        let started = Instant::now();
        for body in bodies {
            joined.clear();
            for line in body {
                joined.extend_from_slice(line.as_bytes());
                joined.push(b'\n');
            }
            out.clear();
            out.reserve(zstd_safe::compress_bound(joined.len()));
            compressed += cctx
                .compress(&mut out, &joined, ZSTD_LEVEL)
                .map_err(|c| anyhow!("zstd: {}", zstd_safe::get_error_name(c)))?;
            text += joined.len();
        }
        rates.push(lines as f64 / started.elapsed().as_secs_f64());
    }
    Ok((super::median(rates), compressed as f64 / text.max(1) as f64))
}
