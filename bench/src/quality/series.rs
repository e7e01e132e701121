//! Labelled numeric series: a level, a daily cycle (a sine and its first harmonic over
//! [`PERIOD`] points) and Gaussian noise, with incidents at known point ranges (see [`Plan`]):
//! spikes, level shifts, trend changes and noise changes, or none at all.
//!
//! Magnitudes are in units of the noise's standard deviation σ. Each incident ends by itself:
//! a level shift returns, a trend (a leak) is reset to the normal level, the noise calms down.

use std::f64::consts::TAU;

use rand::RngExt;

use super::plan::{Case, Label, Plan};
use super::random::{gaussian, rng};

/// Points per cycle (hourly points with a daily cycle).
pub const PERIOD: usize = 24;

/// A kind of series incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesIncident {
    /// One point 5 to 10 σ away.
    Spike,
    /// The level moves by 3 to 8 σ, for the incident's length.
    LevelShift,
    /// The level climbs (or falls) steadily by 3 to 8 σ over the incident's length.
    TrendChange,
    /// The noise's variance grows 3 to 5 times.
    NoiseChange,
}

impl SeriesIncident {
    /// Every kind.
    pub const ALL: [SeriesIncident; 4] = [
        SeriesIncident::Spike,
        SeriesIncident::LevelShift,
        SeriesIncident::TrendChange,
        SeriesIncident::NoiseChange,
    ];

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            SeriesIncident::Spike => "spike",
            SeriesIncident::LevelShift => "level_shift",
            SeriesIncident::TrendChange => "trend_change",
            SeriesIncident::NoiseChange => "noise_change",
        }
    }

    fn index(self) -> u64 {
        match self {
            SeriesIncident::Spike => 0,
            SeriesIncident::LevelShift => 1,
            SeriesIncident::TrendChange => 2,
            SeriesIncident::NoiseChange => 3,
        }
    }
}

/// An injected series incident and the points it changed.
pub type SeriesLabel = Label<SeriesIncident>;

/// A generated series: its values and its labels.
pub type SeriesCase = Case<f64, SeriesIncident>;

/// The plan of the benchmark's series: 120 days of hourly points, three incidents of 96 to 240
/// points, none in the first 20 days (the online detector scores a phase once it has 10 past
/// values of it).
pub fn default_series_plan() -> Plan {
    Plan {
        length: PERIOD * 120,
        incidents: 3,
        first_at: PERIOD * 20,
        min_len: 96,
        max_len: 240,
    }
}

