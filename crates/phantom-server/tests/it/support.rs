//! A real server on an ephemeral port, tenants with a key per role, and a small HTTP/1.1
//! client (hyper's connection API, one connection per request).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use phantom_engine::auth::{Quotas, Role};
use phantom_engine::{Engine, EngineConfig};
use phantom_server::{ServerConfig, serve_on};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The roles, in a fixed order.
pub const ROLES: [Role; 4] = [Role::Admin, Role::Developer, Role::Viewer, Role::Auditor];

/// Where the engine under test stores its data.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// SQLite always; PostgreSQL too when `PHANTOM_TEST_POSTGRES_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    match std::env::var("PHANTOM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => out.push(Backend::Postgres(url)),
        Ok(_) | Err(_) => eprintln!(
            "phantom-server tests: PostgreSQL not run (PHANTOM_TEST_POSTGRES_URL is unset); SQLite only"
        ),
    }
    out
}

/// Runs `scenario` against a fresh server on every backend.
#[macro_export]
macro_rules! on_every_backend {
    ($name:ident, $scenario:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for backend in $crate::support::backends() {
                let server = $crate::support::Server::start(&backend).await;
                $scenario(&server).await;
                server.stop().await;
            }
        }
    };
}

/// A unique name: tests share PostgreSQL databases.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{}-{nanos:x}-{n}", std::process::id())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A tenant with one API key per role.
pub struct Tenant {
    pub name: String,
    keys: HashMap<Role, String>,
}

impl Tenant {
    /// The API key of `role`.
    pub fn key(&self, role: Role) -> &str {
        &self.keys[&role]
    }

