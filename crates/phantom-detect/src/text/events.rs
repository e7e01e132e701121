//! The normalised events a detector still needs, kept as the compressor reads them: one buffer
//! of lines, each event followed by a newline. A window or a baseline is then a slice of that
//! buffer, compressed and hashed where it lies, and an event costs no allocation of its own.
//! Each event also refers to its template, whose tokens the token profiles count.

use std::collections::VecDeque;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::profile::TokenKey;
use super::templates::Templates;

/// Normalised events in order, the oldest first.
#[derive(Debug, Default)]
pub(super) struct EventLog {
    /// The events, each followed by a newline; bytes before `starts[0]` are forgotten events
    /// not yet dropped from the buffer.
    text: String,
    /// Where each event starts in `text`.
    starts: VecDeque<usize>,
    /// Each event's template in `templates`.
    template_ids: VecDeque<usize>,
    /// The templates of the events held, rebuilt from the events when a log is read back.
    templates: Templates,
}

/// One held event.
#[derive(Clone, Copy, Debug)]
pub(super) struct Event<'a> {
    /// Its normalised text, without the newline.
    pub(super) text: &'a str,
    /// Its tokens, in order.
    pub(super) tokens: &'a [TokenKey],
}

impl EventLog {
    /// Events held.
    pub(super) fn len(&self) -> usize {
        self.starts.len()
    }

    /// Appends one event that `write` appends to the buffer it is given.
    pub(super) fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        self.starts.push_back(start);
        write(&mut self.text);
        self.template_ids
            .push_back(self.templates.hold(&self.text[start..]));
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

    /// The tokens of events `first..first + count`, event by event.
    pub(super) fn tokens(&self, first: usize, count: usize) -> impl Iterator<Item = &[TokenKey]> {
        self.template_ids
            .range(first..first + count)
            .map(|&id| self.templates.tokens(id))
    }

    /// Events `first..first + count`.
    pub(super) fn events(&self, first: usize, count: usize) -> Vec<Event<'_>> {
        (first..first + count)
            .zip(self.tokens(first, count))
            .map(|(i, tokens)| Event {
                text: self.text(i),
                tokens,
            })
            .collect()
    }

    /// The text of the event at position `i`, without its newline.
    fn text(&self, i: usize) -> &str {
        event_text(&self.text, &self.starts, i)
    }

    /// Templates and tokens held for the events.
    #[cfg(test)]
    pub(super) fn templates_held(&self) -> (usize, usize) {
        self.templates.len()
    }

    /// Forgets the oldest `count` events.
    pub(super) fn forget(&mut self, count: usize) {
        let count = count.min(self.starts.len());
        for (i, id) in self.template_ids.drain(..count).enumerate() {
            self.templates
                .release(id, event_text(&self.text, &self.starts, i));
        }
        self.starts.drain(..count);
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

/// The text of event `i` of `text`, whose events start at `starts`, without its newline.
fn event_text<'a>(text: &'a str, starts: &VecDeque<usize>, i: usize) -> &'a str {
    let end = starts.get(i + 1).copied().unwrap_or(text.len());
    &text[starts[i]..end - 1]
}

/// Serialised as the list of events, as a detector's state always was.
impl Serialize for EventLog {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((0..self.len()).map(|i| self.text(i)))
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
        let texts: Vec<&str> = log.events(8, 2).iter().map(|e| e.text).collect();
        assert_eq!(texts, ["event 8", "event 9"]);
        log.forget(7);
        assert_eq!(log.len(), 3);
        assert_eq!(log.templates_held(), (3, 4), "event, 7, 8 and 9");
        let tokens: Vec<usize> = log.tokens(0, 3).map(<[TokenKey]>::len).collect();
        assert_eq!(tokens, [2, 2, 2]);
        assert_eq!(log.lines(0, 3), "event 7\nevent 8\nevent 9\n");
        log.push_with(|text| text.push_str("event 10"));
        let json = serde_json::to_string(&log).unwrap();
        assert_eq!(json, r#"["event 7","event 8","event 9","event 10"]"#);
        let back: EventLog = serde_json::from_str(&json).unwrap();
        assert_eq!(back.lines(0, 4), log.lines(0, 4));
        assert_eq!(back.templates_held(), log.templates_held());
        log.forget(4);
        assert_eq!(log.len(), 0);
        assert_eq!(log.templates_held(), (0, 0));
        assert_eq!(log.lines(0, 0), "");
    }
}
