//! The process's own resource use, read from /proc on Linux: resident memory, CPU time and
//! threads. Other systems report nothing rather than a guess.

use std::time::Instant;

use serde::Serialize;

/// Resource use of this process.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProcessUsage {
    /// Resident memory in bytes.
    pub rss_bytes: Option<u64>,
    /// CPU time used since the process started (user + system), in seconds.
    pub cpu_seconds: Option<f64>,
    /// CPU use since the previous reading, in percent of one core.
    pub cpu_percent: Option<f64>,
    /// Threads.
    pub threads: Option<u64>,
}

/// Reads process usage, remembering the previous CPU reading to compute a percentage.
pub struct ProcessProbe {
    last: std::sync::Mutex<Option<(Instant, f64)>>,
    clock_ticks: f64,
    page_size: u64,
}

impl Default for ProcessProbe {
    fn default() -> Self {
        Self::new()
    }
}

impl ProcessProbe {
    /// A probe with no previous reading.
    pub fn new() -> Self {
        // SAFETY: sysconf only reads a system constant.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        // SAFETY: as above.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        Self {
            last: std::sync::Mutex::new(None),
            clock_ticks: if ticks > 0 { ticks as f64 } else { 100.0 },
            page_size: if page > 0 { page as u64 } else { 4096 },
        }
    }

    /// Reads the current usage.
    pub fn read(&self) -> ProcessUsage {
        let stat = std::fs::read_to_string("/proc/self/stat").ok();
        let statm = std::fs::read_to_string("/proc/self/statm").ok();
        // Fields after the command name (which may contain spaces) start at ") ".
        let fields: Vec<&str> = stat
            .as_deref()
            .and_then(|s| s.rsplit_once(") "))
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        // utime and stime are fields 14 and 15 of stat, threads field 20 (1-based); the
        // slice starts at field 3.
        let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
        let cpu_seconds = match (tick(11), tick(12)) {
            (Some(u), Some(s)) => Some((u + s) / self.clock_ticks),
            (Some(_), None) | (None, _) => None,
        };
        let threads = fields.get(17).and_then(|v| v.parse().ok());
        let rss_bytes = statm
            .as_deref()
            .and_then(|s| s.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map(|pages| pages * self.page_size);
        let now = Instant::now();
        let cpu_percent = cpu_seconds.and_then(|cpu| {
            let mut last = self.last.lock().ok()?;
            let previous = last.replace((now, cpu));
            previous.and_then(|(at, before)| {
                let wall = now.duration_since(at).as_secs_f64();
                (wall > 0.0).then(|| (cpu - before) / wall * 100.0)
            })
        });
        ProcessUsage {
            rss_bytes,
            cpu_seconds,
            cpu_percent,
            threads,
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn reads_real_figures_on_linux() {
        let probe = ProcessProbe::new();
        let first = probe.read();
        assert!(first.rss_bytes.unwrap() > 1 << 20, "{first:?}");
        assert!(first.threads.unwrap() >= 1);
        assert!(first.cpu_percent.is_none());
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let second = probe.read();
        assert!(second.cpu_seconds.unwrap() >= first.cpu_seconds.unwrap());
        assert!(second.cpu_percent.unwrap() >= 0.0);
    }
}
