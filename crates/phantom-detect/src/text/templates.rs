//! The templates (whole normalised events) of the events a detector holds, and their tokens.
//!
//! Normalised logs repeat a few templates over and over, so an event is looked up as a whole
//! (one hash of its bytes) and only a template not yet held is split into tokens, each interned
//! into a [`TokenKey`]. Templates and tokens are held while events carry them and dropped with
//! the last one, so the tables never outgrow the events the detector keeps.

use super::interner::Interner;
use super::profile::{TokenKey, token_hash};

/// Held templates and tokens.
#[derive(Debug, Default)]
pub(super) struct Templates {
    /// Each template's tokens, in order.
    templates: Interner<Box<[TokenKey]>>,
    /// Each token's [`token_hash`].
    tokens: Interner<u64>,
}

impl Templates {
    /// The id of `event`'s template, held once more.
    pub(super) fn hold(&mut self, event: &str) -> usize {
        let tokens = &mut self.tokens;
        self.templates.hold(event, |event| {
            split(event)
                .map(|token| {
                    let id = tokens.hold(token, token_hash);
                    TokenKey {
                        id,
                        hash: *tokens.value(id),
                    }
                })
                .collect()
        })
    }

    /// Releases one hold of template `id`, whose text is `event`.
    pub(super) fn release(&mut self, id: usize, event: &str) {
        if let Some(keys) = self.templates.release(id, event) {
            for (k, token) in keys.iter().zip(split(event)) {
                self.tokens.release(k.id, token);
            }
        }
    }

    /// The tokens of template `id`, in order.
    pub(super) fn tokens(&self, id: usize) -> &[TokenKey] {
        self.templates.value(id)
    }

    /// Templates and tokens held.
    #[cfg(test)]
    pub(super) fn len(&self) -> (usize, usize) {
        (self.templates.len(), self.tokens.len())
    }
}

/// The tokens of an event: the non-empty pieces between spaces and newlines.
fn split(event: &str) -> impl Iterator<Item = &str> {
    event.split(['\n', ' ']).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_share_tokens_and_are_dropped_with_their_last_event() {
        let mut t = Templates::default();
        let a = t.hold("GET  /a 200");
        let b = t.hold("GET /b 200\nok");
        assert_eq!(t.hold("GET  /a 200"), a);
        assert_eq!(t.len(), (2, 5));
        let get_a = t.tokens(a)[0];
        assert_eq!(t.tokens(a).len(), 3);
        assert_eq!(t.tokens(b)[0], get_a);
        assert_eq!(get_a.hash, token_hash("GET"));
        assert_eq!(t.tokens(b)[3].hash, token_hash("ok"));

        t.release(a, "GET  /a 200");
        assert_eq!(t.len(), (2, 5));
        t.release(a, "GET  /a 200");
        assert_eq!(t.len(), (1, 4), "/a went with its template");
        t.release(b, "GET /b 200\nok");
        assert_eq!(t.len(), (0, 0));
    }
}
