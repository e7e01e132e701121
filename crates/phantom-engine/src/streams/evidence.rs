//! Evidence bundles: the anomalies of a time range with their explanations, the detectors and
//! settings that found them and the hashes of the data they were computed from, signed with
//! the deployment's Ed25519 key over the bundle's canonical JSON (RFC 8785).
//!
//! Every bundle names itself (`bundle_id`, inside the signed content) and is stored, byte for
//! byte, before it is handed out; [`Engine::stored_evidence`] reads it back.
//!
//! The key is made on first use and kept in the store's settings (`evidence.signing_key`,
//! its 32-byte seed in base64), so every replica sharing the store signs with the same key and
//! a restart keeps it. Whoever can read the store's settings can sign: protect the database as
//! you protect the key.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use phantom_evidence::{EvidenceKey, FORMAT};
use phantom_store::{AnomalyFilter, Millis, NewEvidence, Storage};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::stored_evidence::{EvidenceInfo, SignedEvidence};
use super::{Anomaly, MAX_ANOMALY_LIMIT};
use crate::time::format_utc;
use crate::{Engine, EngineError};

/// The setting that holds the signing key's seed.
pub const EVIDENCE_KEY_SETTING: &str = "evidence.signing_key";

/// Most anomalies one bundle holds; a wider range is refused with a request to narrow it.
pub const MAX_EVIDENCE_ANOMALIES: usize = 10_000;

/// Which anomalies a bundle covers.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceQuery {
    /// Found at or after this time (ms since the Unix epoch; default: the beginning).
    pub from: Option<Millis>,
    /// Found before this time (ms since the Unix epoch; default: now).
    pub to: Option<Millis>,
    /// Only this stream (its key).
    pub stream: Option<String>,
}

/// The key bundles are checked with.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidencePublicKey {
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The raw 32-byte public key, base64.
    pub public_key: String,
    /// `SHA256:` and the hex SHA-256 of the raw key, for people to compare.
    pub fingerprint: String,
}

impl Engine {
    /// The deployment's signing key, made and stored on first use.
    async fn evidence_key(&self) -> Result<&EvidenceKey, EngineError> {
        self.inner
            .streams
            .evidence_key
            .get_or_try_init(|| async {
                let fresh = STANDARD.encode(EvidenceKey::generate().seed());
                let stored = self
                    .inner
                    .store
                    .get_or_create_setting(EVIDENCE_KEY_SETTING, &fresh)
                    .await?;
                let seed = STANDARD.decode(stored.trim()).map_err(|e| {
                    EngineError::Store(phantom_store::StoreError::Malformed {
                        what: format!("the setting {EVIDENCE_KEY_SETTING} is not base64 ({e})"),
                    })
                })?;
                EvidenceKey::from_seed(&seed).map_err(|e| {
                    EngineError::Store(phantom_store::StoreError::Malformed {
                        what: format!("the setting {EVIDENCE_KEY_SETTING}: {e}"),
                    })
                })
            })
            .await
    }

    /// The public key that checks this deployment's bundles.
    pub async fn evidence_public_key(&self) -> Result<EvidencePublicKey, EngineError> {
        let key = self.evidence_key().await?.public_key();
        Ok(EvidencePublicKey {
            algorithm: "Ed25519".into(),
            public_key: key.to_base64(),
            fingerprint: key.fingerprint(),
        })
    }