    /// The admin's API key.
    pub fn admin(&self) -> &str {
        self.key(Role::Admin)
    }
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub engine: Engine,
    /// A tenant made for this server, with a key per role.
    pub tenant: Tenant,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), phantom_server::ServerError>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// A server with the default limits.
    pub async fn start(backend: &Backend) -> Server {
        Self::start_with(backend, ServerConfig::default()).await
    }

    /// A server with `config`'s limits (its address is ignored: port 0 on loopback).
    pub async fn start_with(backend: &Backend, config: ServerConfig) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let engine_config = EngineConfig {
            data_dir: dir.path().to_owned(),
            database_url: match backend {
                Backend::Sqlite => None,
                Backend::Postgres(url) => Some(url.clone()),
            },
            ..EngineConfig::default()
        };
        let engine = Engine::open(engine_config).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_on(listener, engine.clone(), config, async move {
            let _ = stopped.await;
        }));
        let tenant = new_tenant(&engine).await;
        Server {
            addr,
            engine,
            tenant,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// Another tenant with a key per role.
    pub async fn new_tenant(&self) -> Tenant {
        new_tenant(&self.engine).await
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// A request to this server.
    pub fn req(&self, method: &str, path: &str) -> Req {
        Req {
            addr: self.addr,
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Creates a model named `name` in the tenant of `key` and trains it on [`training_rows`];
    /// returns the model's id once the training has succeeded.
    pub async fn trained_model(&self, key: &str, name: &str) -> String {
        let created = self
            .req("POST", "/v1/models")
            .key(key)
            .json(&json!({"name": name, "algorithm": "random_forest", "hyperparameters": {"n_trees": 10, "seed": 7}}))
            .send()
            .await;
        assert_eq!(created.status, 201, "{}", created.text());
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let job = self
            .req("POST", &format!("/v1/models/{name}/train"))
            .key(key)
            .json(&training_rows())
            .send()
            .await;
        assert_eq!(job.status, 202, "{}", job.text());
        self.wait_for_job(key, job.json()["job_id"].as_str().unwrap())
            .await;
        id
    }

    /// Sends a gauge `depth` of `service` (60 points, one spike) over OTLP/JSON in the tenant
    /// of `key`; returns the id of the tenant's newest anomaly, the spike.
    pub async fn metric_spike(&self, key: &str, service: &str) -> String {
        let points: Vec<Value> = (0..60)
            .map(|i| json!({"asDouble": if i == 50 { 900.0 } else { 100.0 + f64::from(i % 5) }}))
            .collect();
        let metrics = json!({"resourceMetrics": [{
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
            "scopeMetrics": [{"metrics": [{"name": "depth", "gauge": {"dataPoints": points}}]}]
        }]});
        let sent = self
            .req("POST", "/v1/metrics")
            .key(key)
            .json(&metrics)
            .send()
            .await;
        assert_eq!(sent.status, 200, "{}", sent.text());
        let page = self
            .req("GET", "/v1/anomalies")
            .key(key)
            .send()
            .await
            .json();
        page["anomalies"][0]["id"].as_str().unwrap().to_owned()
    }

    /// Polls a job until it succeeds; panics if it fails or takes over 60 s.
    pub async fn wait_for_job(&self, key: &str, job: &str) -> Value {
        for _ in 0..600 {
            let status = self
                .req("GET", &format!("/v1/jobs/{job}"))
                .key(key)
                .send()
                .await;
            assert_eq!(status.status, 200, "{}", status.text());
            let body = status.json();
            match body["state"].as_str().unwrap() {
                "succeeded" => return body,
                "failed" => panic!("training failed: {body}"),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        panic!("job {job} did not finish in 60 s");
    }
}

async fn new_tenant(engine: &Engine) -> Tenant {
    let name = unique("tenant");
    engine
        .create_tenant(&name, Quotas::default())
        .await
        .unwrap();
    let mut keys = HashMap::new();
    for role in ROLES {
        let key = engine
            .create_api_key(&name, &format!("{role:?}"), role, None, None)
            .await
            .unwrap();
        keys.insert(role, key.key);
    }
    Tenant { name, keys }
}

/// 40 rows of two features, class 1 when the first feature is 20 or more.
pub fn training_rows() -> Value {
    let features: Vec<Value> = (0..40)
        .map(|i| json!([f64::from(i), f64::from(i % 3)]))
        .collect();
    let labels: Vec<Value> = (0..40).map(|i| json!(u8::from(i >= 20))).collect();
    json!({"features": features, "labels": labels})
}

/// The same rows as a CSV file with the label in column `label`.
pub fn training_csv() -> String {
    let mut csv = String::from("a,b,label\n");
    for i in 0..40 {
        csv.push_str(&format!("{i},{},{}\n", i % 3, u8::from(i >= 20)));
    }
    csv
}

/// A request being built.
pub struct Req {
    addr: SocketAddr,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Req {
    /// Authenticates with `Authorization: Bearer <key>`.
    pub fn key(self, key: &str) -> Self {
        self.header("authorization", &format!("Bearer {key}"))
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A JSON body.
    pub fn json(self, value: &Value) -> Self {
        self.body(serde_json::to_vec(value).unwrap(), "application/json")
    }

    /// A body with a content type.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        self.body = body.into();
        self.header("content-type", content_type)
    }

    /// Sends the request on a new connection and reads the whole response (only the head of
    /// a live feed, which never ends). Every response must carry `x-request-id`.
    pub async fn send(self) -> Reply {
        let stream = TcpStream::connect(self.addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut builder = Request::builder()
            .method(self.method.as_str())
            .uri(self.path.as_str())
            .header("host", self.addr.to_string());
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let request = builder.body(Full::new(self.body)).unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status().as_u16();
        let headers: HashMap<String, String> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        // A live feed (Server-Sent Events) never ends: its head is the answer.
        let endless = headers
            .get("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream"));
        let body = if endless {
            Vec::new()
        } else {
            response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec()
        };
        let reply = Reply {
            status,
            headers,
            body,
        };
        assert!(
            reply
                .header("x-request-id")
                .is_some_and(|id| !id.is_empty()),
            "{} {}: no x-request-id in {reply:?}",
            self.method,
            self.path
        );
        reply
    }
}

/// A response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Asserts an error response of `status` and `code` in the standard shape, whose
    /// request id matches the header; returns its message.
    pub fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("content-type"), Some("application/json"));
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "{body}");
        assert_eq!(
            error["request_id"].as_str(),
            self.header("x-request-id"),
            "{body}"
        );
        assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
        error["message"].as_str().unwrap().to_owned()
    }
}

impl Server {
    /// Writes `head` (a request line and headers, maybe no body) on a raw connection and
    /// reads one response: for requests a well-behaved client cannot send.
    pub async fn raw(&self, head: &str) -> Reply {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let (head_len, length) = loop {
            let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
                .await
                .expect("a response within 10 s")
                .unwrap();
            assert!(n > 0, "connection closed before a response");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                break (end + 4, length);
            }
        };
        while buf.len() < head_len + length {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "connection closed inside the body");
            buf.extend_from_slice(&chunk[..n]);
        }
        let head = String::from_utf8_lossy(&buf[..head_len - 4]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
            .collect();
        Reply {
            status,
            headers,
            body: buf[head_len..head_len + length].to_vec(),
        }
    }
}
