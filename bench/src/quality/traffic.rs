//! Normal log traffic: four services (web access lines, auth, database, queue JSON events),
//! each with a few templates whose fields vary (ids, addresses, durations, users, timestamps),
//! mixed with weights that drift slowly (see [`Mix`]).

use rand::RngExt;
use rand_chacha::ChaCha20Rng;

use super::mix::Mix;
use super::random::{exponential, gaussian, pick, weighted};

/// A service that writes to the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Web access lines.
    Web,
    /// Logins, token refreshes, logouts.
    Auth,
    /// Queries, replication, checkpoints.
    Db,
    /// Message-queue events as JSON.
    Queue,
}

impl Service {
    /// Every service.
    pub const ALL: [Service; 4] = [Service::Web, Service::Auth, Service::Db, Service::Queue];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Service::Web => "web",
            Service::Auth => "auth",
            Service::Db => "db",
            Service::Queue => "queue",
        }
    }

    fn index(self) -> usize {
        match self {
            Service::Web => 0,
            Service::Auth => 1,
            Service::Db => 2,
            Service::Queue => 3,
        }
    }
}

/// Share of each service, in [`Service::ALL`] order.
const SERVICE_WEIGHTS: [f64; 4] = [0.55, 0.15, 0.18, 0.12];
/// Template weights per service (see [`Traffic::line`] for the templates).
const TEMPLATE_WEIGHTS: [&[f64]; 4] = [
    &[0.26, 0.16, 0.10, 0.14, 0.20, 0.10, 0.02, 0.02],
    &[0.40, 0.05, 0.40, 0.15],
    &[0.80, 0.14, 0.03, 0.03],
    &[0.46, 0.46, 0.06, 0.02],
];

/// How lines are written: what a field-format incident changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Web access lines give durations in seconds (`0.023s`), not milliseconds (`23ms`).
    pub web_seconds: bool,
    /// Queue events use capitalised JSON keys in another order, and an upper-case level.
    pub queue_keys_v2: bool,
    /// Database lines give `elapsed_us=4000`, not `took=4ms`.
    pub db_micros: bool,
}

impl Style {
    /// Whether this style writes lines of `template` of `service` differently from the default.
    pub fn changes(self, service: Service, template: usize) -> bool {
        match service {
            Service::Web => self.web_seconds,
            Service::Auth => false,
            Service::Db => self.db_micros && matches!(template, 0 | 2),
            Service::Queue => self.queue_keys_v2,
        }
    }
}

/// One line of traffic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The service that wrote it.
    pub service: Service,
    /// Its template number within the service.
    pub template: usize,
    /// The line.
    pub text: String,
}

/// A source of normal traffic.
pub struct Traffic {
    rng: ChaCha20Rng,
    clock_ms: f64,
    drawn: u64,
    services: Mix,
    templates: Vec<Mix>,
    users: Vec<String>,
    user_weights: Vec<f64>,
    /// How lines are written now.
    pub style: Style,
    /// A service whose lines have stopped, while set.
    pub silent: Option<Service>,
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ren", "tas", "vi", "do", "ne", "sol", "jo", "ar", "bel", "cor", "din", "el",
    "fa", "gus", "hal", "is", "lin",
];
const TABLES: &[&str] = &[
    "orders",
    "users",
    "sessions",
    "carts",
    "payments",
    "inventory",
];
const TOPICS: &[&str] = &[
    "orders.created",
    "orders.paid",
    "cart.updated",
    "user.signup",
];
const GROUPS: &[&str] = &["billing", "search-indexer", "mailer"];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/122.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) Safari/605.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2) Mobile/15E148",
    "okhttp/4.12.0",
    "curl/8.5.0",
];

impl Traffic {
    /// Traffic drawn from `rng`.
    pub fn new(mut rng: ChaCha20Rng) -> Self {
        let services = Mix::new(&mut rng, &SERVICE_WEIGHTS);
        let templates = TEMPLATE_WEIGHTS
            .iter()
            .map(|w| Mix::new(&mut rng, w))
            .collect();
        let users: Vec<String> = (0..150)
            .map(|_| {
                let n = rng.random_range(2..4);
                let name: String = (0..n).map(|_| *pick(&mut rng, SYLLABLES)).collect();
                if rng.random_bool(0.3) {
                    format!("{name}.{}", char::from(rng.random_range(b'a'..=b'z')))
                } else {
                    name
                }
            })
            .collect();
        let user_weights = (0..users.len())
            .map(|rank| 1.0 / (rank as f64 + 1.0).powf(0.9))
            .collect();
        Self {
            rng,
            clock_ms: 1_000.0 * 3_600.0 * 9.0,
            drawn: 0,
            services,
            templates,
            users,
            user_weights,
            style: Style::default(),
            silent: None,
        }
    }

