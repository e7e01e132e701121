//! Reading a new user's password: from stdin with `--password-stdin`, else from the
//! terminal with echo off, typed twice. Never from a flag, where it would show in the
//! process list and the shell history.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result, bail};

/// The password for `username`.
pub fn read(username: &str, from_stdin: bool) -> Result<String> {
    if from_stdin {
        let line =
            first_line(std::io::stdin().lock()).context("cannot read the password from stdin")?;
        if line.is_empty() {
            bail!("stdin held no password; give it on the first line");
        }
        return Ok(line);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "give the password on stdin with --password-stdin, e.g. printf '%s\\n' \"$PASSWORD\" | phantom admin users create {username} --role ROLE --password-stdin"
        );
    }
    let first = prompt(&format!("Password for {username}: "))?;
    let second = prompt("Again: ")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}

/// The first line of `input`, without its line ending.
fn first_line(mut input: impl BufRead) -> std::io::Result<String> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    let trimmed = line.strip_suffix('\n').unwrap_or(&line);
    Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned())
}

/// Asks on stderr and reads a line from the terminal without echoing it.
fn prompt(question: &str) -> Result<String> {
    let mut err = std::io::stderr().lock();
    err.write_all(question.as_bytes())?;
    err.flush()?;
    let line = {
        let _quiet = EchoOff::new();
        first_line(std::io::stdin().lock())
    };
    err.write_all(b"\n")?;
    line.context("cannot read the password from the terminal")
}

/// Turns terminal echo off for as long as it lives.
struct EchoOff {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl EchoOff {
    #[cfg(unix)]
    fn new() -> Self {
        // SAFETY: termios is plain data that tcgetattr fills in; a failure leaves it unused.
        let mut term: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd 0 and a valid pointer to a termios.
        if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut term) } != 0 {
            return Self { saved: None };
        }
        let saved = term;
        term.c_lflag &= !libc::ECHO;
        term.c_lflag |= libc::ECHONL;
        // SAFETY: fd 0 and a termios that tcgetattr filled in.
        let set = unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &term) };
        Self {
            saved: (set == 0).then_some(saved),
        }
    }

    #[cfg(not(unix))]
    fn new() -> Self {
        Self {}
    }
}

#[cfg(unix)]
impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            // SAFETY: fd 0 and the termios read before echo was turned off.
            unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_loses_its_ending_only() {
        assert_eq!(
            first_line(&b"pass word  \nrest\n"[..]).unwrap(),
            "pass word  "
        );
        assert_eq!(first_line(&b"windows\r\n"[..]).unwrap(), "windows");
        assert_eq!(first_line(&b"no newline"[..]).unwrap(), "no newline");
        assert_eq!(first_line(&b""[..]).unwrap(), "");
    }
}
