//! Scoring a detector's anomalies against the labels.
//!
//! The rule, for events (logs) and points (series) alike:
//!
//! - an **anomaly** ([`Flag`]) covers a span (a window of events, or one point) and is reported
//!   at one event or point (a window's verdict comes with its last event);
//! - an incident is **detected** when an anomaly's span overlaps the incident's span extended
//!   by the grace period after its end (`first ..= last + grace`); its **delay** is the events
//!   or points from the incident's first to the report of the first such anomaly;
//! - anomalies whose spans touch or lie at most `merge_gap` apart are merged into one
//!   **alarm** (what an operator is paged for); an alarm is **true** when its span overlaps an
//!   extended incident span, **false** otherwise;
//! - recall = detected incidents / incidents; precision = detected incidents / (detected
//!   incidents + false alarms), so an incident counts once however many alarms it raised, and
//!   every false alarm counts; F1 = 2PR / (P + R); false alarms are also given per 10,000
//!   events or points.

/// Events or points from `first` to `last`, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first.
    pub first: u64,
    /// The last (inclusive).
    pub last: u64,
}

impl Span {
    fn overlaps(self, other: Span) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// One anomaly a detector reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag {
    /// What it covers.
    pub span: Span,
    /// The event or point at which it was reported.
    pub at: u64,
}

/// The scoring rule's two lengths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Events or points after an incident's end during which an anomaly still counts for it.
    pub grace: u64,
    /// Anomalies at most this far apart form one alarm (0: only touching or overlapping ones).
    pub merge_gap: u64,
}

/// Counts over one or more cases.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Events or points scanned.
    pub units: u64,
    /// Labelled incidents.
    pub incidents: usize,
    /// Incidents detected.
    pub detected: usize,
    /// Delay of each detected incident.
    pub delays: Vec<u64>,
    /// Alarms (merged anomalies).
    pub alarms: usize,
    /// Alarms that overlap an incident.
    pub true_alarms: usize,
    /// Anomalies before merging.
    pub anomalies: usize,
}

impl Tally {
    /// Adds another case's counts.
    pub fn add(&mut self, other: Tally) {
        self.units += other.units;
        self.incidents += other.incidents;
        self.detected += other.detected;
        self.delays.extend(other.delays);
        self.alarms += other.alarms;
        self.true_alarms += other.true_alarms;
        self.anomalies += other.anomalies;
    }

    /// Detected incidents / (detected incidents + false alarms); `None` without incidents or
    /// without either.
    pub fn precision(&self) -> Option<f64> {
        let counted = self.detected + self.false_alarms();
        (self.incidents > 0 && counted > 0).then(|| self.detected as f64 / counted as f64)
    }

    /// Alarms that overlap no incident.
    pub fn false_alarms(&self) -> usize {
        self.alarms - self.true_alarms
    }

    /// Detected / incidents; `None` without incidents.
    pub fn recall(&self) -> Option<f64> {
        (self.incidents > 0).then(|| self.detected as f64 / self.incidents as f64)
    }

    /// The harmonic mean of precision and recall: 0 when nothing was detected, `None` without
    /// incidents.
    pub fn f1(&self) -> Option<f64> {
        let recall = self.recall()?;
        let precision = self.precision().unwrap_or(0.0);
        Some(if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        })
    }

    /// False alarms per 10,000 events or points; `None` when nothing was scanned.
    pub fn false_alarms_per_10k(&self) -> Option<f64> {
        (self.units > 0).then(|| self.false_alarms() as f64 * 10_000.0 / self.units as f64)
    }

    /// The median delay (the lower middle one for an even count); `None` when nothing was
    /// detected.
    pub fn median_delay(&self) -> Option<u64> {
        let mut d = self.delays.clone();
        d.sort_unstable();
        d.get(d.len().saturating_sub(1) / 2).copied()
    }

    /// The longest delay; `None` when nothing was detected.
    pub fn max_delay(&self) -> Option<u64> {
        self.delays.iter().max().copied()
    }
}

/// For each incident, the highest score of the `scored` spans (every window or point the
/// detector scored) that overlap it or its grace period; for a case without incidents, the
/// highest score in it. Incidents that nothing scored get no value.
pub fn peak_scores(incidents: &[Span], scored: &[(Span, f64)], grace: u64) -> Vec<f64> {
    let peak = |within: Option<Span>| {
        scored
            .iter()
            .filter(|(s, _)| within.is_none_or(|w| s.overlaps(w)))
            .map(|(_, score)| *score)
            .max_by(f64::total_cmp)
    };
    if incidents.is_empty() {
        return peak(None).into_iter().collect();
    }
    incidents
        .iter()
        .filter_map(|i| {
            peak(Some(Span {
                first: i.first,
                last: i.last.saturating_add(grace),
            }))
        })
        .collect()
}

/// Merges `flags` (in report order) into alarms.
pub fn alarms(flags: &[Flag], merge_gap: u64) -> Vec<Span> {
    let mut spans: Vec<Span> = flags.iter().map(|f| f.span).collect();
    spans.sort_by_key(|s| s.first);
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(open) if s.first <= open.last.saturating_add(merge_gap + 1) => {
                open.last = open.last.max(s.last);
            }
            Some(_) | None => out.push(s),
        }
    }
    out
}