    /// The generator, for incidents that draw their own lines.
    pub fn rng(&mut self) -> &mut ChaCha20Rng {
        &mut self.rng
    }

    /// The next line of normal traffic.
    pub fn next_line(&mut self) -> Line {
        let t = self.drawn;
        self.drawn += 1;
        let skip = self.silent.map(Service::index);
        let service = Service::ALL[self.services.draw(&mut self.rng, t, skip)];
        let template = self.templates[service.index()].draw(&mut self.rng, t, None);
        Line {
            service,
            template,
            text: self.line(service, template),
        }
    }

    /// A line of `service` from its template number `template`, with fresh fields.
    pub fn line(&mut self, service: Service, template: usize) -> String {
        let ts = self.timestamp();
        match service {
            Service::Web => self.web(&ts, template),
            Service::Auth => self.auth(&ts, template),
            Service::Db => self.db(&ts, template),
            Service::Queue => self.queue(&ts, template),
        }
    }

    /// The timestamp of the next line: the clock moves on by about 25 ms.
    pub fn timestamp(&mut self) -> String {
        self.clock_ms += exponential(&mut self.rng, 25.0);
        let ms = self.clock_ms as u64;
        format!(
            "2026-03-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            2 + ms / 86_400_000,
            ms / 3_600_000 % 24,
            ms / 60_000 % 60,
            ms / 1_000 % 60,
            ms % 1_000
        )
    }

    /// A user name; a few users are much more active than the rest.
    pub fn user(&mut self) -> String {
        let i = weighted(&mut self.rng, &self.user_weights);
        self.users[i].clone()
    }

    /// A client address.
    pub fn ip(&mut self) -> String {
        let r = &mut self.rng;
        format!(
            "{}.{}.{}.{}",
            r.random_range(11..223),
            r.random_range(0..256),
            r.random_range(0..256),
            r.random_range(1..255)
        )
    }

    /// A duration in milliseconds, log-normal around `median_ms`.
    pub fn millis(&mut self, median_ms: f64) -> u64 {
        (median_ms * (0.8 * gaussian(&mut self.rng)).exp()).round() as u64 + 1
    }