/// Series number `case` with incidents of `kind` (or none), reproducible from `seed`.
pub fn series_case(kind: Option<SeriesIncident>, seed: u64, case: u64, plan: &Plan) -> SeriesCase {
    let stream = (1 << 40) | (kind.map_or(0, |k| k.index() + 1) << 32) | case;
    let mut r = rng(seed, stream);
    let level = r.random_range(50.0..500.0);
    let sigma = level * r.random_range(0.02..0.05);
    let amplitude = sigma * r.random_range(2.0..6.0);
    let (phase, phase2) = (r.random_range(0.0..TAU), r.random_range(0.0..TAU));
    let mut offset = vec![0.0; plan.length];
    let mut noise = vec![1.0; plan.length];
    let mut labels = Vec::new();
    let spans = match kind {
        Some(_) => plan.spans(&mut r),
        None => Vec::new(),
    };
    for (kind, (start, len)) in kind.into_iter().cycle().zip(spans) {
        let sign = if r.random_bool(0.5) { 1.0 } else { -1.0 };
        let size = sign * r.random_range(3.0..8.0);
        let (len, what) = match kind {
            SeriesIncident::Spike => {
                let size = sign * r.random_range(5.0..10.0);
                offset[start] = size * sigma;
                (1, format!("spike {size:+.1}σ"))
            }
            SeriesIncident::LevelShift => {
                offset[start..start + len].fill(size * sigma);
                (len, format!("level {size:+.1}σ for {len} points"))
            }
            SeriesIncident::TrendChange => {
                for (i, o) in offset[start..start + len].iter_mut().enumerate() {
                    *o = size * sigma * (i + 1) as f64 / len as f64;
                }
                (len, format!("trend to {size:+.1}σ over {len} points"))
            }
            SeriesIncident::NoiseChange => {
                let variance = r.random_range(3.0..5.0);
                noise[start..start + len].fill(f64::sqrt(variance));
                (
                    len,
                    format!("noise variance ×{variance:.1} for {len} points"),
                )
            }
        };
        labels.push(Label {
            kind,
            what,
            first: start as u64,
            last: (start + len - 1) as u64,
        });
    }
    let values = (0..plan.length)
        .map(|t| {
            let angle = TAU * t as f64 / PERIOD as f64;
            let season = (angle + phase).sin() + 0.3 * (2.0 * angle + phase2).sin();
            level + amplitude * season + offset[t] + noise[t] * sigma * gaussian(&mut r)
        })
        .collect();
    Case {
        data: values,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values minus the cycle, estimated per phase by the median of the clean series.
    fn deseasoned(values: &[f64], clean: &[f64]) -> Vec<f64> {
        let phase_median = |p: usize| {
            let mut v: Vec<f64> = clean.iter().skip(p).step_by(PERIOD).copied().collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let medians: Vec<f64> = (0..PERIOD).map(phase_median).collect();
        values
            .iter()
            .enumerate()
            .map(|(t, v)| v - medians[t % PERIOD])
            .collect()
    }

    fn spread(v: &[f64]) -> f64 {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
    }

    #[test]
    fn same_seed_same_series() {
        let plan = default_series_plan();
        let a = series_case(Some(SeriesIncident::TrendChange), 5, 1, &plan);
        assert_eq!(
            a,
            series_case(Some(SeriesIncident::TrendChange), 5, 1, &plan)
        );
        assert_ne!(
            a.data,
            series_case(Some(SeriesIncident::TrendChange), 6, 1, &plan).data
        );
        assert_ne!(
            a.data,
            series_case(Some(SeriesIncident::TrendChange), 5, 2, &plan).data
        );
    }

    #[test]
    fn labels_mark_the_changed_points() {
        let plan = default_series_plan();
        for kind in SeriesIncident::ALL {
            for case in 0..3 {
                let s = series_case(Some(kind), 9, case, &plan);
                // Residuals against the series' own per-phase medians; σ from the quiet start.
                let base = deseasoned(&s.data, &s.data);
                let sigma = spread(&base[..plan.first_at]);
                assert_eq!(s.labels.len(), 3, "{kind:?}");
                for l in &s.labels {
                    let (a, b) = (l.first as usize, l.last as usize);
                    let inside = &base[a..=b];
                    let before = &base[a - 48..a];
                    let after = &base[b + 1..b + 49];
                    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
                    match kind {
                        SeriesIncident::Spike => {
                            assert_eq!(a, b);
                            assert!((inside[0] - mean(before)).abs() > 4.0 * sigma, "{l:?}");
                        }
                        SeriesIncident::LevelShift => {
                            assert!((mean(inside) - mean(before)).abs() > 2.5 * sigma, "{l:?}");
                            assert!((mean(after) - mean(before)).abs() < 1.0 * sigma, "{l:?}");
                        }
                        SeriesIncident::TrendChange => {
                            let n = inside.len();
                            let (head, tail) = (mean(&inside[..n / 4]), mean(&inside[3 * n / 4..]));
                            assert!((tail - head).abs() > 1.5 * sigma, "{l:?}");
                            assert!((mean(after) - mean(before)).abs() < 1.0 * sigma, "{l:?}");
                        }
                        SeriesIncident::NoiseChange => {
                            assert!(spread(inside) > 1.4 * spread(before), "{l:?}");
                            assert!(spread(after) < 1.4 * spread(before), "{l:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_clean_series_has_no_labels_and_stays_near_its_cycle() {
        let plan = default_series_plan();
        let s = series_case(None, 4, 0, &plan);
        assert!(s.labels.is_empty());
        let base = deseasoned(&s.data, &s.data);
        let sigma = spread(&base);
        assert!(base.iter().all(|v| v.abs() < 5.0 * sigma));
    }
}
