//! Streams: telemetry arrives as events, each stream keeps a detector whose state lives in
//! the store, and what the detectors find is stored as anomalies with their explanations.
//!
//! A stream is named by its tenant, service, signal and, for metrics, the metric, plus an
//! optional partition attribute (`checkout/logs`, `checkout/metrics/http.duration`,
//! `checkout/logs/host.name=web-1`). Text streams (logs, traces, events) are scored by
//! compression-based detection, metrics by robust online scoring.
//!
//! Each batch is applied to a stream's detector and written back, with the anomalies it found,
//! in one transaction that names the stream version it started from. Two engines feeding the
//! same stream therefore never lose each other's events: the one that loses the race reads the
//! stream again and re-applies its batch. A restarted engine resumes from the stored state.

mod anomaly;
mod evidence;
mod live;
mod settings;
mod state;
mod stored_evidence;
mod summary;

use std::collections::HashMap;

use phantom_store::{AnomalyRecord, Millis, Storage, StreamRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use anomaly::{
    Anomaly, AnomalyPage, AnomalyQuery, AnomalyStatus, DEFAULT_ANOMALY_LIMIT, MAX_ANOMALY_LIMIT,
    StreamRef,
};
pub use evidence::{
    EVIDENCE_KEY_SETTING, EvidencePublicKey, EvidenceQuery, MAX_EVIDENCE_ANOMALIES,
};
pub(crate) use live::LiveStreams;
pub use settings::{DetectorName, DetectorSettings, StreamSettingsRequest};
pub use state::EventBody;
pub use stored_evidence::{
    DEFAULT_EVIDENCE_LIMIT, EvidenceInfo, EvidenceListQuery, EvidencePage, MAX_EVIDENCE_LIMIT,
    SignedEvidence,
};

use crate::engine::now_ms;
use crate::{Engine, EngineError};
use state::StreamState;

/// Attempts at writing a batch when other writers keep winning the race for the stream.
const SAVE_ATTEMPTS: usize = 8;

/// What kind of telemetry a stream carries.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// OpenTelemetry logs.
    Logs,
    /// OpenTelemetry metrics.
    Metrics,
    /// OpenTelemetry spans.
    Traces,
    /// JSON events.
    Events,
}

impl Signal {
    /// The signal's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Logs => "logs",
            Signal::Metrics => "metrics",
            Signal::Traces => "traces",
            Signal::Events => "events",
        }
    }
}

impl std::str::FromStr for Signal {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        [
            Signal::Logs,
            Signal::Metrics,
            Signal::Traces,
            Signal::Events,
        ]
        .into_iter()
        .find(|signal| signal.as_str() == s)
        .ok_or_else(|| format!("unknown signal '{s}': use logs, metrics, traces or events"))
    }
}

/// Which stream an event belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamId {
    /// The service (`service.name`).
    pub service: String,
    /// The signal.
    pub signal: Signal,
    /// For metrics: the metric's name.
    pub metric: Option<String>,
    /// The partition attribute's name and value, when the stream is split by one.
    pub partition: Option<(String, String)>,
}

impl StreamId {
    /// The stream's key: its parts joined by `/`, each with `%`, `/` and `=` escaped
    /// (`%25`, `%2F`, `%3D`).
    pub fn key(&self) -> String {
        let mut key = escape(&self.service);
        key.push('/');
        key.push_str(self.signal.as_str());
        if let Some(metric) = &self.metric {
            key.push('/');
            key.push_str(&escape(metric));
        }
        if let Some((name, value)) = &self.partition {
            key.push('/');
            key.push_str(&escape(name));
            key.push('=');
            key.push_str(&escape(value));
        }
        key
    }
}

impl std::str::FromStr for StreamId {
    type Err = EngineError;

    /// Reads a key back: `service/signal`, then for metrics the metric, then optionally
    /// `attribute=value`.
    fn from_str(key: &str) -> Result<Self, EngineError> {
        let bad = |reason: String| EngineError::InvalidArgument {
            what: format!("stream key '{key}'"),
            reason,
        };
        let parts: Vec<String> = key.split('/').map(unescape).collect();
        let (service, signal, rest) = match parts.as_slice() {
            [service, signal, rest @ ..] if !service.is_empty() => (service, signal, rest),
            _ => {
                return Err(bad(
                    "expected service/signal[/metric][/attribute=value], e.g. checkout/logs".into(),
                ));
            }
        };
        let signal: Signal = signal.parse().map_err(bad)?;
        let (metric, rest) = match (signal, rest) {
            (Signal::Metrics, [metric, rest @ ..]) => (Some(metric.clone()), rest),
            (Signal::Metrics, []) => {
                return Err(bad(
                    "a metrics stream names its metric: service/metrics/name".into(),
                ));
            }
            (Signal::Logs | Signal::Traces | Signal::Events, rest) => (None, rest),
        };
        let partition = match rest {
            [] => None,
            [attribute] => {
                let raw = key.rsplit('/').next().unwrap_or_default();
                let (name, value) = raw
                    .split_once('=')
                    .ok_or_else(|| bad(format!("'{attribute}' is not attribute=value")))?;
                Some((unescape(name), unescape(value)))
            }
            [_, extra, ..] => return Err(bad(format!("unexpected part '{extra}'"))),
        };
        Ok(StreamId {
            service: service.clone(),
            signal,
            metric,
            partition,
        })
    }
}

