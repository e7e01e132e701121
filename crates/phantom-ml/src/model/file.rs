//! The model file container: a fixed header, then the serialized body.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "PHANTOM\0"
//!      8     2  format version (little-endian u16)
//!     10     1  algorithm tag
//!     11     1  task tag
//!     12     8  body length in bytes (little-endian u64)
//!     20     4  CRC-32 of the body (little-endian u32)
//!     24     …  body (postcard)
//! ```
//!
//! The header is read and checked before the body is touched, so a truncated, corrupted or
//! newer file is reported as such instead of as a decoding failure.

/// The first eight bytes of every model file.
pub const MAGIC: [u8; 8] = *b"PHANTOM\0";
/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;
/// Size of the header in bytes.
pub const HEADER_LEN: usize = 24;

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FormatError {
    /// The file does not start with the model magic bytes.
    #[error("not a Phantom model file (it does not start with the model file signature)")]
    NotAModel,
    /// The file ends before its header or body does.
    #[error("the file is truncated: it has {got} bytes but its header announces {expected}")]
    Truncated {
        /// Bytes the header announces (header plus body).
        expected: u64,
        /// Bytes present.
        got: u64,
    },
    /// The file has bytes after the announced body.
    #[error("the file has {0} unexpected bytes after the model body")]
    TrailingBytes(u64),
    /// The body does not match its checksum.
    #[error("the file is corrupted: body checksum {found:08x} does not match {expected:08x}")]
    ChecksumMismatch {
        /// Checksum stored in the header.
        expected: u32,
        /// Checksum of the body as read.
        found: u32,
    },
    /// The file was written by a newer version of Phantom.
    #[error(
        "the file uses model format version {found}, but this build reads versions up to {supported}: upgrade Phantom to load it"
    )]
    NewerVersion {
        /// Version found in the file.
        found: u16,
        /// Newest version this build reads.
        supported: u16,
    },
    /// The header names an algorithm or task this build does not know.
    #[error("unknown {what} tag {tag} in the header")]
    UnknownTag {
        /// "algorithm" or "task".
        what: &'static str,
        /// The tag found.
        tag: u8,
    },
    /// The body could not be decoded although its checksum matched.
    #[error("the model body could not be decoded: {0}")]
    Body(String),
    /// The body decodes but its parts do not fit together (for example a tree pointing outside
    /// itself): the file was edited or written by a faulty tool.
    #[error("the model body is inconsistent: {0}")]
    Inconsistent(String),
    /// The header disagrees with the body it carries.
    #[error("the header says {what} {header} but the body holds {body}")]
    HeaderMismatch {
        /// "algorithm" or "task".
        what: &'static str,
        /// What the header says.
        header: String,
        /// What the body holds.
        body: String,
    },
}

/// The fixed-size header of a model file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version of the file.
    pub version: u16,
    /// Algorithm tag.
    pub algorithm: u8,
    /// Task tag.
    pub task: u8,
    /// Body length in bytes.
    pub body_len: u64,
    /// CRC-32 of the body.
    pub checksum: u32,
}

/// Wraps `body` in a header.
pub fn encode(algorithm: u8, task: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(algorithm);
    out.push(task);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// Reads and checks the header of `bytes` and returns it with the body it announces.
pub fn decode(bytes: &[u8]) -> Result<(Header, &[u8]), FormatError> {
    let magic_len = MAGIC.len().min(bytes.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(FormatError::NotAModel);
    }
    let header_bytes: &[u8; HEADER_LEN] = bytes
        .get(..HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or(FormatError::Truncated {
        expected: HEADER_LEN as u64,
        got: bytes.len() as u64,
    })?;
    let le_u64 = |r: std::ops::Range<usize>| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&header_bytes[r]);
        u64::from_le_bytes(b)
    };
    let header = Header {
        version: u16::from_le_bytes([header_bytes[8], header_bytes[9]]),
        algorithm: header_bytes[10],
        task: header_bytes[11],
        body_len: le_u64(12..20),
        checksum: u32::from_le_bytes([
            header_bytes[20],
            header_bytes[21],
            header_bytes[22],
            header_bytes[23],
        ]),
    };
    if header.version > FORMAT_VERSION {
        return Err(FormatError::NewerVersion {
            found: header.version,
            supported: FORMAT_VERSION,
        });
    }
    let body = &bytes[HEADER_LEN..];
    let expected_len = header.body_len;
    if (body.len() as u64) < expected_len {
        return Err(FormatError::Truncated {
            expected: HEADER_LEN as u64 + expected_len,
            got: bytes.len() as u64,
        });
    }
    if (body.len() as u64) > expected_len {
        return Err(FormatError::TrailingBytes(body.len() as u64 - expected_len));
    }
    let found = crc32fast::hash(body);
    if found != header.checksum {
        return Err(FormatError::ChecksumMismatch {
            expected: header.checksum,
            found,
        });
    }
    Ok((header, body))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn round_trip() {
        let file = encode(3, 1, b"body bytes");
        let (h, body) = decode(&file).unwrap();
        assert_eq!((h.version, h.algorithm, h.task, h.body_len), (1, 3, 1, 10));
        assert_eq!(body, b"body bytes");
    }

    #[test]
    fn each_kind_of_damage_is_named() {
        let file = encode(3, 1, b"body bytes");
        assert_eq!(
            decode(b"hello world, not a model"),
            Err(FormatError::NotAModel)
        );
        assert_eq!(
            decode(b""),
            Err(FormatError::Truncated {
                expected: 24,
                got: 0
            })
        );
        assert!(matches!(
            decode(&file[..30]),
            Err(FormatError::Truncated {
                expected: 34,
                got: 30
            })
        ));
        let mut corrupted = file.clone();
        corrupted[HEADER_LEN + 2] ^= 0x40;
        assert!(matches!(
            decode(&corrupted),
            Err(FormatError::ChecksumMismatch { .. })
        ));
        let mut newer = file.clone();
        newer[8] = 2;
        assert_eq!(
            decode(&newer),
            Err(FormatError::NewerVersion {
                found: 2,
                supported: 1
            })
        );
        let mut longer = file;
        longer.push(0);
        assert_eq!(decode(&longer), Err(FormatError::TrailingBytes(1)));
    }

    proptest! {
        #[test]
        fn any_single_bit_flip_in_the_body_is_detected(body in prop::collection::vec(any::<u8>(), 1..200), at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let mut file = encode(1, 0, &body);
            let i = HEADER_LEN + at.index(body.len());
            file[i] ^= 1 << bit;
            let damaged = matches!(decode(&file), Err(FormatError::ChecksumMismatch { .. }));
            prop_assert!(damaged);
        }

        #[test]
        fn every_truncation_is_an_error(body in prop::collection::vec(any::<u8>(), 0..100), cut in any::<prop::sample::Index>()) {
            let file = encode(1, 0, &body);
            let len = cut.index(file.len());
            prop_assert!(decode(&file[..len]).is_err());
        }
    }
}
