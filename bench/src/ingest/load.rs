//! Sends a workload's bodies to `POST /v1/logs` over `concurrency` HTTP/1.1 keep-alive
//! connections for a fixed time, each connection one request at a time, as OpenTelemetry
//! exporters do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1;
use hyper::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::Workload;

/// Where and how to send.
pub struct Target {
    /// `host:port` of the server.
    pub addr: String,
    /// The API key (`Authorization: Bearer`).
    pub key: String,
}

/// What one run did.
#[derive(Default)]
pub struct Outcome {
    /// Requests answered 200.
    pub requests: u64,
    /// Answers other than 200, with the first one's status and body.
    pub failures: u64,
    /// The first failure.
    pub first_failure: Option<String>,
    /// The latency of each answered request.
    pub latencies: Vec<Duration>,
    /// How long the run took, from the first request to the last answer.
    pub elapsed: Duration,
}

/// Sends `workload` for `duration` over `concurrency` connections. Connection `i` sends bodies
/// `i`, `i + concurrency`, ... round the list.
pub async fn run(
    target: &Target,
    workload: &Workload,
    concurrency: usize,
    duration: Duration,
) -> Result<Outcome> {
    let bodies = Arc::new(workload.bodies.clone());
    let target = Arc::new((
        target.addr.clone(),
        format!("Bearer {}", target.key),
        workload.format,
    ));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for first in 0..concurrency {
        let (bodies, target) = (Arc::clone(&bodies), Arc::clone(&target));
        tasks.push(tokio::spawn(async move {
            connection(
                &target.0,
                &target.1,
                target.2,
                &bodies,
                first,
                concurrency,
                deadline,
            )
            .await
        }));
    }
    let mut outcome = Outcome::default();
    for task in tasks {
        let one = task.await.context("a connection task panicked")??;
        outcome.requests += one.requests;
        outcome.failures += one.failures;
        outcome.first_failure = outcome.first_failure.or(one.first_failure);
        outcome.latencies.extend(one.latencies);
    }
    outcome.elapsed = started.elapsed();
    Ok(outcome)
}

async fn connection(
    addr: &str,
    authorization: &str,
    format: super::Format,
    bodies: &[Bytes],
    first: usize,
    step: usize,
    deadline: Instant,
) -> Result<Outcome> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}: is the server running?"))?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut outcome = Outcome::default();
    let mut next = first % bodies.len();
    while Instant::now() < deadline {
        let mut request = Request::post("/v1/logs")
            .header(HOST, addr)
            .header(AUTHORIZATION, authorization)
            .header(CONTENT_TYPE, format.content_type());
        if let Some(encoding) = format.content_encoding() {
            request = request.header(CONTENT_ENCODING, encoding);
        }
        let request = request.body(Full::new(bodies[next].clone()))?;
        next = (next + step) % bodies.len();
        let sent = Instant::now();
        let response = match sender.send_request(request).await {
            Ok(response) => response,
            Err(e) if e.is_closed() || e.is_canceled() => {
                bail!("the server closed the connection: {e}")
            }
            Err(e) => return Err(e.into()),
        };
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if status.is_success() {
            outcome.requests += 1;
            outcome.latencies.push(sent.elapsed());
        } else {
            outcome.failures += 1;
            outcome
                .first_failure
                .get_or_insert_with(|| format!("{status}: {}", String::from_utf8_lossy(&body)));
        }
    }
    Ok(outcome)
}

/// Sums the counter `name` for `signal="logs"` in the server's `/metrics`.
pub async fn logs_counter(target: &Target, name: &str) -> Result<f64> {
    let stream = TcpStream::connect(&target.addr)
        .await
        .with_context(|| format!("connecting to {}", target.addr))?;
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let request = Request::get("/metrics")
        .header(HOST, &target.addr)
        .header(AUTHORIZATION, format!("Bearer {}", target.key))
        .body(Full::new(Bytes::new()))?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let text = String::from_utf8_lossy(&body);
    if !status.is_success() {
        bail!("GET /metrics answered {status}: {text}");
    }
    Ok(text
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) && l.contains("signal=\"logs\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum())
}
