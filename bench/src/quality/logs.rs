//! Labelled log streams: normal traffic (see [`Traffic`]) with incidents injected at known
//! event ranges (see [`Plan`]), or none at all to count false alarms.

use super::incidents::{Injection, LogIncident};
use super::plan::{Case, Label, Plan};
use super::random::rng;
use super::traffic::{Style, Traffic};

/// An injected log incident. Its events are numbered from 0 (the stream's first line); `first`
/// and `last` are the first and last injected or changed line, or for a silent service the
/// first event after it stopped and the last before it spoke again.
pub type LogLabel = Label<LogIncident>;

/// A generated stream: its lines, one event each, and its labels.
pub type LogStream = Case<String, LogIncident>;

/// The plan of the benchmark's log streams: 12,000 events, three incidents of 300 to 600
/// events, none in the first 3,000 (the strict preset scores its first window after 1,000
/// events and needs five more before any can be an anomaly).
pub fn default_log_plan() -> Plan {
    Plan {
        length: 12_000,
        incidents: 3,
        first_at: 3_000,
        min_len: 300,
        max_len: 600,
    }
}

/// Stream number `case` with incidents of `kind` (or none), reproducible from `seed`.
pub fn log_stream(kind: Option<LogIncident>, seed: u64, case: u64, plan: &Plan) -> LogStream {
    let stream = (kind.map_or(0, |k| k.index() as u64 + 1) << 32) | case;
    let mut traffic = Traffic::new(rng(seed, stream));
    let spans = match kind {
        Some(_) => plan.spans(traffic.rng()),
        None => Vec::new(),
    };
    let mut lines: Vec<String> = Vec::with_capacity(plan.length + plan.length / 10);
    let mut labels = Vec::new();
    for (kind, (start, len)) in kind.into_iter().cycle().zip(spans) {
        while lines.len() < start {
            lines.push(traffic.next_line().text);
        }
        let (injection, what) = Injection::draw(kind, &mut traffic);
        match injection {
            Injection::Format { style, .. } => traffic.style = style,
            Injection::Silence { service } => traffic.silent = Some(service),
            Injection::Errors { .. } | Injection::Burst { .. } => {}
        }
        let mut affected: Option<(usize, usize)> = None;
        while lines.len() < start + len {
            for (line, injected) in injection.lines(&mut traffic) {
                if injected {
                    let at = lines.len();
                    affected = Some(affected.map_or((at, at), |(first, _)| (first, at)));
                }
                lines.push(line);
            }
        }
        if let Injection::Silence { .. } = injection {
            affected = Some((start, lines.len() - 1));
        }
        traffic.style = Style::default();
        traffic.silent = None;
        if let Some((first, last)) = affected {
            labels.push(Label {
                kind,
                what,
                first: first as u64,
                last: last as u64,
            });
        }
    }
    while lines.len() < plan.length {
        lines.push(traffic.next_line().text);
    }
    Case {
        data: lines,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_error(line: &str) -> bool {
        [" ERROR ", " PANIC ", "    at ", "\tat ", "java.lang."]
            .iter()
            .any(|m| line.contains(m))
    }

    /// The marker of the template that a burst label names.
    fn burst_marker(what: &str) -> &'static str {
        [
            ("auth login failed", " login failed "),
            ("web 404", "HTTP/1.1\" 404 "),
            ("db slow query", " slow query "),
            ("queue rebalance", "\"rebalance\""),
        ]
        .iter()
        .find(|(name, _)| what.starts_with(name))
        .map_or("?", |(_, marker)| marker)
    }

    /// Whether `line` is written in the changed format that a format label names.
    fn changed_format(what: &str, line: &str) -> Option<bool> {
        if what.starts_with("web") {
            line.contains(" HTTP/1.1\" ")
                .then(|| !line.contains("ms req="))
        } else if what.starts_with("queue") {
            line.starts_with('{')
                .then(|| line.starts_with("{\"Level\""))
        } else {
            line.starts_with("2026").then_some(())?;
            line.contains(" db-primary INFO query ")
                .then(|| line.contains("elapsed_us="))
        }
    }

    fn writes(service: &str, line: &str) -> bool {
        match service {
            "queue" => line.contains("\"service\":\"queue\""),
            name => line.contains(&format!(" {name}-")),
        }
    }

    #[test]
    fn same_seed_same_stream() {
        let plan = default_log_plan();
        let a = log_stream(Some(LogIncident::Burst), 11, 0, &plan);
        assert_eq!(a, log_stream(Some(LogIncident::Burst), 11, 0, &plan));
        assert_ne!(
            a.data,
            log_stream(Some(LogIncident::Burst), 12, 0, &plan).data
        );
        assert_ne!(
            a.data,
            log_stream(Some(LogIncident::Burst), 11, 1, &plan).data
        );
        let clean = log_stream(None, 11, 0, &plan);
        assert!(clean.labels.is_empty() && clean.data.len() == plan.length);
        assert!(!clean.data.iter().any(|l| is_error(l)));
    }

    #[test]
    fn labels_line_up_with_the_injected_lines() {
        let plan = default_log_plan();
        for kind in LogIncident::ALL {
            for case in 0..3 {
                let s = log_stream(Some(kind), 21, case, &plan);
                assert_eq!(s.labels.len(), 3, "{kind:?}");
                let inside = |i: usize| {
                    s.labels
                        .iter()
                        .any(|l| (l.first..=l.last).contains(&(i as u64)))
                };
                for l in &s.labels {
                    let (a, b) = (l.first as usize, l.last as usize);
                    let range = &s.data[a..=b];
                    match kind {
                        LogIncident::NewErrors => {
                            assert!(is_error(&s.data[a]) && is_error(&s.data[b]), "{l:?}");
                        }
                        LogIncident::Burst => {
                            let m = burst_marker(&l.what);
                            assert!(s.data[a].contains(m) && s.data[b].contains(m), "{l:?}");
                            let share = |lines: &[String]| {
                                lines.iter().filter(|x| x.contains(m)).count() as f64
                                    / lines.len() as f64
                            };
                            assert!(share(range) > 0.25, "{l:?}: {}", share(range));
                            assert!(share(&s.data[a - 300..a]) < 0.1, "{l:?}");
                        }
                        LogIncident::FieldFormat => {
                            let changed: Vec<bool> = range
                                .iter()
                                .filter_map(|x| changed_format(&l.what, x))
                                .collect();
                            assert!(changed.len() > 10 && changed.iter().all(|c| *c), "{l:?}");
                            assert_eq!(changed_format(&l.what, &s.data[a]), Some(true), "{l:?}");
                            assert_eq!(changed_format(&l.what, &s.data[b]), Some(true), "{l:?}");
                        }
                        LogIncident::SilentService => {
                            let service = l.what.trim_end_matches(" silent");
                            assert!(!range.iter().any(|x| writes(service, x)), "{l:?}");
                            assert!(
                                s.data[a - 100..a].iter().any(|x| writes(service, x)),
                                "{l:?}"
                            );
                            assert!(
                                s.data[b + 1..b + 101].iter().any(|x| writes(service, x)),
                                "{l:?}"
                            );
                        }
                    }
                }
                for (i, line) in s.data.iter().enumerate().filter(|(i, _)| !inside(*i)) {
                    let outside_ok = match kind {
                        LogIncident::NewErrors => !is_error(line),
                        LogIncident::FieldFormat => s
                            .labels
                            .iter()
                            .all(|l| changed_format(&l.what, line) != Some(true)),
                        LogIncident::Burst | LogIncident::SilentService => true,
                    };
                    assert!(outside_ok, "{kind:?} line {i} outside the labels: {line}");
                }
            }
        }
    }
}
