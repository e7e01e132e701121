//! A `phantom` process started by a test: its stderr lines arrive on a channel and are kept;
//! SIGTERM must stop it cleanly; it is killed if still running when dropped, so a failed test
//! leaves no process behind.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running child process and the lines it has logged.
pub(crate) struct LoggedChild {
    pub(crate) child: Child,
    /// Lines not read yet.
    pub(crate) log: mpsc::Receiver<String>,
    /// Lines read so far.
    pub(crate) logged: Vec<String>,
}

impl LoggedChild {
    /// Starts `command` (`PHANTOM_LOG=info`, stdout discarded, stderr read line by line).
    pub(crate) fn spawn(command: &mut Command) -> LoggedChild {
        let mut child = command
            .env("PHANTOM_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the phantom binary starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        LoggedChild {
            child,
            log,
            logged: Vec::new(),
        }
    }

    /// Sends SIGTERM, waits for a clean exit, and returns everything logged.
    pub(crate) fn terminate(&mut self) -> Vec<String> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        let exit = loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                break exit;
            }
            assert!(Instant::now() < deadline, "no exit 30 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Ok(line) = self.log.recv_timeout(Duration::from_millis(500)) {
            self.logged.push(line);
        }
        assert!(exit.success(), "exit {exit:?}: {:#?}", self.logged);
        std::mem::take(&mut self.logged)
    }
}

impl Drop for LoggedChild {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}
