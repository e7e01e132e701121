//! What a log incident injects: the kinds, and for each the variants drawn per instance (which
//! error, which template bursts, which format changes, which service falls silent).

use rand::RngExt;

use super::traffic::{Service, Style, Traffic};

/// A kind of log incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogIncident {
    /// Lines of error templates the stream has never had (some with stack traces), mixed into
    /// the traffic.
    NewErrors,
    /// One existing (rare) template suddenly makes up a large share of the lines.
    Burst,
    /// One service writes a field differently (units, key names, key order and case).
    FieldFormat,
    /// One service's lines stop.
    SilentService,
}

impl LogIncident {
    /// Every kind.
    pub const ALL: [LogIncident; 4] = [
        LogIncident::NewErrors,
        LogIncident::Burst,
        LogIncident::FieldFormat,
        LogIncident::SilentService,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            LogIncident::NewErrors => "new_errors",
            LogIncident::Burst => "burst",
            LogIncident::FieldFormat => "field_format",
            LogIncident::SilentService => "silent_service",
        }
    }

    /// Its number, 0 to 3.
    pub fn index(self) -> usize {
        match self {
            LogIncident::NewErrors => 0,
            LogIncident::Burst => 1,
            LogIncident::FieldFormat => 2,
            LogIncident::SilentService => 3,
        }
    }
}

/// One instance of an incident, as drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Injection {
    /// Each event is, with probability `rate`, a group of lines of error family `family`.
    Errors {
        /// Index into [`ERROR_FAMILIES`].
        family: usize,
        /// Probability of a group per event.
        rate: f64,
    },
    /// Each event is, with probability `rate`, a line of `template` of `service`.
    Burst {
        /// The service.
        service: Service,
        /// Its template number.
        template: usize,
        /// Probability per event.
        rate: f64,
    },
    /// Lines are written with `style`; `service` is the one it changes.
    Format {
        /// The service whose lines change.
        service: Service,
        /// The changed style.
        style: Style,
    },
    /// `service` writes nothing.
    Silence {
        /// The silent service.
        service: Service,
    },
}

/// Error families, described (see `error_group` for their lines).
const ERROR_FAMILIES: [&str; 4] = [
    "database connection refused, with a Node.js stack",
    "payment provider timeouts",
    "Java NullPointerException, with a stack",
    "database disk full",
];

/// Templates that burst: rare ones of normal traffic (see `Traffic::line`).
const BURSTS: [(Service, usize, &str); 4] = [
    (Service::Auth, 1, "auth login failed"),
    (Service::Web, 6, "web 404 on order pages"),
    (Service::Db, 2, "db slow query"),
    (Service::Queue, 3, "queue rebalance"),
];

/// Format changes: the service, the style, a description.
const FORMATS: [(Service, Style, &str); 3] = [
    (
        Service::Web,
        Style {
            web_seconds: true,
            queue_keys_v2: false,
            db_micros: false,
        },
        "web durations in seconds instead of milliseconds",
    ),
    (
        Service::Queue,
        Style {
            web_seconds: false,
            queue_keys_v2: true,
            db_micros: false,
        },
        "queue JSON keys capitalised and reordered",
    ),
    (
        Service::Db,
        Style {
            web_seconds: false,
            queue_keys_v2: false,
            db_micros: true,
        },
        "db durations as elapsed_us instead of took=..ms",
    ),
];

/// Services that can fall silent (not the web tier, which carries most lines).
const SILENCEABLE: [Service; 3] = [Service::Auth, Service::Db, Service::Queue];

impl Injection {
    /// Draws an instance of `kind`, and says what it is.
    pub(crate) fn draw(kind: LogIncident, traffic: &mut Traffic) -> (Self, String) {
        let r = traffic.rng();
        match kind {
            LogIncident::NewErrors => {
                let family = r.random_range(0..ERROR_FAMILIES.len());
                let rate = r.random_range(0.08..0.25);
                let what = format!(
                    "{} ({:.0}% of events)",
                    ERROR_FAMILIES[family],
                    100.0 * rate
                );
                (Injection::Errors { family, rate }, what)
            }
            LogIncident::Burst => {
                let (service, template, what) = BURSTS[r.random_range(0..BURSTS.len())];
                let rate = r.random_range(0.3..0.6);
                let what = format!("{what} ({:.0}% of events)", 100.0 * rate);
                (
                    Injection::Burst {
                        service,
                        template,
                        rate,
                    },
                    what,
                )
            }
            LogIncident::FieldFormat => {
                let (service, style, what) = FORMATS[r.random_range(0..FORMATS.len())];
                (Injection::Format { service, style }, what.to_owned())
            }
            LogIncident::SilentService => {
                let service = SILENCEABLE[r.random_range(0..SILENCEABLE.len())];
                (
                    Injection::Silence { service },
                    format!("{} silent", service.name()),
                )
            }
        }
    }