fn unescape(part: &str) -> String {
    part.replace("%2F", "/")
        .replace("%3D", "=")
        .replace("%25", "%")
}

fn escape(part: &str) -> String {
    part.replace('%', "%25")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// One event for a stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamEvent {
    /// Its stream.
    pub stream: StreamId,
    /// The telemetry's own time, in ms since the Unix epoch, if it had one.
    pub time: Option<Millis>,
    /// Its content.
    pub body: EventBody,
}

/// What one ingestion did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestReport {
    /// Events applied to their streams.
    pub accepted: u64,
    /// Events refused (a value that is not a finite number, or the events of a new stream
    /// beyond the tenant's `max_streams`).
    pub rejected: u64,
    /// Why the first refused event was refused.
    pub rejection: Option<String>,
    /// Streams the events went to.
    pub streams: usize,
    /// Anomalies found.
    pub anomalies: Vec<Anomaly>,
}

/// A stream as listed: its detector settings and how far it has got.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamInfo {
    /// The key.
    pub key: String,
    /// The service.
    pub service: String,
    /// The signal.
    pub signal: Signal,
    /// The detector and its settings.
    pub settings: DetectorSettings,
    /// Events received.
    pub events_seen: u64,
    /// When the first event (or settings) arrived, ms since the Unix epoch.
    pub created_at: Millis,
    /// When it last changed.
    pub updated_at: Millis,
}

