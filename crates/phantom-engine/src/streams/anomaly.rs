//! Anomalies as the engine reports them: listed with filters and pages, read one by one,
//! moved through their statuses, and followed live.

use phantom_store::{AnomalyFilter, AnomalyRecord, Millis, Storage, StoreError};
use serde::{Deserialize, Serialize};

use super::Signal;
use crate::engine::now_ms;
use crate::{Engine, EngineError};

/// Anomalies one listing returns unless it asks for another number.
pub const DEFAULT_ANOMALY_LIMIT: u32 = 100;
/// Most anomalies one listing returns.
pub const MAX_ANOMALY_LIMIT: u32 = 1_000;

/// Where an anomaly stands with the people handling it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyStatus {
    /// Found, not yet looked at.
    Open,
    /// Someone is looking at it.
    Acknowledged,
    /// Handled.
    Resolved,
    /// Not a real problem.
    FalsePositive,
}

impl AnomalyStatus {
    /// The status's name.
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyStatus::Open => "open",
            AnomalyStatus::Acknowledged => "acknowledged",
            AnomalyStatus::Resolved => "resolved",
            AnomalyStatus::FalsePositive => "false_positive",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [
            AnomalyStatus::Open,
            AnomalyStatus::Acknowledged,
            AnomalyStatus::Resolved,
            AnomalyStatus::FalsePositive,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

impl std::str::FromStr for AnomalyStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s).ok_or_else(|| {
            format!("unknown status '{s}': use open, acknowledged, resolved or false_positive")
        })
    }
}

/// Which stream an anomaly was found in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamRef {
    /// The stream's key.
    pub key: String,
    /// Its service.
    pub service: String,
    /// Its signal.
    pub signal: Signal,
}

/// An anomaly with its explanation.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Its id.
    pub id: String,
    /// Its place in the order anomalies were stored: the cursor of pages and of the live feed.
    pub seq: u64,
    /// The stream.
    pub stream: StreamRef,
    /// The detector that found it: `cbad` or `series`.
    pub detector: String,
    /// First event of the anomalous window (numbered from 0 in the stream).
    pub first_event: u64,
    /// Last event of the window.
    pub last_event: u64,
    /// The telemetry's time of the last event (ms since the Unix epoch), if it had one.
    pub event_time: Option<Millis>,
    /// When it was found (ms since the Unix epoch).
    pub detected_at: Millis,
    /// How far from normal: for CBAD the NCD's robust z-score, for series the point's
    /// modified z-score.
    pub score: f64,
    /// The permutation test's p-value (CBAD).
    pub p_value: Option<f64>,
    /// Where it stands.
    pub status: AnomalyStatus,
    /// One line for people.
    pub summary: String,
    /// What decided it: the detector's measures, thresholds and seed, the baseline and window
    /// event ranges with their SHA-256, new and vanished templates and tokens (CBAD), or the
    /// value, median, spread and kind (series); and `chain_sha256`, the stream's hash chain
    /// at the last event.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub explanation: serde_json::Value,
    /// When it was found or its status last changed.
    pub updated_at: Millis,
}

impl Anomaly {
    pub(crate) fn from_record(r: AnomalyRecord) -> Result<Self, EngineError> {
        let malformed = |what: String| EngineError::Store(StoreError::Malformed { what });
        let status = AnomalyStatus::parse(&r.status)
            .ok_or_else(|| malformed(format!("anomaly '{}' has status '{}'", r.id, r.status)))?;
        let signal = r
            .signal
            .parse()
            .map_err(|e: String| malformed(format!("anomaly '{}': {e}", r.id)))?;
        Ok(Anomaly {
            id: r.id,
            seq: r.seq,
            stream: StreamRef {
                key: r.stream_key,
                service: r.service,
                signal,
            },
            detector: r.detector,
            first_event: r.first_event,
            last_event: r.last_event,
            event_time: r.event_time,
            detected_at: r.detected_at,
            score: r.score,
            p_value: r.p_value,
            status,
            summary: r.summary,
            explanation: r.explanation,
            updated_at: r.updated_at,
        })
    }
}

