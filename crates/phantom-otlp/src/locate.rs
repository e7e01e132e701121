//! Finding where in a protobuf request decoding failed.
//!
//! prost reports which message and field failed but not which element of a repeated field.
//! Once the whole request failed to decode, this walks the wire format to the first resource,
//! scope and item that fail on their own, so the error can say
//! `resourceLogs[0].scopeLogs[1].logRecords[3]`. It runs only on the error path.

use prost::{DecodeError, Message};

use crate::error::OtlpError;
use crate::request::Export;

/// The error for a request that failed to decode with `error`, located as deep as possible.
pub(crate) fn locate<E: Export>(body: &[u8], error: DecodeError) -> OtlpError {
    let [resources, scopes, items] = E::LEVELS;
    let mut path = String::from(".");
    let mut source = error;
    if let Some((ri, resource, e)) = first_invalid::<E::Resource>(body, 1) {
        path = format!("{resources}[{ri}]");
        source = e;
        if let Some((si, scope, e)) = first_invalid::<E::Scope>(resource, 2) {
            path = format!("{path}.{scopes}[{si}]");
            source = e;
            if let Some((ii, _, e)) = first_invalid::<E::Item>(scope, 2) {
                path = format!("{path}.{items}[{ii}]");
                source = e;
            }
        }
    }
    OtlpError::Protobuf { path, source }
}

/// The first occurrence of length-delimited field `field` in `message` that does not decode
/// as `M` on its own: its index among the occurrences, its bytes and the error.
fn first_invalid<M: Message + Default>(
    message: &[u8],
    field: u64,
) -> Option<(usize, &[u8], DecodeError)> {
    Fields { rest: message }
        .filter_map(|(number, bytes)| (number == field).then_some(bytes).flatten())
        .enumerate()
        .find_map(|(index, bytes)| M::decode(bytes).err().map(|e| (index, bytes, e)))
}

/// The fields of a protobuf message: their number and, for length-delimited ones, their bytes.
/// Stops at the first malformed field.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u64, Option<&'a [u8]>);

    fn next(&mut self) -> Option<Self::Item> {
        let key = self.varint()?;
        let bytes = match key & 7 {
            0 => self.varint().map(|_| None),
            1 => self.skip(8).map(|_| None),
            5 => self.skip(4).map(|_| None),
            2 => {
                let len = usize::try_from(self.varint()?).ok()?;
                self.skip(len).map(Some)
            }
            _ => None,
        };
        match bytes {
            Some(bytes) => Some((key >> 3, bytes)),
            None => {
                self.rest = &[];
                None
            }
        }
    }
}

impl<'a> Fields<'a> {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for (i, &byte) in self.rest.iter().enumerate().take(10) {
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                self.rest = &self.rest[i + 1..];
                return Some(value);
            }
        }
        None
    }

    fn skip(&mut self, len: usize) -> Option<&'a [u8]> {
        let (skipped, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some(skipped)
    }
}
