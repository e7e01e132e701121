//! Stored evidence bundles: every bundle [`Engine::evidence`] signs is kept in the store,
//! byte for byte, and can be read back by its id or listed, newest first. A stored bundle is
//! never changed: one handed to an auditor stays as it was, whatever later happens to the
//! anomalies it holds. Bundles are kept until someone deletes their rows from the database.

use phantom_store::{EvidenceSummary, Millis, Storage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::EvidenceQuery;
use crate::{Engine, EngineError};

/// Bundles one listing returns unless it asks for another number.
pub const DEFAULT_EVIDENCE_LIMIT: u32 = 100;
/// Most bundles one listing returns.
pub const MAX_EVIDENCE_LIMIT: u32 = 1_000;

/// A stored evidence bundle, without its content.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceInfo {
    /// Its id (`ev_` and 32 hex digits), also written in the bundle as `bundle_id`.
    pub id: String,
    /// When it was made (ms since the Unix epoch); the bundle's `generated_at`.
    pub created_at: Millis,
    /// The range and stream it was asked for; `to` is the end it covers (the time it was made
    /// when none was given).
    pub query: EvidenceQuery,
    /// How many anomalies it holds.
    pub anomaly_count: u64,
    /// SHA-256 of its signed JSON as stored and served, lowercase hex.
    pub sha256: String,
    /// Length of its signed JSON in bytes.
    pub size: u64,
}

impl EvidenceInfo {
    pub(super) fn from_summary(s: EvidenceSummary) -> Self {
        EvidenceInfo {
            id: s.id,
            created_at: s.created_at,
            query: EvidenceQuery {
                from: s.query_from,
                to: Some(s.query_to),
                stream: s.query_stream,
            },
            anomaly_count: s.anomaly_count,
            sha256: s.sha256,
            size: s.size,
        }
    }
}

/// A signed bundle as stored: its summary and its JSON, byte for byte.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedEvidence {
    /// What the store knows of it.
    pub info: EvidenceInfo,
    /// The signed JSON exactly as stored and served.
    pub json: Vec<u8>,
}

impl SignedEvidence {
    /// The bundle as a JSON value (to verify it or render its report).
    pub fn bundle(&self) -> Result<Value, EngineError> {
        serde_json::from_slice(&self.json).map_err(|e| {
            EngineError::Store(phantom_store::StoreError::Malformed {
                what: format!("evidence bundle '{}' is not JSON ({e})", self.info.id),
            })
        })
    }
}

/// Which stored bundles to list.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceListQuery {
    /// The next page: the `next` cursor of the previous one.
    pub before: Option<u64>,
    /// At most this many (default 100, at most 1,000).
    pub limit: Option<u32>,
}

/// One page of stored bundles, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidencePage {
    /// The bundles, without their content.
    pub bundles: Vec<EvidenceInfo>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<u64>,
}

impl Engine {
    /// A stored bundle of the tenant, exactly as it was handed out.
    pub async fn stored_evidence(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<SignedEvidence, EngineError> {
        let record = self
            .inner
            .store
            .get_evidence(tenant, id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                what: "evidence bundle".into(),
                name: id.into(),
            })?;
        Ok(SignedEvidence {
            info: EvidenceInfo::from_summary(record.summary),
            json: record.bundle,
        })
    }

    /// A page of the tenant's stored bundles, newest first.
    pub async fn list_evidence(
        &self,
        tenant: &str,
        query: &EvidenceListQuery,
    ) -> Result<EvidencePage, EngineError> {
        let limit = query.limit.unwrap_or(DEFAULT_EVIDENCE_LIMIT);
        if limit == 0 || limit > MAX_EVIDENCE_LIMIT {
            return Err(EngineError::InvalidArgument {
                what: "limit".into(),
                reason: format!("must be 1 to {MAX_EVIDENCE_LIMIT}, got {limit}"),
            });
        }
        let summaries = self
            .inner
            .store
            .list_evidence(tenant, limit, query.before)
            .await?;
        let next = if summaries.len() == limit as usize {
            summaries.last().map(|s| s.seq)
        } else {
            None
        };
        let bundles = summaries
            .into_iter()
            .map(EvidenceInfo::from_summary)
            .collect();
        Ok(EvidencePage { bundles, next })
    }
}