    /// `digits` random lower-case hexadecimal digits.
    pub fn hex(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from(b"0123456789abcdef"[self.rng.random_range(0..16)]))
            .collect()
    }

    fn web(&mut self, ts: &str, template: usize) -> String {
        let r = &mut self.rng;
        let node = r.random_range(1..5);
        let id = r.random_range(1_000..900_000);
        let (method, path, status, median_ms, agent) = match template {
            0 => ("GET", format!("/api/orders/{id}"), 200, 30.0, None),
            1 => ("GET", format!("/api/users/{id}/profile"), 200, 20.0, None),
            2 => ("POST", "/api/cart/items".to_owned(), 201, 45.0, None),
            3 => {
                let q = pick(r, &["shoes", "lamp", "desk", "phone+case", "gift"]);
                let page = r.random_range(1..6);
                (
                    "GET",
                    format!("/api/search?q={q}&page={page}"),
                    200,
                    80.0,
                    None,
                )
            }
            4 => {
                let status = if r.random_bool(0.4) { 304 } else { 200 };
                let asset = pick(r, &["app", "vendor", "styles"]);
                (
                    "GET",
                    format!("/static/{asset}.{:08x}.js", id),
                    status,
                    4.0,
                    None,
                )
            }
            5 => (
                "GET",
                "/healthz".to_owned(),
                200,
                1.0,
                Some("kube-probe/1.29"),
            ),
            6 => ("GET", format!("/api/orders/{id}"), 404, 12.0, None),
            _ => ("POST", "/api/checkout".to_owned(), 200, 250.0, None),
        };
        let agent = agent.unwrap_or_else(|| *pick(r, AGENTS));
        let bytes = match status {
            304 => 0,
            404 => 153,
            _ => r.random_range(200..40_000),
        };
        let ms = self.millis(median_ms);
        let took = if self.style.web_seconds {
            format!("{:.3}s", ms as f64 / 1_000.0)
        } else {
            format!("{ms}ms")
        };
        let ip = self.ip();
        let req = self.hex(16);
        format!(
            "{ts} web-{node} {ip} \"{method} {path} HTTP/1.1\" {status} {bytes} {took} req={req} ua=\"{agent}\""
        )
    }

    fn auth(&mut self, ts: &str, template: usize) -> String {
        let node = self.rng.random_range(1..3);
        let user = self.user();
        match template {
            0 => {
                let method = *pick(&mut self.rng, &["password", "sso", "webauthn"]);
                let ip = self.ip();
                format!("{ts} auth-{node} INFO login ok user={user} method={method} ip={ip}")
            }
            1 => {
                let reason = *pick(
                    &mut self.rng,
                    &["bad_password", "unknown_user", "mfa_timeout"],
                );
                let ip = self.ip();
                format!("{ts} auth-{node} WARN login failed user={user} reason={reason} ip={ip}")
            }
            2 => format!("{ts} auth-{node} INFO token refreshed user={user} expires_in=3600s"),
            _ => {
                let session = self.hex(32);
                format!("{ts} auth-{node} INFO logout user={user} session={session}")
            }
        }
    }

    fn db(&mut self, ts: &str, template: usize) -> String {
        let table = *pick(&mut self.rng, TABLES);
        let took = |this: &mut Self, median_ms: f64| {
            let ms = this.millis(median_ms);
            if this.style.db_micros {
                format!(
                    "elapsed_us={}",
                    ms * 1_000 + this.rng.random_range(0..1_000)
                )
            } else {
                format!("took={ms}ms")
            }
        };
        match template {
            0 => {
                let op = *pick(&mut self.rng, &["select", "select", "insert", "update"]);
                let rows = self.rng.random_range(0..200);
                let conn = self.rng.random_range(1..33);
                let took = took(self, 3.0);
                format!(
                    "{ts} db-primary INFO query table={table} op={op} rows={rows} {took} conn={conn}"
                )
            }
            1 => {
                let r = &mut self.rng;
                let (replica, lag) = (r.random_range(1..3), r.random_range(0..40));
                let (high, low) = (r.random_range(0x10..0x40), r.random_range(0..0xFF_FFFF));
                format!(
                    "{ts} db-replica-{replica} INFO replication lag={lag}ms lsn={high:X}/{low:X}"
                )
            }
            2 => {
                let rows = self.rng.random_range(10_000..2_000_000);
                let took = took(self, 1_500.0);
                format!(
                    "{ts} db-primary WARN slow query table={table} {took} plan=seq_scan rows={rows}"
                )
            }
            _ => {
                let r = &mut self.rng;
                let buffers = r.random_range(100..20_000);
                let (write, sync) = (r.random_range(0.1..30.0), r.random_range(0.001..0.5));
                format!(
                    "{ts} db-primary INFO checkpoint complete buffers={buffers} write={write:.3}s sync={sync:.3}s"
                )
            }
        }
    }

    fn queue(&mut self, ts: &str, template: usize) -> String {
        let r = &mut self.rng;
        let topic = json_text(pick::<&str>(r, TOPICS));
        let group = json_text(pick::<&str>(r, GROUPS));
        let (level, event, fields): (&str, &str, Vec<(&str, String)>) = match template {
            0 => (
                "info",
                "published",
                vec![
                    ("topic", topic),
                    ("partition", r.random_range(0..12).to_string()),
                    ("offset", r.random_range(1_000_000..9_000_000).to_string()),
                    ("bytes", r.random_range(200..8_000).to_string()),
                ],
            ),
            1 => (
                "info",
                "consumed",
                vec![
                    ("topic", topic),
                    ("group", group),
                    ("lag", r.random_range(0..300).to_string()),
                    ("took_ms", r.random_range(1..60).to_string()),
                ],
            ),
            2 => (
                "debug",
                "offsets committed",
                vec![
                    ("group", group),
                    ("partitions", r.random_range(1..13).to_string()),
                ],
            ),
            _ => (
                "warn",
                "rebalance",
                vec![
                    ("group", group),
                    ("members", r.random_range(2..9).to_string()),
                    ("generation", r.random_range(10..500).to_string()),
                ],
            ),
        };
        json_event(ts, level, event, &fields, self.style.queue_keys_v2)
    }
}

