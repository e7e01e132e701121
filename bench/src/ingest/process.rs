//! CPU time and memory of a process, from Linux's `/proc`.

use anyhow::{Context, Result};

/// Clock ticks per second of `/proc/*/stat` times (`USER_HZ`, 100 on every Linux ABI).
const USER_HZ: f64 = 100.0;

/// A running process, measured from outside.
pub struct ServerProcess {
    pid: u32,
}

impl ServerProcess {
    /// The process `pid`.
    pub fn new(pid: u32) -> Self {
        Self { pid }
    }

    /// User plus system CPU time so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64> {
        cpu_seconds(&format!("/proc/{}/stat", self.pid))
    }

    /// The peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss_bytes(&self) -> Result<u64> {
        let path = format!("/proc/{}/status", self.pid);
        let status = std::fs::read_to_string(&path).with_context(|| {
            format!("reading {path}: is the server (pid {}) running?", self.pid)
        })?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .with_context(|| format!("no VmHWM line in {path}"))
    }
}

/// This process's user plus system CPU time so far, in seconds, all threads included.
pub fn cpu_seconds_of_this_process() -> Result<f64> {
    cpu_seconds("/proc/self/stat")
}

fn cpu_seconds(path: &str) -> Result<f64> {
    let stat = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    // The command name (field 2) may hold spaces; the fields after it are plain numbers.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .with_context(|| format!("{path} has no command name"))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks = |i: usize| -> Result<f64> {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .with_context(|| format!("field {} of {path} is not a number", i + 3))
    };
    Ok((ticks(11)? + ticks(12)?) / USER_HZ)
}
