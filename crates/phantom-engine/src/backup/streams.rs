//! The telemetry part of a backup: streams with their detector state, and their anomalies.

use std::collections::BTreeMap;

use phantom_store::{AnomalyFilter, AnomalyRecord, Storage, Store, StreamRecord};

use super::format::{ManifestStream, Part};
use super::{RestoreReport, SkippedStream};
use crate::streams::{anomaly_id, check_stored_stream};
use crate::{Engine, EngineError};

/// Anomalies read per query while backing up.
const PAGE: u32 = 1_000;

/// The tenant's streams, and the states of those that have one, in the same order.
pub(super) async fn collect_streams(
    store: &Store,
    tenant: &str,
) -> Result<(Vec<ManifestStream>, Vec<Vec<u8>>), EngineError> {
    let mut streams = Vec::new();
    let mut states = Vec::new();
    for listed in store.list_streams(tenant).await? {
        // Listings leave the state out; a stream that vanished in between is not backed up.
        let Some(record) = store.get_stream(tenant, &listed.key).await? else {
            continue;
        };
        let state = record.state.as_deref().map(Part::of);
        states.extend(record.state);
        streams.push(ManifestStream {
            key: record.key,
            service: record.service,
            signal: record.signal,
            settings: record.settings,
            events_seen: record.events_seen,
            created_at: record.created_at,
            updated_at: record.updated_at,
            state,
        });
    }
    Ok((streams, states))
}

/// Every anomaly of the tenant, oldest first.
pub(super) async fn collect_anomalies(
    store: &Store,
    tenant: &str,
) -> Result<Vec<AnomalyRecord>, EngineError> {
    let mut all: Vec<AnomalyRecord> = Vec::new();
    loop {
        let page = store
            .list_anomalies(
                tenant,
                &AnomalyFilter {
                    after_seq: all.last().map(|a| a.seq),
                    limit: PAGE,
                    oldest_first: true,
                    ..AnomalyFilter::default()
                },
            )
            .await?;
        let full = page.len() == PAGE as usize;
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

/// Restores the streams of a backup made in tenant `from` into `tenant`, each with its
/// anomalies in one write. Every stream is checked before any is written.
#[allow(clippy::too_many_arguments)]
pub(super) async fn restore(
    engine: &Engine,
    tenant: &str,
    from: &str,
    streams: Vec<ManifestStream>,
    states: Vec<Option<Vec<u8>>>,
    anomalies: Vec<AnomalyRecord>,
    replace: bool,
    report: &mut RestoreReport,
) -> Result<(), EngineError> {
    for (stream, state) in streams.iter().zip(&states) {
        check_stored_stream(&stream.key, &stream.settings, state.as_deref())?;
    }
    let mut by_stream: BTreeMap<String, Vec<AnomalyRecord>> = BTreeMap::new();
    for mut anomaly in anomalies {
        if tenant != from {
            // Ids are derived from the tenant: the same finding in another tenant has its own.
            anomaly.id = anomaly_id(
                tenant,
                &anomaly.stream_key,
                &anomaly.detector,
                anomaly.last_event,
            );
        }
        anomaly.tenant = tenant.to_owned();
        anomaly.seq = 0;
        by_stream
            .entry(anomaly.stream_key.clone())
            .or_default()
            .push(anomaly);
    }
    let store = &engine.inner.store;
    for (stream, state) in streams.into_iter().zip(states) {
        let anomalies = by_stream.remove(&stream.key).unwrap_or_default();
        let existing = store.get_stream(tenant, &stream.key).await?;
        if existing.is_some() && !replace {
            report.skipped_streams.push(SkippedStream {
                key: stream.key,
                reason: "a stream with this key exists; restore with replace to overwrite it"
                    .into(),
            });
            continue;
        }
        let mut fresh = Vec::with_capacity(anomalies.len());
        for anomaly in anomalies {
            // Only a stream being replaced can already hold some of them.
            if existing.is_none() || store.get_anomaly(tenant, &anomaly.id).await?.is_none() {
                fresh.push(anomaly);
            }
        }
        let record = StreamRecord {
            tenant: tenant.to_owned(),
            key: stream.key.clone(),
            service: stream.service,
            signal: stream.signal,
            settings: stream.settings,
            state,
            events_seen: stream.events_seen,
            version: 0,
            created_at: stream.created_at,
            updated_at: stream.updated_at,
        };
        let expected = existing.map_or(0, |s| s.version);
        if !store.save_stream(&record, expected, &fresh).await? {
            return Err(EngineError::Internal(format!(
                "stream '{}' changed while it was being restored; stop ingesting into it and restore again",
                stream.key
            )));
        }
        report.anomalies_restored += fresh.len();
        report.streams_restored.push(stream.key);
    }
    for (key, orphans) in by_stream {
        report.skipped_streams.push(SkippedStream {
            reason: format!(
                "the backup holds {} anomalies of this stream but not the stream itself",
                orphans.len()
            ),
            key,
        });
    }
    Ok(())
}