/// A JSON string literal of `text` (which holds no quote or backslash).
fn json_text(text: &str) -> String {
    format!("\"{text}\"")
}

/// A queue event as one JSON line; `v2` capitalises the keys, puts the level first and the
/// time last.
fn json_event(ts: &str, level: &str, event: &str, fields: &[(&str, String)], v2: bool) -> String {
    let pairs: Vec<String> = if v2 {
        let capital = |k: &str| {
            let mut c = k.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        [
            format!("\"Level\":\"{}\"", level.to_ascii_uppercase()),
            format!("\"Event\":\"{event}\""),
        ]
        .into_iter()
        .chain(
            fields
                .iter()
                .map(|(k, v)| format!("\"{}\":{v}", capital(k))),
        )
        .chain([
            "\"Service\":\"queue\"".to_owned(),
            format!("\"Time\":\"{ts}\""),
        ])
        .collect()
    } else {
        [
            format!("\"ts\":\"{ts}\""),
            "\"service\":\"queue\"".to_owned(),
            format!("\"level\":\"{level}\""),
            format!("\"event\":\"{event}\""),
        ]
        .into_iter()
        .chain(fields.iter().map(|(k, v)| format!("\"{k}\":{v}")))
        .collect()
    };
    format!("{{{}}}", pairs.join(","))
}

#[cfg(test)]
mod tests {
    use super::super::random::rng;
    use super::*;

    fn sample(seed: u64, n: usize) -> Vec<(Service, String)> {
        let mut t = Traffic::new(rng(seed, 0));
        (0..n)
            .map(|_| t.next_line())
            .map(|l| (l.service, l.text))
            .collect()
    }

    #[test]
    fn every_service_speaks_in_its_own_format() {
        let lines = sample(1, 2_000);
        for s in Service::ALL {
            let mine: Vec<&String> = lines
                .iter()
                .filter(|(w, _)| *w == s)
                .map(|(_, l)| l)
                .collect();
            assert!(mine.len() > 100, "{} wrote {}", s.name(), mine.len());
            let ok = |l: &&String| match s {
                Service::Web => {
                    l.contains(" web-") && l.contains(" HTTP/1.1\" ") && l.contains("ms req=")
                }
                Service::Auth => l.contains(" auth-") && l.contains(" user="),
                Service::Db => l.contains(" db-"),
                Service::Queue => l.starts_with("{\"ts\":\"2026-03-") && l.ends_with('}'),
            };
            assert!(
                mine.iter().all(ok),
                "{}: {:?}",
                s.name(),
                mine.iter().find(|l| !ok(l))
            );
        }
    }

    #[test]
    fn styles_and_silence_change_the_lines() {
        let mut t = Traffic::new(rng(2, 0));
        t.style = Style {
            web_seconds: true,
            queue_keys_v2: true,
            db_micros: true,
        };
        t.silent = Some(Service::Auth);
        let lines: Vec<(Service, String)> = (0..2_000)
            .map(|_| t.next_line())
            .map(|l| (l.service, l.text))
            .collect();
        assert!(lines.iter().all(|(s, _)| *s != Service::Auth));
        for (s, l) in &lines {
            match s {
                Service::Web => assert!(l.contains("s req=") && !l.contains("ms req="), "{l}"),
                Service::Db if l.contains(" query ") => assert!(l.contains("elapsed_us="), "{l}"),
                Service::Queue => assert!(
                    l.starts_with("{\"Level\":\"") && l.contains("\"Time\":"),
                    "{l}"
                ),
                Service::Auth | Service::Db => {}
            }
        }
    }

    #[test]
    fn timestamps_move_forward() {
        let lines = sample(3, 500);
        let stamps: Vec<String> = lines
            .iter()
            .map(|(_, l)| {
                let start = l.find("2026-03-").unwrap_or(0);
                l[start..start + 24].to_owned()
            })
            .collect();
        assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");
    }
}