/// Which anomalies to list. Every given condition must hold.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnomalyQuery {
    /// Only this stream (its key).
    pub stream: Option<String>,
    /// Found at or after this time (ms since the Unix epoch).
    pub from: Option<Millis>,
    /// Found before this time (ms since the Unix epoch).
    pub to: Option<Millis>,
    /// Score at least this.
    pub min_score: Option<f64>,
    /// Only this status.
    pub status: Option<AnomalyStatus>,
    /// The next page: the `next` cursor of the previous one.
    pub before: Option<u64>,
    /// At most this many (default 100, at most 1,000).
    pub limit: Option<u32>,
}

/// One page of anomalies, newest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnomalyPage {
    /// The anomalies.
    pub anomalies: Vec<Anomaly>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next: Option<u64>,
}

impl Engine {
    /// A page of the tenant's anomalies, newest first.
    pub async fn anomalies(
        &self,
        tenant: &str,
        query: &AnomalyQuery,
    ) -> Result<AnomalyPage, EngineError> {
        let limit = query.limit.unwrap_or(DEFAULT_ANOMALY_LIMIT);
        if limit == 0 || limit > MAX_ANOMALY_LIMIT {
            return Err(EngineError::InvalidArgument {
                what: "limit".into(),
                reason: format!("must be 1 to {MAX_ANOMALY_LIMIT}, got {limit}"),
            });
        }
        if let Some(score) = query.min_score.filter(|s| !s.is_finite()) {
            return Err(EngineError::InvalidArgument {
                what: "min_score".into(),
                reason: format!("must be a finite number, got {score}"),
            });
        }
        let filter = AnomalyFilter {
            stream: query.stream.clone(),
            from: query.from,
            to: query.to,
            min_score: query.min_score,
            status: query.status.map(|s| s.as_str().to_owned()),
            before_seq: query.before,
            after_seq: None,
            limit,
            oldest_first: false,
        };
        let records = self.inner.store.list_anomalies(tenant, &filter).await?;
        let full = records.len() == limit as usize;
        let anomalies = records
            .into_iter()
            .map(Anomaly::from_record)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if full {
            anomalies.last().map(|a| a.seq)
        } else {
            None
        };
        Ok(AnomalyPage { anomalies, next })
    }

    /// Anomalies stored after `after_seq`, oldest first: what a live feed has not sent yet.
    pub async fn anomalies_after(
        &self,
        tenant: &str,
        after_seq: u64,
        stream: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Anomaly>, EngineError> {
        let filter = AnomalyFilter {
            stream: stream.map(str::to_owned),
            after_seq: Some(after_seq),
            limit: limit.clamp(1, MAX_ANOMALY_LIMIT),
            oldest_first: true,
            ..AnomalyFilter::default()
        };
        self.inner
            .store
            .list_anomalies(tenant, &filter)
            .await?
            .into_iter()
            .map(Anomaly::from_record)
            .collect()
    }

    /// The newest anomaly's `seq` in the tenant (0 if none): where a live feed starts.
    pub async fn latest_anomaly_seq(&self, tenant: &str) -> Result<u64, EngineError> {
        let filter = AnomalyFilter {
            limit: 1,
            ..AnomalyFilter::default()
        };
        let newest = self.inner.store.list_anomalies(tenant, &filter).await?;
        Ok(newest.first().map_or(0, |a| a.seq))
    }

    /// One anomaly with its explanation.
    pub async fn anomaly(&self, tenant: &str, id: &str) -> Result<Anomaly, EngineError> {
        let record = self
            .inner
            .store
            .get_anomaly(tenant, id)
            .await?
            .ok_or_else(|| not_found(id))?;
        Anomaly::from_record(record)
    }

    /// Moves an anomaly to `status` and returns it. The caller audits the change.
    pub async fn set_anomaly_status(
        &self,
        tenant: &str,
        id: &str,
        status: AnomalyStatus,
    ) -> Result<Anomaly, EngineError> {
        let record = self
            .inner
            .store
            .set_anomaly_status(tenant, id, status.as_str(), now_ms())
            .await?
            .ok_or_else(|| not_found(id))?;
        Anomaly::from_record(record)
    }

    /// Wakes when this engine stores anomalies (of any tenant): a live feed then reads what is
    /// new with [`Engine::anomalies_after`]. Anomalies stored by other processes (workers,
    /// replicas) are not announced here; a feed also reads the store every second.
    pub fn anomaly_signal(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.streams.stored.subscribe()
    }
}

fn not_found(id: &str) -> EngineError {
    EngineError::NotFound {
        what: "anomaly".into(),
        name: id.into(),
    }
}