impl StreamInfo {
    fn from_record(r: &StreamRecord) -> Result<Self, EngineError> {
        let malformed =
            |what: String| EngineError::Store(phantom_store::StoreError::Malformed { what });
        Ok(StreamInfo {
            key: r.key.clone(),
            service: r.service.clone(),
            signal: r
                .signal
                .parse()
                .map_err(|e: String| malformed(format!("stream '{}': {e}", r.key)))?,
            settings: serde_json::from_value(r.settings.clone())
                .map_err(|e| malformed(format!("the settings of stream '{}': {e}", r.key)))?,
            events_seen: r.events_seen,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A stream loaded for writing: its stored row and its decoded state.
struct Loaded {
    record: StreamRecord,
    state: StreamState,
    settings: DetectorSettings,
}

impl Engine {
    /// Applies events to their streams, in order, and stores what the detectors found.
    /// `source` names where a batch came from with its sequence number (a NATS partition and
    /// message), so the same message applied twice is skipped; direct ingestion passes `None`.
    /// When this returns `Ok`, the events' effect on every stream and the anomalies are stored.
    pub async fn ingest(
        &self,
        tenant: &str,
        events: Vec<StreamEvent>,
        source: Option<(&str, u64)>,
    ) -> Result<IngestReport, EngineError> {
        let mut report = IngestReport::default();
        let mut groups: Vec<(StreamId, Vec<StreamEvent>)> = Vec::new();
        let mut index: HashMap<StreamId, usize> = HashMap::new();
        for event in events {
            if let EventBody::Value(v) = event.body
                && !v.is_finite()
            {
                report.rejected += 1;
                report.rejection.get_or_insert_with(|| {
                    format!(
                        "a value of metric stream '{}' is {v}, not a finite number",
                        event.stream.key()
                    )
                });
                continue;
            }
            // Looked up before inserting: most events go to a stream already seen, and their
            // key is then not cloned.
            let slot = match index.get(&event.stream) {
                Some(&slot) => slot,
                None => {
                    index.insert(event.stream.clone(), groups.len());
                    groups.push((event.stream.clone(), Vec::new()));
                    groups.len() - 1
                }
            };
            groups[slot].1.push(event);
        }
        report.streams = groups.len();
        for (id, events) in groups {
            let count = events.len() as u64;
            match self.apply_batch(tenant, &id, events, source).await {
                Ok(found) => {
                    report.accepted += count;
                    report.anomalies.extend(found);
                }
                Err(e @ EngineError::QuotaExceeded { .. }) => {
                    report.rejected += count;
                    report.rejection.get_or_insert_with(|| {
                        format!(
                            "stream '{}' was not created: {e}; raise the tenant's max_streams or send to existing streams",
                            id.key()
                        )
                    });
                }
                Err(e) => return Err(e),
            }
        }
        if !report.anomalies.is_empty() {
            self.inner.streams.announce();
        }
        Ok(report)
    }

    /// Applies one stream's events and stores the result, retrying when another writer got
    /// to the stream first.
    async fn apply_batch(
        &self,
        tenant: &str,
        id: &StreamId,
        events: Vec<StreamEvent>,
        source: Option<(&str, u64)>,
    ) -> Result<Vec<Anomaly>, EngineError> {
        let key = id.key();
        let slot = self.inner.streams.slot(tenant, &key);
        let mut cached = slot.lock().await;
        let events = std::sync::Arc::new(events);
        for _ in 0..SAVE_ATTEMPTS {
            let mut loaded = match cached.take() {
                Some(loaded) => loaded,
                None => self.load_stream(tenant, id, &key).await?,
            };
            if let Some((name, seq)) = source
                && loaded
                    .state
                    .applied
                    .get(name)
                    .is_some_and(|&done| done >= seq)
            {
                *cached = Some(loaded);
                return Ok(Vec::new());
            }
            let batch = std::sync::Arc::clone(&events);
            let source = source.map(|(name, seq)| (name.to_owned(), seq));
            let (mut loaded, findings) = tokio::task::spawn_blocking(move || {
                let findings = apply(&mut loaded, &batch, source);
                (loaded, findings)
            })
            .await
            .map_err(|e| EngineError::Internal(format!("applying a batch: {e}")))?;
            // A refused event leaves the detector half-way through the batch: drop it, so the
            // next batch starts again from the stored state.
            let findings = findings?;
            let now = now_ms();
            let anomalies: Vec<AnomalyRecord> = findings
                .into_iter()
                .map(|(f, time)| anomaly_record(tenant, &loaded.record, f, time, now))
                .collect();
            let expected = loaded.record.version;
            loaded.record.state = Some(loaded.state.encode()?);
            loaded.record.settings = serde_json::to_value(&loaded.settings)
                .map_err(|e| EngineError::Internal(format!("encoding settings: {e}")))?;
            loaded.record.updated_at = now;
            if self
                .inner
                .store
                .save_stream(&loaded.record, expected, &anomalies)
                .await?
            {
                loaded.record.version = expected + 1;
                loaded.record.state = None;
                *cached = Some(loaded);
                return anomalies.into_iter().map(Anomaly::from_record).collect();
            }
        }
        Err(EngineError::Internal(format!(
            "stream '{key}' kept changing under this engine ({SAVE_ATTEMPTS} attempts); send the batch again"
        )))
    }

    /// `QuotaExceeded` if the tenant already holds its `max_streams`. Checked when a stream is
    /// first seen, by counting the stored streams: writers creating streams at the same
    /// moment can each pass the check, so the quota can be overshot by the streams they
    /// create at once.
    async fn check_stream_quota(&self, tenant: &str) -> Result<(), EngineError> {
        let Some(limit) = self.tenant_quotas(tenant).await?.max_streams else {
            return Ok(());
        };
        let held = self.inner.store.list_streams(tenant).await?.len() as u64;
        if held >= limit {
            return Err(EngineError::QuotaExceeded {
                tenant: tenant.to_owned(),
                what: "telemetry streams".into(),
                limit,
            });
        }
        Ok(())
    }

    /// Reads a stream from the store, or starts it with the signal's default detector.
    async fn load_stream(
        &self,
        tenant: &str,
        id: &StreamId,
        key: &str,
    ) -> Result<Loaded, EngineError> {
        match self.inner.store.get_stream(tenant, key).await? {
            Some(mut record) => {
                let settings = stored_settings(key, &record.settings)?;
                let state = match record.state.take() {
                    Some(bytes) => StreamState::decode(&bytes, key)?,
                    None => {
                        StreamState::new(&settings, record.events_seen, StreamState::empty_chain())?
                    }
                };
                Ok(Loaded {
                    record,
                    state,
                    settings,
                })
            }
            None => {
                self.check_stream_quota(tenant).await?;
                let settings = DetectorSettings::default_for(id.signal);
                let now = now_ms();
                Ok(Loaded {
                    record: StreamRecord {
                        tenant: tenant.into(),
                        key: key.into(),
                        service: id.service.clone(),
                        signal: id.signal.as_str().into(),
                        settings: serde_json::Value::Null,
                        state: None,
                        events_seen: 0,
                        version: 0,
                        created_at: now,
                        updated_at: now,
                    },
                    state: StreamState::new(&settings, 0, StreamState::empty_chain())?,
                    settings,
                })
            }
        }
    }

    /// The tenant's streams, by key.
    pub async fn streams(&self, tenant: &str) -> Result<Vec<StreamInfo>, EngineError> {
        self.inner
            .store
            .list_streams(tenant)
            .await?
            .iter()
            .map(StreamInfo::from_record)
            .collect()
    }

    /// One stream.
    pub async fn stream(&self, tenant: &str, key: &str) -> Result<StreamInfo, EngineError> {
        let record = self
            .inner
            .store
            .get_stream(tenant, key)
            .await?
            .ok_or_else(|| stream_not_found(key))?;
        StreamInfo::from_record(&record)
    }

    /// Changes a stream's detector (creating the stream if it has no events yet). The detector
    /// starts afresh: its baseline is rebuilt from the events that follow; the stream's event
    /// numbers and hash chain go on. The caller audits the change.
    pub async fn set_stream_settings(
        &self,
        tenant: &str,
        id: &StreamId,
        request: &StreamSettingsRequest,
    ) -> Result<StreamInfo, EngineError> {
        let settings = request.resolve(id.signal)?;
        let key = id.key();
        let slot = self.inner.streams.slot(tenant, &key);
        let mut cached = slot.lock().await;
        for _ in 0..SAVE_ATTEMPTS {
            cached.take();
            let mut loaded = self.load_stream(tenant, id, &key).await?;
            let chain = loaded.state.chain.clone();
            loaded.state = StreamState::new(&settings, loaded.record.events_seen, chain)?;
            loaded.settings = settings.clone();
            loaded.record.settings = serde_json::to_value(&settings)
                .map_err(|e| EngineError::Internal(format!("encoding settings: {e}")))?;
            loaded.record.state = Some(loaded.state.encode()?);
            loaded.record.updated_at = now_ms();
            let expected = loaded.record.version;
            if self
                .inner
                .store
                .save_stream(&loaded.record, expected, &[])
                .await?
            {
                loaded.record.version = expected + 1;
                let info = StreamInfo::from_record(&loaded.record)?;
                loaded.record.state = None;
                *cached = Some(loaded);
                return Ok(info);
            }
        }
        Err(EngineError::Internal(format!(
            "stream '{key}' kept changing under this engine; try again"
        )))
    }
}

/// Feeds a batch to a loaded stream; each finding with the time of the event that ended it.
fn apply(
    loaded: &mut Loaded,
    events: &[StreamEvent],
    source: Option<(String, u64)>,
) -> Result<Vec<(state::Finding, Option<Millis>)>, EngineError> {
    let mut findings = Vec::new();
    for event in events {
        if let Some(mut finding) = loaded.state.push(&event.body)? {
            finding.explanation["chain_sha256"] = loaded.state.chain.clone().into();
            findings.push((finding, event.time));
        }
        loaded.record.events_seen += 1;
    }
    if let Some((name, seq)) = source {
        loaded.state.applied.insert(name, seq);
    }
    Ok(findings)
}

fn anomaly_record(
    tenant: &str,
    stream: &StreamRecord,
    f: state::Finding,
    event_time: Option<Millis>,
    now: Millis,
) -> AnomalyRecord {
    let detector = f.detector.to_owned();
    AnomalyRecord {
        seq: 0,
        id: anomaly_id(tenant, &stream.key, &detector, f.last_event),
        tenant: tenant.into(),
        stream_key: stream.key.clone(),
        service: stream.service.clone(),
        signal: stream.signal.clone(),
        detector,
        first_event: f.first_event,
        last_event: f.last_event,
        event_time,
        detected_at: now,
        score: f.score,
        p_value: f.p_value,
        status: AnomalyStatus::Open.as_str().into(),
        summary: f.summary,
        explanation: f.explanation,
        updated_at: now,
    }
}

/// Reads a stream's stored detector settings.
fn stored_settings(
    key: &str,
    settings: &serde_json::Value,
) -> Result<DetectorSettings, EngineError> {
    serde_json::from_value(settings.clone()).map_err(|e| {
        EngineError::Store(phantom_store::StoreError::Malformed {
            what: format!("the settings of stream '{key}' ({e})"),
        })
    })
}

/// Checks that a stream's key, settings and detector state, as a store or a backup holds
/// them, can be read back by this engine.
pub(crate) fn check_stored_stream(
    key: &str,
    settings: &serde_json::Value,
    state: Option<&[u8]>,
) -> Result<(), EngineError> {
    key.parse::<StreamId>()?;
    stored_settings(key, settings)?;
    if let Some(bytes) = state {
        StreamState::decode(bytes, key)?;
    }
    Ok(())
}

/// The same finding always gets the same id: `an_` and 24 hex digits of the SHA-256 of the
/// tenant, stream, detector and last event.
pub(crate) fn anomaly_id(tenant: &str, key: &str, detector: &str, last_event: u64) -> String {
    let mut h = Sha256::new();
    for part in [tenant, key, detector] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(last_event.to_be_bytes());
    format!("an_{}", &hex::encode(h.finalize())[..24])
}

fn stream_not_found(key: &str) -> EngineError {
    EngineError::NotFound {
        what: "stream".into(),
        name: key.into(),
    }
}
