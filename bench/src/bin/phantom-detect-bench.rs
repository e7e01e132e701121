//! Speed of the compression-based log detector on one core, beside raw zstd compression of the
//! same bytes: generated web-server log lines (a mix of templates with volatile fields) are
//! compressed as they are, in blocks of one window's lines, and then streamed through
//! `LogDetector` (normalisation, two compressions per window, the permutation test when a
//! window stands out). Prints a markdown table with lines/s, MB/s and the ratio, and how many
//! windows stood out enough to be tested.

use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use phantom_detect::text::{CbadSettings, LogDetector, Preset, ZSTD_LEVEL};

/// Detector speed benchmark.
#[derive(Parser)]
struct Args {
    /// Log lines generated and streamed.
    #[arg(long, default_value_t = 200_000)]
    lines: usize,
    /// Runs of each measurement, raw zstd and detector in turn; the medians are kept.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
}

/// One line of generated traffic: five templates with timestamps, ids, addresses and numbers.
fn line(i: usize) -> String {
    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let pick = |shift: u32, n: u64| ((h >> shift) % n) as usize;
    let ts = format!(
        "2026-11-22T{:02}:{:02}:{:02}.{:03}Z",
        i / 3_600_000 % 24,
        i / 60_000 % 60,
        i / 1000 % 60,
        i % 1000
    );
    let ip = format!("10.{}.{}.{}", pick(8, 4), pick(16, 256), pick(24, 256));
    match pick(32, 10) {
        0..=5 => format!(
            "{ts} INFO http request method=GET path=/api/{}/{} status=200 bytes={} took_ms={} client={ip} request_id={:016x}",
            ["orders", "users", "cart", "search"][pick(40, 4)],
            pick(44, 100_000),
            pick(12, 50_000),
            pick(20, 300),
            h
        ),
        6 | 7 => format!(
            "{ts} INFO db query table={} rows={} took_ms={} pool=primary conn={}",
            ["orders", "users", "sessions"][pick(40, 3)],
            pick(12, 500),
            pick(20, 50),
            pick(28, 32)
        ),
        8 => format!(
            "{ts} WARN cache miss key=user:{}:profile ttl_s=300 node=cache-{}",
            pick(12, 1_000_000),
            pick(20, 3)
        ),
        _ => format!(
            "{ts} INFO auth login user={} result=success mfa=true client={ip} session={:032x}",
            pick(12, 5_000),
            u128::from(h) * 7
        ),
    }
}

/// What the detector said over one pass.
#[derive(Default)]
struct DetectCounts {
    /// Windows scored.
    windows: usize,
    /// Windows that stood out enough for the permutation test.
    tested: usize,
    /// Anomalies.
    anomalies: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<()> {
    let args = Args::parse();
    let lines: Vec<String> = (0..args.lines).map(line).collect();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let settings = CbadSettings::preset(Preset::Balanced);
    let block = settings.window_events;

    // Each repeat times raw zstd and then the detector, so that both see the same load on a
    // shared machine; the medians are compared.
    let mut cctx = zstd_safe::CCtx::create();
    let mut out = Vec::new();
    let mut joined = Vec::new();
    let (mut raw_seconds, mut detect_seconds) = (Vec::new(), Vec::new());
    let mut compressed = 0usize;
    let mut counts = DetectCounts::default();
    for _ in 0..args.repeats {
        let started = Instant::now();
        compressed = 0;
        for chunk in lines.chunks(block) {
            joined.clear();
            for l in chunk {
                joined.extend_from_slice(l.as_bytes());
                joined.push(b'\n');
            }
            out.clear();
            out.reserve(zstd_safe::compress_bound(joined.len()));
            compressed += cctx
                .compress(&mut out, &joined, ZSTD_LEVEL)
                .map_err(|c| anyhow::anyhow!("zstd: {}", zstd_safe::get_error_name(c)))?;
        }
        raw_seconds.push(started.elapsed().as_secs_f64());

        let mut detector = LogDetector::new(settings.clone())?;
        let started = Instant::now();
        counts = DetectCounts::default();
        for l in &lines {
            if let Some(v) = detector.push(l)? {
                counts.windows += 1;
                counts.tested += usize::from(v.decision.p_value.is_some());
                counts.anomalies += usize::from(v.is_anomaly);
            }
        }
        detect_seconds.push(started.elapsed().as_secs_f64());
    }
    let DetectCounts {
        windows,
        tested,
        anomalies,
    } = counts;

    let raw = median(raw_seconds);
    let detect = median(detect_seconds);
    let mb = bytes as f64 / 1e6;
    println!(
        "{} generated log lines, {:.1} MB ({:.0} bytes per line), balanced preset (window {}, baseline {}), zstd level {ZSTD_LEVEL}, one thread, median of {} runs",
        args.lines,
        mb,
        bytes as f64 / args.lines as f64,
        settings.window_events,
        settings.baseline_events,
        args.repeats
    );
    println!();
    println!("| path | lines/s | MB/s | vs raw zstd |");
    println!("|---|---|---|---|");
    println!(
        "| raw zstd, blocks of {block} lines (ratio {:.3}) | {:.0} | {:.1} | 1.00 |",
        compressed as f64 / bytes as f64,
        args.lines as f64 / raw,
        mb / raw
    );
    println!(
        "| detector: normalise, score {windows} windows ({tested} tested by permutation, {anomalies} anomalies) | {:.0} | {:.1} | {:.2} |",
        args.lines as f64 / detect,
        mb / detect,
        raw / detect
    );
    Ok(())
}
