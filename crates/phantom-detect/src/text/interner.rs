//! Interned strings with a value each, held while something refers to them: every distinct
//! string gets a small id (reused once the string is released), so repeated strings are looked
//! up once and what is computed from one is computed once.

use super::profile::FastMap;

/// Strings by id, each with a value and how many holders it has.
#[derive(Debug)]
pub(super) struct Interner<V> {
    /// The id of each held string.
    ids: FastMap<Box<str>, usize>,
    /// By id: the value and its holds (0 for a free id).
    slots: Vec<Slot<V>>,
    /// Ids no string holds, to be reused.
    free: Vec<usize>,
}

#[derive(Debug)]
struct Slot<V> {
    value: V,
    holds: usize,
}

impl<V> Default for Interner<V> {
    fn default() -> Self {
        Self {
            ids: FastMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<V: Default> Interner<V> {
    /// The id of `text`, held once more; a string not yet held gets the value `make` computes
    /// from it.
    pub(super) fn hold(&mut self, text: &str, make: impl FnOnce(&str) -> V) -> usize {
        if let Some(&id) = self.ids.get(text) {
            self.slots[id].holds += 1;
            return id;
        }
        let slot = Slot {
            value: make(text),
            holds: 1,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.slots[id] = slot;
                id
            }
            None => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        self.ids.insert(text.into(), id);
        id
    }

    /// The value of the string with id `id`.
    pub(super) fn value(&self, id: usize) -> &V {
        &self.slots[id].value
    }

    /// Releases one hold of `text`, whose id is `id`; when it was the last, the string is
    /// dropped, its id freed and its value returned.
    pub(super) fn release(&mut self, id: usize, text: &str) -> Option<V> {
        let slot = &mut self.slots[id];
        slot.holds -= 1;
        if slot.holds > 0 {
            return None;
        }
        self.ids.remove(text);
        self.free.push(id);
        Some(std::mem::take(&mut slot.value))
    }

    /// Strings held.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_held_until_their_last_release_and_ids_are_reused() {
        let mut interner: Interner<usize> = Interner::default();
        let a = interner.hold("alpha", str::len);
        let b = interner.hold("be", str::len);
        assert_eq!(interner.hold("alpha", |_| unreachable!("already held")), a);
        assert_eq!((*interner.value(a), *interner.value(b)), (5, 2));
        assert_eq!(interner.release(a, "alpha"), None);
        assert_eq!(interner.release(a, "alpha"), Some(5));
        assert_eq!(interner.len(), 1);
        let c = interner.hold("sea", str::len);
        assert_eq!(c, a, "a freed id is reused");
        assert_eq!(*interner.value(c), 3);
        assert_eq!(interner.release(b, "be"), Some(2));
        assert_eq!(interner.release(c, "sea"), Some(3));
        assert_eq!(interner.len(), 0);
    }
}
