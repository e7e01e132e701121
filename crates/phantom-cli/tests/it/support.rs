//! Running the binary and writing fixture files.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run of `phantom` produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and parses stdout as one JSON value.
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.code, 0, "phantom failed: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    /// Asserts failure with exit code 1 and returns stderr.
    pub fn error(&self) -> &str {
        assert_eq!(
            self.code, 1,
            "expected a failure, got {}: {}{}",
            self.code, self.stdout, self.stderr
        );
        assert!(
            self.stdout.is_empty(),
            "nothing on stdout on failure: {}",
            self.stdout
        );
        &self.stderr
    }
}

/// Runs `phantom` with `args` in `dir`.
pub fn phantom(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_phantom"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the phantom binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `phantom` with `args` in `dir`, writing `input` to its stdin.
pub fn phantom_with_stdin(dir: &Path, args: &[&str], input: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_phantom"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the phantom binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("phantom finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A bundled dataset's path.
pub fn dataset(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "..", "datasets", name]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}

/// A fresh temporary folder.
pub fn workdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Writes `content` to `dir/name` and returns the name.
pub fn write(dir: &Path, name: &str, content: &str) -> String {
    std::fs::write(dir.join(name), content).expect("write fixture");
    name.to_owned()
}