/// Scores one case of `units` events or points: its `incidents` and the detector's `flags`.
pub fn score(incidents: &[Span], flags: &[Flag], units: u64, rule: Rule) -> Tally {
    let extended: Vec<Span> = incidents
        .iter()
        .map(|i| Span {
            first: i.first,
            last: i.last.saturating_add(rule.grace),
        })
        .collect();
    let delays: Vec<u64> = extended
        .iter()
        .filter_map(|incident| {
            flags
                .iter()
                .filter(|f| f.span.overlaps(*incident))
                .map(|f| f.at.saturating_sub(incident.first))
                .min()
        })
        .collect();
    let merged = alarms(flags, rule.merge_gap);
    let true_alarms = merged
        .iter()
        .filter(|a| extended.iter().any(|i| a.overlaps(*i)))
        .count();
    Tally {
        units,
        incidents: incidents.len(),
        detected: delays.len(),
        delays,
        alarms: merged.len(),
        true_alarms,
        anomalies: flags.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(first: u64, last: u64) -> Span {
        Span { first, last }
    }

    fn window(first: u64, last: u64) -> Flag {
        Flag {
            span: span(first, last),
            at: last,
        }
    }

    fn point(i: u64) -> Flag {
        Flag {
            span: span(i, i),
            at: i,
        }
    }

    #[test]
    fn touching_windows_merge_and_gaps_split() {
        let flags = [window(0, 99), window(100, 199), window(300, 399)];
        assert_eq!(alarms(&flags, 0), vec![span(0, 199), span(300, 399)]);
        assert_eq!(alarms(&flags, 100), vec![span(0, 399)]);
        let points = [point(5), point(7), point(20)];
        assert_eq!(alarms(&points, 1), vec![span(5, 7), span(20, 20)]);
    }

    #[test]
    fn detection_delay_and_precision_by_hand() {
        let rule = Rule {
            grace: 50,
            merge_gap: 0,
        };
        // Incident A at 1000..=1300 is overlapped by the window 1200..=1299 (reported at
        // 1299, delay 299) and 1300..=1399; incident B at 5000..=5100 is only reached by a
        // window that starts 40 events after its end, inside the grace; incident C is missed.
        // Windows 3000..=3099 and 8000..=8099 are false alarms.
        let incidents = [span(1000, 1300), span(5000, 5100), span(7000, 7100)];
        let flags = [
            window(1200, 1299),
            window(1300, 1399),
            window(3000, 3099),
            window(5140, 5239),
            window(8000, 8099),
        ];
        let t = score(&incidents, &flags, 10_000, rule);
        assert_eq!((t.incidents, t.detected, t.false_alarms()), (3, 2, 2));
        assert_eq!(t.delays, vec![299, 239]);
        assert_eq!((t.alarms, t.true_alarms, t.anomalies), (4, 2, 5));
        assert_eq!(t.precision(), Some(0.5));
        assert_eq!(t.recall(), Some(2.0 / 3.0));
        let f1 = t.f1().unwrap_or_default();
        assert!((f1 - 4.0 / 7.0).abs() < 1e-12, "{f1}");
        assert_eq!(t.false_alarms_per_10k(), Some(2.0));
        assert_eq!((t.median_delay(), t.max_delay()), (Some(239), Some(299)));
    }

    #[test]
    fn an_anomaly_past_the_grace_does_not_count() {
        let rule = Rule {
            grace: 10,
            merge_gap: 5,
        };
        let t = score(&[span(100, 200)], &[point(211)], 1_000, rule);
        assert_eq!((t.detected, t.true_alarms, t.alarms), (0, 0, 1));
        assert_eq!((t.precision(), t.f1()), (Some(0.0), Some(0.0)));
        let t = score(&[span(100, 200)], &[point(210)], 1_000, rule);
        assert_eq!((t.detected, t.true_alarms, t.delays), (1, 1, vec![110]));
    }

    #[test]
    fn an_alarm_that_starts_early_counts_from_its_first_overlapping_anomaly() {
        let rule = Rule {
            grace: 0,
            merge_gap: 5,
        };
        let flags: Vec<Flag> = (95..=104).map(point).collect();
        let t = score(&[span(100, 120)], &flags, 500, rule);
        assert_eq!((t.alarms, t.true_alarms, t.delays), (1, 1, vec![0]));
    }

    #[test]
    fn peaks_per_incident_or_per_clean_case() {
        let scored = [
            (span(0, 9), 1.0),
            (span(10, 19), 4.0),
            (span(20, 29), 2.5),
            (span(30, 39), 9.0),
        ];
        assert_eq!(peak_scores(&[span(12, 21)], &scored, 0), vec![4.0]);
        assert_eq!(
            peak_scores(&[span(0, 5), span(25, 28)], &scored, 3),
            vec![1.0, 9.0]
        );
        assert_eq!(peak_scores(&[], &scored, 0), vec![9.0]);
        assert_eq!(peak_scores(&[span(50, 60)], &scored, 0), Vec::<f64>::new());
    }

    #[test]
    fn nothing_flagged_and_nothing_labelled() {
        let rule = Rule {
            grace: 0,
            merge_gap: 0,
        };
        let missed = score(&[span(10, 20)], &[], 100, rule);
        assert_eq!(
            (missed.precision(), missed.recall(), missed.f1()),
            (None, Some(0.0), Some(0.0))
        );
        let mut clean = score(&[], &[point(3), point(4)], 20_000, rule);
        assert_eq!(
            (clean.recall(), clean.precision(), clean.f1()),
            (None, None, None)
        );
        assert_eq!(clean.false_alarms_per_10k(), Some(0.5));
        clean.add(score(&[], &[], 20_000, rule));
        assert_eq!(
            (clean.units, clean.false_alarms_per_10k()),
            (40_000, Some(0.25))
        );
        assert_eq!(clean.median_delay(), None);
    }
}
