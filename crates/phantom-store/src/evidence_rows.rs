//! Evidence bundle rows as both backends read them, before decoding into records.

use crate::StoreError;
use crate::checksum::sha256_hex;
use crate::codec::count_from_column;
use crate::evidence_records::{EvidenceRecord, EvidenceSummary};
use crate::records::Millis;

/// The columns of `evidence_bundles` but the bytes, in the order every `SELECT` of a bundle
/// lists them; a `SELECT` of one bundle adds `e.bundle` after them.
pub(crate) const EVIDENCE_COLUMNS: &str = "e.seq, e.id, e.tenant, e.created_at, e.query_from, \
     e.query_to, e.query_stream, e.anomaly_count, e.sha256, e.size";

/// An `evidence_bundles` row as stored, without its bytes.
pub(crate) struct EvidenceRow {
    pub(crate) seq: i64,
    pub(crate) id: String,
    pub(crate) tenant: String,
    pub(crate) created_at: Millis,
    pub(crate) query_from: Option<Millis>,
    pub(crate) query_to: Millis,
    pub(crate) query_stream: Option<String>,
    pub(crate) anomaly_count: i64,
    pub(crate) sha256: String,
    pub(crate) size: i64,
}

impl EvidenceRow {
    /// Decodes the row.
    pub(crate) fn decode(self) -> Result<EvidenceSummary, StoreError> {
        let what = |column: &str| format!("the {column} of evidence bundle '{}'", self.id);
        let seq = count_from_column(self.seq, || what("sequence number"))?;
        let anomaly_count = count_from_column(self.anomaly_count, || what("anomaly count"))?;
        let size = count_from_column(self.size, || what("size"))?;
        Ok(EvidenceSummary {
            seq,
            id: self.id,
            tenant: self.tenant,
            created_at: self.created_at,
            query_from: self.query_from,
            query_to: self.query_to,
            query_stream: self.query_stream,
            anomaly_count,
            sha256: self.sha256,
            size,
        })
    }
}

/// Builds a bundle read back with its bytes, after checking them against the checksum stored
/// with them.
pub(crate) fn checked_evidence(
    summary: EvidenceSummary,
    bundle: Vec<u8>,
) -> Result<EvidenceRecord, StoreError> {
    let actual = sha256_hex(&bundle);
    if actual != summary.sha256 {
        return Err(StoreError::Malformed {
            what: format!(
                "evidence bundle '{}' is damaged: its SHA-256 is {actual} but {} was stored; \
                 restore the database from a backup",
                summary.id, summary.sha256
            ),
        });
    }
    Ok(EvidenceRecord { summary, bundle })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(sha256: String) -> EvidenceSummary {
        EvidenceSummary {
            seq: 1,
            id: "ev_1".into(),
            tenant: "t".into(),
            created_at: 0,
            query_from: None,
            query_to: 10,
            query_stream: None,
            anomaly_count: 0,
            sha256,
            size: 2,
        }
    }

    #[test]
    fn checked_evidence_accepts_matching_bytes_and_rejects_others() {
        let good = checked_evidence(summary(sha256_hex(b"{}")), b"{}".to_vec()).unwrap();
        assert_eq!(good.bundle, b"{}");
        let err = checked_evidence(summary(sha256_hex(b"{}")), b"{ }".to_vec()).unwrap_err();
        let StoreError::Malformed { what } = err else {
            panic!("expected Malformed, got {err:?}");
        };
        assert!(
            what.contains("ev_1") && what.contains(&sha256_hex(b"{ }")),
            "{what}"
        );
    }
}
