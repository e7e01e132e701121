//! The audit log: who did what to which resource, and how it ended. Records are appended
//! durably and read back by tenant; nothing changes or deletes them.

use phantom_store::{AuditFilter, AuditRecord, Millis, Storage, StoreError};
use serde::{Deserialize, Serialize};

use crate::{Engine, EngineError};

/// Records returned by an audit query unless it asks for another number.
pub const DEFAULT_AUDIT_LIMIT: u32 = 100;

/// Most records one audit query returns.
pub const MAX_AUDIT_LIMIT: u32 = 10_000;

/// How an audited request ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditResult {
    /// Done.
    Success,
    /// Refused: no or bad credential, wrong role, rate limit or quota.
    Denied,
    /// Allowed but failed (bad input, missing model, backend error).
    Failed,
}

impl AuditResult {
    /// The result's name: "success", "denied" or "failed".
    pub fn as_str(self) -> &'static str {
        match self {
            AuditResult::Success => "success",
            AuditResult::Denied => "denied",
            AuditResult::Failed => "failed",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [
            AuditResult::Success,
            AuditResult::Denied,
            AuditResult::Failed,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }
}

/// One audit record. Append-only: nothing edits or deletes records through the API.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The tenant (for an unauthenticated request: the tenant it named, or "").
    pub tenant: String,
    /// Who: user name, key id, or "anonymous".
    pub actor: String,
    /// What, e.g. "models.create", "models.activate", "auth.login".
    pub action: String,
    /// On what, e.g. "models/flows".
    pub resource: String,
    /// How it ended.
    pub result: AuditResult,
    /// The request's id.
    pub request_id: String,
    /// When.
    pub at: Millis,
    /// The client address.
    pub source: Option<String>,
    /// Why it was denied or failed.
    pub detail: Option<String>,
}

/// Which audit records to return, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditQuery {
    /// Earliest time, inclusive (default 0).
    pub from: Option<Millis>,
    /// Latest time, exclusive (default: no limit).
    pub to: Option<Millis>,
    /// Only this actor.
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this result.
    pub result: Option<AuditResult>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<u32>,
}

impl AuditEvent {
    fn into_record(self) -> AuditRecord {
        AuditRecord {
            tenant: self.tenant,
            actor: self.actor,
            action: self.action,
            resource: self.resource,
            result: self.result.as_str().to_owned(),
            request_id: self.request_id,
            at: self.at,
            source: self.source,
            detail: self.detail,
        }
    }

    fn from_record(r: AuditRecord) -> Result<Self, EngineError> {
        let result = AuditResult::parse(&r.result).ok_or_else(|| {
            EngineError::Store(StoreError::Malformed {
                what: format!(
                    "audit record of request '{}' has result '{}'",
                    r.request_id, r.result
                ),
            })
        })?;
        Ok(AuditEvent {
            tenant: r.tenant,
            actor: r.actor,
            action: r.action,
            resource: r.resource,
            result,
            request_id: r.request_id,
            at: r.at,
            source: r.source,
            detail: r.detail,
        })
    }
}

impl Engine {
    /// Appends an audit record durably.
    pub async fn record_audit(&self, event: AuditEvent) -> Result<(), EngineError> {
        Ok(self.inner.store.append_audit(&event.into_record()).await?)
    }

    /// The tenant's audit records, newest first.
    pub async fn audit_log(
        &self,
        tenant: &str,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEvent>, EngineError> {
        let limit = query.limit.unwrap_or(DEFAULT_AUDIT_LIMIT);
        if !(1..=MAX_AUDIT_LIMIT).contains(&limit) {
            return Err(EngineError::InvalidArgument {
                what: "limit".into(),
                reason: format!("must be 1 to {MAX_AUDIT_LIMIT}, got {limit}"),
            });
        }
        let from = query.from.unwrap_or(0);
        let to = query.to.unwrap_or(Millis::MAX);
        if from > to {
            return Err(EngineError::InvalidArgument {
                what: "time range".into(),
                reason: format!("from ({from}) is after to ({to})"),
            });
        }
        let filter = AuditFilter {
            tenant: tenant.to_owned(),
            from,
            to,
            actor: query.actor.clone(),
            action: query.action.clone(),
            result: query.result.map(|r| r.as_str().to_owned()),
            limit,
        };
        self.inner
            .store
            .query_audit(&filter)
            .await?
            .into_iter()
            .map(AuditEvent::from_record)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_round_trip_by_name_and_serde() {
        for r in [
            AuditResult::Success,
            AuditResult::Denied,
            AuditResult::Failed,
        ] {
            assert_eq!(AuditResult::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::json!(r.as_str())
            );
        }
        assert_eq!(AuditResult::parse("ok"), None);
    }

    #[test]
    fn queries_refuse_unknown_fields() {
        let q: AuditQuery = serde_json::from_str(r#"{"actor": "ann", "limit": 5}"#).unwrap();
        assert_eq!((q.actor.as_deref(), q.limit), (Some("ann"), Some(5)));
        assert!(serde_json::from_str::<AuditQuery>(r#"{"who": "ann"}"#).is_err());
    }
}