    /// A signed evidence bundle of the tenant's anomalies in `query`'s range, oldest first,
    /// with a new id inside the signed content. The bundle is stored before it is returned:
    /// the bytes returned are the bytes [`Engine::stored_evidence`] gives back later.
    pub async fn evidence(
        &self,
        tenant: &str,
        query: &EvidenceQuery,
    ) -> Result<SignedEvidence, EngineError> {
        let now = crate::engine::now_ms();
        let to = query.to.unwrap_or(now + 1);
        let anomalies = self.anomalies_in(tenant, query, to).await?;
        let anomaly_count = anomalies.len() as u64;
        let bundle_id = format!("ev_{}", uuid::Uuid::now_v7().simple());
        let mut detectors: Vec<Value> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for a in &anomalies {
            if seen.insert(a.stream.key.clone())
                && let Ok(stream) = self.stream(tenant, &a.stream.key).await
            {
                detectors.push(json!({
                    "name": stream.settings.name(),
                    "version": env!("CARGO_PKG_VERSION"),
                    "stream": stream.key,
                    "settings": stream.settings,
                }));
            }
        }
        let data_hashes: Vec<Value> = anomalies
            .iter()
            .map(|a| {
                json!({
                    "anomaly": a.id,
                    "stream": a.stream.key,
                    "first": a.first_event,
                    "last": a.last_event,
                    "window_sha256": a.explanation["window"]["sha256"],
                    "baseline_sha256": a.explanation["baseline"]["sha256"],
                    "chain_sha256": a.explanation["chain_sha256"],
                })
            })
            .collect();
        let anomalies: Vec<Value> = anomalies
            .into_iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "stream": a.stream,
                    "detector": a.detector,
                    "detected_at": format_utc(a.detected_at),
                    "event_time": a.event_time.map(format_utc),
                    "first_event": a.first_event,
                    "last_event": a.last_event,
                    "score": a.score,
                    "p_value": a.p_value,
                    "status": a.status,
                    "summary": a.summary,
                    "explanation": a.explanation,
                })
            })
            .collect();
        let bundle = json!({
            "format": FORMAT,
            "bundle_id": bundle_id,
            "generated_at": format_utc(now),
            "tenant": tenant,
            "query": {
                "from": query.from.map(format_utc),
                "to": format_utc(to),
                "stream": query.stream,
            },
            "hash_chain": "chain(-1) = 32 zero bytes; chain(n) = SHA-256(chain(n-1) || event n as received || \"\\n\")",
            "detectors": detectors,
            "anomalies": anomalies,
            "data_hashes": data_hashes,
        });
        let key = self.evidence_key().await?;
        let signed = phantom_evidence::sign(bundle, key)
            .map_err(|e| EngineError::Internal(format!("signing the evidence bundle: {e}")))?;
        let json = serde_json::to_vec(&signed)
            .map_err(|e| EngineError::Internal(format!("encoding the evidence bundle: {e}")))?;
        let new = NewEvidence {
            id: bundle_id,
            tenant: tenant.into(),
            created_at: now,
            query_from: query.from,
            query_to: to,
            query_stream: query.stream.clone(),
            anomaly_count,
            bundle: json,
        };
        let summary = self.inner.store.put_evidence(&new).await?;
        Ok(SignedEvidence {
            info: EvidenceInfo::from_summary(summary),
            json: new.bundle,
        })
    }

    /// Every anomaly in the range, oldest first; refuses more than the bundle limit.
    async fn anomalies_in(
        &self,
        tenant: &str,
        query: &EvidenceQuery,
        to: Millis,
    ) -> Result<Vec<Anomaly>, EngineError> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let filter = AnomalyFilter {
                stream: query.stream.clone(),
                from: query.from,
                to: Some(to),
                after_seq: after,
                limit: MAX_ANOMALY_LIMIT,
                oldest_first: true,
                ..AnomalyFilter::default()
            };
            let page = self.inner.store.list_anomalies(tenant, &filter).await?;
            let full = page.len() == MAX_ANOMALY_LIMIT as usize;
            for record in page {
                after = Some(record.seq);
                all.push(Anomaly::from_record(record)?);
            }
            if all.len() > MAX_EVIDENCE_ANOMALIES {
                return Err(EngineError::InvalidArgument {
                    what: "evidence range".into(),
                    reason: format!(
                        "it holds more than {MAX_EVIDENCE_ANOMALIES} anomalies; narrow it with from, to or stream"
                    ),
                });
            }
            if !full {
                return Ok(all);
            }
        }
    }
}