    /// The lines for one event slot while the incident runs, each with whether it is injected
    /// (affected by the incident). Style and silence are set by the caller.
    pub(crate) fn lines(self, traffic: &mut Traffic) -> Vec<(String, bool)> {
        match self {
            Injection::Errors { family, rate } => {
                if traffic.rng().random_bool(rate) {
                    error_group(traffic, family)
                        .into_iter()
                        .map(|l| (l, true))
                        .collect()
                } else {
                    vec![(traffic.next_line().text, false)]
                }
            }
            Injection::Burst {
                service,
                template,
                rate,
            } => {
                if traffic.rng().random_bool(rate) {
                    vec![(traffic.line(service, template), true)]
                } else {
                    vec![(traffic.next_line().text, false)]
                }
            }
            Injection::Format { service, style } => {
                let line = traffic.next_line();
                let changed = line.service == service && style.changes(line.service, line.template);
                vec![(line.text, changed)]
            }
            Injection::Silence { .. } => vec![(traffic.next_line().text, false)],
        }
    }
}

/// One error with its follow-up lines (a stack, a second message).
fn error_group(t: &mut Traffic, family: usize) -> Vec<String> {
    let ts = t.timestamp();
    let node = t.rng().random_range(1..5);
    match family {
        0 => {
            let attempt = t.rng().random_range(1..6);
            let mut lines = vec![format!(
                "{ts} api-{node} ERROR upstream db connection refused host=10.0.3.4:5432 attempt={attempt} pool=orders"
            )];
            let frames = [
                "Pool.connect (/srv/api/node_modules/pg-pool/index.js",
                "OrdersRepo.find (/srv/api/src/orders/repo.js",
                "async OrdersController.get (/srv/api/src/orders/controller.js",
            ];
            lines.extend(stack(t, &frames, |t, frame| {
                let (line, col) = (t.rng().random_range(10..400), t.rng().random_range(1..60));
                format!("    at {frame}:{line}:{col})")
            }));
            lines
        }
        1 => {
            let ms = t.millis(5_000.0) + 10_000;
            let order = t.rng().random_range(100_000..900_000);
            let provider = if t.rng().random_bool(0.7) {
                "stripe"
            } else {
                "adyen"
            };
            vec![format!(
                "{ts} checkout-{node} ERROR payment provider timeout after {ms}ms order={order} provider={provider} retry={}",
                t.rng().random_range(0..4)
            )]
        }
        2 => {
            let req = t.hex(16);
            let mut lines = vec![
                format!("{ts} api-{node} ERROR unhandled exception in request req={req}"),
                "java.lang.NullPointerException: Cannot invoke \"com.shop.User.getId()\" because \"user\" is null".to_owned(),
            ];
            let frames = [
                "com.shop.api.OrderController.create(OrderController.java",
                "com.shop.api.OrderService.place(OrderService.java",
                "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java",
            ];
            lines.extend(stack(t, &frames, |t, frame| {
                format!("\tat {frame}:{})", t.rng().random_range(20..900))
            }));
            lines
        }
        _ => {
            let segment = t.hex(24).to_ascii_uppercase();
            let offset = t.rng().random_range(0..16_777_216);
            let ts2 = t.timestamp();
            vec![
                format!(
                    "{ts} db-primary ERROR could not write to file \"pg_wal/xlogtemp.{}\": No space left on device",
                    t.rng().random_range(100..9_999)
                ),
                format!(
                    "{ts2} db-primary PANIC could not write to log file {segment} at offset {offset}, length 8192: No space left on device"
                ),
            ]
        }
    }
}

/// The first one to all of `frames`, at random, each written by `write`.
fn stack(
    t: &mut Traffic,
    frames: &[&str],
    write: impl Fn(&mut Traffic, &str) -> String,
) -> Vec<String> {
    let depth = t.rng().random_range(1..=frames.len());
    frames[..depth]
        .iter()
        .map(|frame| write(t, frame))
        .collect()
}
