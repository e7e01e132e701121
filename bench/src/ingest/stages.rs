//! The full path in this process, one stage at a time and one task at a time, to show what
//! each stage costs per record: decoding (gzip, protobuf or JSON, flattening, conversion to
//! stream events), the detector alone (`LogDetector`, as each stream runs it), and
//! `Engine::ingest` on a temporary SQLite store (detector, hash chain, explanations, state
//! encoding, the transaction). Time is the process's CPU time, every thread included, and the
//! wall clock.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Result;
use phantom_detect::text::LogDetector;
use phantom_engine::streams::{DetectorSettings, EventBody, Signal, StreamEvent};
use phantom_engine::{Engine, EngineConfig};
use phantom_otlp::{Signal as OtlpSignal, decode, decode_body};

use super::{Workload, cpu_seconds_of_this_process, stream_events};

/// The cost of one stage over the whole workload.
pub struct Stage {
    /// What was timed.
    pub name: &'static str,
    /// Records through it.
    pub records: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// CPU seconds of this process.
    pub cpu_seconds: f64,
    /// Anomalies found, for the stages that detect.
    pub anomalies: Option<usize>,
}

/// Runs the three stages over `passes` passes of the workload's bodies.
pub async fn run(workload: &Workload, passes: usize) -> Result<Vec<Stage>> {
    let records = workload.bodies.len() * workload.records * passes;
    let mut events: Vec<Vec<StreamEvent>> = Vec::new();
    let decoding = timed("decode: body, OTLP, stream events", records, || {
        for _ in 0..passes {
            for body in &workload.bodies {
                let bytes = decode_body(body, workload.format.content_encoding(), usize::MAX)?;
                let batch = decode(OtlpSignal::Logs, &bytes, workload.format.body_format())?;
                events.push(stream_events(&batch));
            }
        }
        Ok(None)
    })?;

    let detecting = timed("detect: LogDetector alone", records, || {
        let DetectorSettings::Cbad { settings } = DetectorSettings::default_for(Signal::Logs)
        else {
            anyhow::bail!("the default detector of log streams is no longer CBAD");
        };
        let mut detectors: HashMap<&str, LogDetector> = HashMap::new();
        let mut anomalies = 0;
        for event in events.iter().flatten() {
            let EventBody::Text(text) = &event.body else {
                anyhow::bail!("a log record decoded to a number");
            };
            let detector = match detectors.get_mut(event.stream.service.as_str()) {
                Some(d) => d,
                None => detectors
                    .entry(event.stream.service.as_str())
                    .or_insert(LogDetector::new(settings.clone())?),
            };
            anomalies += usize::from(detector.push(text)?.is_some_and(|v| v.is_anomaly));
        }
        Ok(Some(anomalies))
    })?;

    let dir = tempfile::tempdir()?;
    let engine = Engine::open(EngineConfig {
        data_dir: dir.path().to_owned(),
        ..EngineConfig::default()
    })
    .await?;
    let (started, started_cpu) = (Instant::now(), cpu_seconds_of_this_process()?);
    let mut anomalies = 0;
    for batch in events {
        anomalies += engine.ingest("bench", batch, None).await?.anomalies.len();
    }
    let ingesting = Stage {
        name: "Engine::ingest: detect, chain, encode state, store (SQLite)",
        records,
        seconds: started.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds_of_this_process()? - started_cpu,
        anomalies: Some(anomalies),
    };
    engine.close().await;
    Ok(vec![decoding, detecting, ingesting])
}

fn timed(
    name: &'static str,
    records: usize,
    work: impl FnOnce() -> Result<Option<usize>>,
) -> Result<Stage> {
    let (started, started_cpu) = (Instant::now(), cpu_seconds_of_this_process()?);
    let anomalies = work()?;
    Ok(Stage {
        name,
        records,
        seconds: started.elapsed().as_secs_f64(),
        cpu_seconds: cpu_seconds_of_this_process()? - started_cpu,
        anomalies,
    })
}
