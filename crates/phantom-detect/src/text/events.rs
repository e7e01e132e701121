//! The normalised events a detector still needs, kept as the compressor reads them: one buffer
//! of lines, each event followed by a newline. A window or a baseline is then a slice of that
//! buffer, compressed and hashed where it lies, and an event costs no allocation of its own.

use std::collections::VecDeque;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Normalised events in order, the oldest first.
#[derive(Debug, Default)]
pub(super) struct EventLog {
    /// The events, each followed by a newline; bytes before `starts[0]` are forgotten events
    /// not yet dropped from the buffer.
    text: String,
    /// Where each event starts in `text`.
    starts: VecDeque<usize>,
}

impl EventLog {
    /// Events held.
    pub(super) fn len(&self) -> usize {
        self.starts.len()
    }

    /// Appends one event that `write` appends to the buffer it is given.
    pub(super) fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        self.starts.push_back(self.text.len());
        write(&mut self.text);
        self.text.push('\n');
    }

    /// Appends one event.
    pub(super) fn push(&mut self, event: &str) {
        self.push_with(|text| text.push_str(event));
    }

    /// Events `first..first + count` (positions in the log), each followed by a newline.
    pub(super) fn lines(&self, first: usize, count: usize) -> &str {
        let at = |i: usize| self.starts.get(i).copied().unwrap_or(self.text.len());
        &self.text[at(first)..at(first + count)]
    }

    /// Events `first..first + count` without their newlines.
    pub(super) fn texts(&self, first: usize, count: usize) -> Vec<&str> {
        (first..first + count).map(|i| self.event(i)).collect()
    }

    /// The event at position `i`, without its newline.
    fn event(&self, i: usize) -> &str {
        let line = self.lines(i, 1);
        &line[..line.len() - 1]
    }

    /// Forgets the oldest `count` events.
    pub(super) fn forget(&mut self, count: usize) {
        self.starts.drain(..count.min(self.starts.len()));
        let dead = self.starts.front().copied().unwrap_or(self.text.len());
        // The buffer moves its live part to the front only once the dead part outgrows it, so
        // each byte is moved at most about once.
        if dead > self.text.len() - dead {
            self.text.drain(..dead);
            for s in &mut self.starts {
                *s -= dead;
            }
        }
    }
}

/// Serialised as the list of events, as a detector's state always was.
impl Serialize for EventLog {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((0..self.len()).map(|i| self.event(i)))
    }
}

impl<'de> Deserialize<'de> for EventLog {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let events = Vec::<String>::deserialize(deserializer)?;
        let mut log = EventLog::default();
        for e in &events {
            log.push(e);
        }
        Ok(log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_joined_lines_and_survive_forgetting_and_serde() {
        let mut log = EventLog::default();
        for i in 0..10 {
            log.push(&format!("event {i}"));
        }
        assert_eq!(log.lines(2, 3), "event 2\nevent 3\nevent 4\n");
        assert_eq!(log.texts(8, 2), ["event 8", "event 9"]);
        log.forget(7);
        assert_eq!(log.len(), 3);
        assert_eq!(log.lines(0, 3), "event 7\nevent 8\nevent 9\n");
        log.push_with(|text| text.push_str("event 10"));
        let json = serde_json::to_string(&log).unwrap();
        assert_eq!(json, r#"["event 7","event 8","event 9","event 10"]"#);
        let back: EventLog = serde_json::from_str(&json).unwrap();
        assert_eq!(back.lines(0, 4), log.lines(0, 4));
        log.forget(4);
        assert_eq!(log.len(), 0);
        assert_eq!(log.lines(0, 0), "");
    }
}
