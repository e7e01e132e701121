//! `phantom serve` as a process: it bootstraps an admin key once, serves the API, stops
//! cleanly on SIGTERM, and keeps its data across restarts.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::process::LoggedChild;
use crate::support::workdir;

/// A running `phantom serve` and the lines it has logged.
pub(crate) struct Served {
    process: LoggedChild,
    pub(crate) addr: SocketAddr,
}

impl Served {
    /// Starts `phantom serve` on a free port over `data_dir` and waits until it listens.
    pub(crate) fn start(data_dir: &Path) -> Served {
        let mut process = LoggedChild::spawn(
            Command::new(env!("CARGO_BIN_EXE_phantom"))
                .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
                .arg(data_dir)
                .env_remove("PHANTOM_DATABASE_URL")
                .env_remove("PHANTOM_ADDR"),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = loop {
            let line = process
                .log
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no 'listening on' within 30 s: {:?}", process.logged));
            let found = line
                .split("listening on http://")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .map(|a| a.parse::<SocketAddr>().unwrap());
            process.logged.push(line);
            if let Some(addr) = found {
                break addr;
            }
        };
        Served { process, addr }
    }

    /// Sends SIGTERM and waits for a clean exit; returns everything logged.
    pub(crate) fn terminate(mut self) -> Vec<String> {
        self.process.terminate()
    }

    /// One HTTP/1.1 request on its own connection; returns the status and the body.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\ncontent-length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(key) = key {
            request.push_str(&format!("authorization: Bearer {key}\r\n"));
        }
        if !body.is_empty() {
            request.push_str("content-type: application/json\r\n");
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        assert!(
            head.to_lowercase().contains("\r\nx-request-id: "),
            "no request id: {head}"
        );
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
        };
        (status, body)
    }
}

/// A test that fails before `terminate` leaves no server behind.
#[test]
fn serve_bootstraps_serves_and_stops_on_sigterm() {
    let dir = workdir();
    let data = dir.path().join("data");
    let server = Served::start(&data);
    let key_file = data.join("admin.key");
    let key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_owned();
    assert!(key.starts_with("phk_"), "{key}");
    let announced: Vec<&String> = server
        .process
        .logged
        .iter()
        .filter(|l| l.contains(&*key_file.to_string_lossy()))
        .collect();
    assert_eq!(
        announced.len(),
        1,
        "the key file is logged once: {:?}",
        server.process.logged
    );
    assert!(
        server.process.logged.iter().all(|l| !l.contains(&key)),
        "the key itself is never logged"
    );

    assert_eq!(server.call("GET", "/healthz", None, None).0, 200);
    assert_eq!(server.call("GET", "/v1/models", None, None).0, 401);
    let (status, model) = server.call(
        "POST",
        "/v1/models",
        Some(&key),
        Some(&json!({"name": "flows", "algorithm": "logistic_regression"})),
    );
    assert_eq!(status, 201, "{model}");
    let rows: Vec<Value> = (0..30).map(|i| json!([i, 30 - i])).collect();
    let labels: Vec<Value> = (0..30)
        .map(|i| json!(if i < 15 { "benign" } else { "attack" }))
        .collect();
    let (status, job) = server.call(
        "POST",
        "/v1/models/flows/train",
        Some(&key),
        Some(&json!({"features": rows, "labels": labels})),
    );
    assert_eq!(status, 202, "{job}");
    let job_path = format!("/v1/jobs/{}", job["job_id"].as_str().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, status) = server.call("GET", &job_path, Some(&key), None);
        if status["state"] == "succeeded" {
            break;
        }
        assert_ne!(status["state"], "failed", "{status}");
        assert!(Instant::now() < deadline, "training did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, prediction) = server.call(
        "POST",
        "/v1/models/flows/predict",
        Some(&key),
        Some(&json!({"features": [28, 2]})),
    );
    assert_eq!(status, 200, "{prediction}");
    assert_eq!(prediction["prediction"], "attack");
    let log = server.terminate();
    assert!(
        log.iter().any(|l| l.contains("SIGTERM received")),
        "{log:?}"
    );

    // Restarted on the same directory: the same key, no new bootstrap, the model is there.
    let again = Served::start(&data);
    assert!(
        again
            .process
            .logged
            .iter()
            .all(|l| !l.contains("admin.key")),
        "{:?}",
        again.process.logged
    );
    let (status, models) = again.call("GET", "/v1/models", Some(&key), None);
    assert_eq!(status, 200, "{models}");
    assert_eq!(models[0]["name"], "flows");
    assert_eq!(models[0]["active_version"], 1);
    again.terminate();
}

#[test]
fn serve_refuses_bad_settings() {
    let dir = workdir();
    let out = Command::new(env!("CARGO_BIN_EXE_phantom"))
        .args(["serve", "--max-batch-rows", "0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("max_batch_rows"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_phantom"))
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .env("PHANTOM_MAX_BODY_BYTES", "lots")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PHANTOM_MAX_BODY_BYTES"), "{stderr}");
}
