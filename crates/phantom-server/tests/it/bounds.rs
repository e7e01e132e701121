//! Time and connection bounds, with raw TCP clients: a client that trickles its headers is
//! cut off, a request that does not finish in time is answered 503 naming the limit (later
//! for upload routes), requests over the in-flight cap are answered 503 at once, and
//! connections over the cap wait until one closes. SQLite only: these bound the HTTP layer.

use std::time::{Duration, Instant};

use phantom_engine::auth::Role;
use phantom_server::ServerConfig;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Backend, Server};

/// Opens a connection to `s` and sends `head` (and whatever body prefix it carries).
async fn send(s: &Server, head: &str) -> TcpStream {
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Everything the server sends until it closes the connection or `within` ends; `None` if
/// the connection is still open and silent then.
async fn answer(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&out).into_owned()),
            Ok(Ok(n)) => {
                out.extend_from_slice(&buf[..n]);
                if response_complete(&out) {
                    return Some(String::from_utf8_lossy(&out).into_owned());
                }
            }
            Err(_) => {
                return (!out.is_empty()).then(|| String::from_utf8_lossy(&out).into_owned());
            }
        }
    }
}

/// Whether `bytes` hold a whole response with a `content-length`.
fn response_complete(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .is_some_and(|len| body.len() >= len)
}

/// The status and JSON body of a raw response.
fn parse(response: &str) -> (u16, Value) {
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a response: {response:?}"));
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// A POST whose declared body never fully arrives.
fn stalled_post(path: &str, key: &str, content_type: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nhost: phantom\r\nauthorization: Bearer {key}\r\n\
         content-type: {content_type}\r\ncontent-length: 1000\r\n\r\n{{"
    )
}

const GET_VERSION: &str = "GET /v1/version HTTP/1.1\r\nhost: phantom\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    let s = Server::start_with(
        &Backend::Sqlite,
        ServerConfig {
            header_read_timeout: Duration::from_millis(800),
            ..ServerConfig::default()
        },
    )
    .await;
    let started = Instant::now();
    let mut slow = send(&s, "GET /v1/version HTTP/1.1\r\nhost: phan").await;
    let closed = answer(&mut slow, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "the connection was left open");
    let took = started.elapsed();
    assert!(
        (Duration::from_millis(700)..Duration::from_secs(4)).contains(&took),
        "{took:?}"
    );

    let mut prompt = send(&s, GET_VERSION).await;
    let (status, _) = parse(&answer(&mut prompt, Duration::from_secs(5)).await.unwrap());
    assert_eq!(
        status, 200,
        "a client that sends its headers in time is served"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_deadline_is_answered_503_naming_the_limit() {
    let s = Server::start_with(
        &Backend::Sqlite,
        ServerConfig {
            request_timeout: Duration::from_secs(1),
            upload_timeout: Duration::from_secs(3),
            ..ServerConfig::default()
        },
    )
    .await;
    let key = s.tenant.key(Role::Developer).to_owned();
    let started = Instant::now();
    let mut json = send(&s, &stalled_post("/v1/models", &key, "application/json")).await;
    let (status, body) = parse(&answer(&mut json, Duration::from_secs(5)).await.unwrap());
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "timeout", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("1 s (request_timeout)"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // Training uploads get the longer deadline.
    let started = Instant::now();
    let mut upload = send(&s, &stalled_post("/v1/models/m/train", &key, "text/csv")).await;
    assert_eq!(
        answer(&mut upload, Duration::from_millis(1_800)).await,
        None,
        "an upload is not cut off at the request timeout"
    );
    let (status, body) = parse(&answer(&mut upload, Duration::from_secs(5)).await.unwrap());
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("timeout"))
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("3 s (upload_timeout)"), "{message}");
    assert!(started.elapsed() >= Duration::from_millis(2_900));

    // The timeouts are audited like any other answer.
    let audit = s
        .req("GET", "/v1/audit?action=models.create&limit=5")
        .key(s.tenant.admin())
        .send()
        .await
        .json();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["result"] == "failed"
                && r["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("request_timeout"))),
        "{audit}"
    );
    drop((json, upload));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_over_the_in_flight_cap_are_answered_503_at_once() {
    let s = Server::start_with(
        &Backend::Sqlite,
        ServerConfig {
            max_in_flight_requests: 1,
            request_timeout: Duration::from_secs(20),
            ..ServerConfig::default()
        },
    )
    .await;
    let key = s.tenant.key(Role::Developer).to_owned();
    let mut holder = send(&s, &stalled_post("/v1/models", &key, "application/json")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut over = send(&s, GET_VERSION).await;
    let response = answer(&mut over, Duration::from_secs(5)).await.unwrap();
    let (status, body) = parse(&response);
    assert_eq!(status, 503, "{response}");
    assert_eq!(body["error"]["code"], "unavailable");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("max_in_flight_requests"), "{message}");
    assert!(
        response.to_ascii_lowercase().contains("retry-after: 1"),
        "{response}"
    );

    let mut live = send(&s, "GET /healthz HTTP/1.1\r\nhost: phantom\r\n\r\n").await;
    let (status, _) = parse(&answer(&mut live, Duration::from_secs(5)).await.unwrap());
    assert_eq!(status, 200, "liveness is never refused");

    holder.shutdown().await.unwrap();
    drop(holder);
    let mut freed = None;
    for _ in 0..50 {
        let mut again = send(&s, GET_VERSION).await;
        let (status, _) = parse(&answer(&mut again, Duration::from_secs(5)).await.unwrap());
        if status == 200 {
            freed = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        freed,
        Some(200),
        "the slot comes back when the request ends"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait_for_one_to_close() {
    let s = Server::start_with(
        &Backend::Sqlite,
        ServerConfig {
            max_connections: 1,
            ..ServerConfig::default()
        },
    )
    .await;
    let idle = TcpStream::connect(s.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut waiting = send(&s, GET_VERSION).await;
    assert_eq!(
        answer(&mut waiting, Duration::from_millis(700)).await,
        None,
        "the second connection is not served while the first is open"
    );
    drop(idle);
    let (status, _) = parse(&answer(&mut waiting, Duration::from_secs(5)).await.unwrap());
    assert_eq!(status, 200);
    s.stop().await;
}
