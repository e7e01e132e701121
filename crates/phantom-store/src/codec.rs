//! Conversions between records and the column types both backends store: JSON as text,
//! statuses as names, and unsigned numbers in signed 64-bit integer columns.

use crate::StoreError;
use crate::checksum::sha256_hex;
use crate::records::{ModelStatus, VersionRecord, VersionSummary};

/// JSON as stored: the compact text serde_json writes.
pub(crate) fn json_text(value: &serde_json::Value) -> String {
    // Serializing a `Value` to a string cannot fail: its map keys are always strings.
    value.to_string()
}

/// Reads stored JSON text; `what` names the column for the error.
pub(crate) fn parse_json(
    text: &str,
    what: impl FnOnce() -> String,
) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Malformed {
        what: format!("{} is not valid JSON ({e})", what()),
    })
}

/// Reads a stored status name.
pub(crate) fn parse_status(name: &str, model_id: &str) -> Result<ModelStatus, StoreError> {
    ModelStatus::parse(name).ok_or_else(|| StoreError::Malformed {
        what: format!("model '{model_id}' has status '{name}', expected 'active' or 'archived'"),
    })
}

/// Reads a stored version number.
pub(crate) fn version_from_column(value: i64, model_id: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::Malformed {
        what: format!(
            "model '{model_id}' has version number {value}, expected 0 to {}",
            u32::MAX
        ),
    })
}

/// Reads a stored non-negative count (artifact size, latency); `what` names the column.
pub(crate) fn count_from_column(
    value: i64,
    what: impl FnOnce() -> String,
) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Malformed {
        what: format!("{} is {value}, expected a non-negative number", what()),
    })
}

/// A count to store in a signed 64-bit column. Counts here are artifact sizes and latencies
/// in microseconds; neither comes near 2^63, so saturating loses nothing real.
pub(crate) fn count_to_column(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Builds a version read back with its artifact, after checking the artifact against the
/// checksum stored with it.
pub(crate) fn checked_version(
    summary: VersionSummary,
    artifact: Vec<u8>,
) -> Result<VersionRecord, StoreError> {
    let actual = sha256_hex(&artifact);
    if actual != summary.sha256 {
        return Err(StoreError::Corrupt {
            model_id: summary.model_id,
            version: summary.version,
            expected: summary.sha256,
            actual,
        });
    }
    Ok(VersionRecord { summary, artifact })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(sha256: String) -> VersionSummary {
        VersionSummary {
            model_id: "m".into(),
            version: 2,
            created_at: 0,
            sha256,
            size: 3,
            metadata: serde_json::Value::Null,
        }
    }

    #[test]
    fn checked_version_accepts_matching_bytes_and_rejects_others() {
        let good = checked_version(summary(sha256_hex(b"abc")), b"abc".to_vec()).unwrap();
        assert_eq!(good.artifact, b"abc");
        let err = checked_version(summary(sha256_hex(b"abc")), b"abd".to_vec()).unwrap_err();
        let StoreError::Corrupt {
            version, actual, ..
        } = err
        else {
            panic!("expected Corrupt, got {err:?}");
        };
        assert_eq!(version, 2);
        assert_eq!(actual, sha256_hex(b"abd"));
    }

    #[test]
    fn out_of_range_columns_are_malformed() {
        assert!(matches!(
            version_from_column(-1, "m"),
            Err(StoreError::Malformed { .. })
        ));
        assert!(matches!(
            version_from_column(i64::from(u32::MAX) + 1, "m"),
            Err(StoreError::Malformed { .. })
        ));
        assert_eq!(version_from_column(7, "m").unwrap(), 7);
        assert!(matches!(
            count_from_column(-5, || "size".into()),
            Err(StoreError::Malformed { .. })
        ));
        assert_eq!(count_to_column(u64::MAX), i64::MAX);
        assert!(matches!(
            parse_status("paused", "m"),
            Err(StoreError::Malformed { .. })
        ));
        assert!(matches!(
            parse_json("{", || "config".into()),
            Err(StoreError::Malformed { .. })
        ));
    }
}
