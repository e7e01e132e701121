//! The report: a markdown table, and one JSON object per row.

use serde_json::{Value, json};

use super::run::Row;

/// The markdown table of `rows`, with a header.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| data | detector | incident | cases | incidents | detected | recall | alarms | false alarms | precision | F1 | delay median | delay max | false alarms / 10k | median peak score |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let t = &r.tally;
        let cells = [
            r.data.to_owned(),
            r.detector.clone(),
            r.incident.to_owned(),
            r.cases.to_string(),
            t.incidents.to_string(),
            t.detected.to_string(),
            ratio(t.recall()),
            t.alarms.to_string(),
            t.false_alarms().to_string(),
            ratio(t.precision()),
            ratio(t.f1()),
            count(t.median_delay()),
            count(t.max_delay()),
            decimal(t.false_alarms_per_10k()),
            decimal(r.median_peak()),
        ];
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// One row as a JSON object (absent figures are null).
pub fn json_row(r: &Row) -> Value {
    let t = &r.tally;
    json!({
        "data": r.data,
        "detector": r.detector,
        "incident": r.incident,
        "cases": r.cases,
        "units": t.units,
        "incidents": t.incidents,
        "detected": t.detected,
        "recall": t.recall(),
        "anomalies": t.anomalies,
        "alarms": t.alarms,
        "true_alarms": t.true_alarms,
        "false_alarms": t.false_alarms(),
        "precision": t.precision(),
        "f1": t.f1(),
        "delay_median": t.median_delay(),
        "delay_max": t.max_delay(),
        "delays": t.delays,
        "false_alarms_per_10k": t.false_alarms_per_10k(),
        "peak_score_median": r.median_peak(),
        "peak_scores": r.peaks,
        "anomaly_kinds": r.kinds,
    })
}

fn ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"))
}

fn decimal(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

fn count(v: Option<u64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::score::Tally;
    use super::*;

    #[test]
    fn a_row_in_both_forms() {
        let row = Row {
            data: "logs",
            detector: "balanced".to_owned(),
            incident: "burst",
            cases: 2,
            tally: Tally {
                units: 20_000,
                incidents: 4,
                detected: 3,
                delays: vec![150, 90, 300],
                alarms: 5,
                true_alarms: 3,
                anomalies: 9,
            },
            peaks: vec![2.0, 4.5, 3.0],
            kinds: BTreeMap::new(),
        };
        let table = markdown(std::slice::from_ref(&row));
        assert!(table.ends_with(
            "| logs | balanced | burst | 2 | 4 | 3 | 0.75 | 5 | 2 | 0.60 | 0.67 | 150 | 300 | 1.0 | 3.0 |\n"
        ));
        let j = json_row(&row);
        assert_eq!(
            (j["recall"].as_f64(), j["delay_median"].as_u64()),
            (Some(0.75), Some(150))
        );
        let clean = Row {
            incident: "none",
            tally: Tally::default(),
            peaks: Vec::new(),
            ..row
        };
        assert!(markdown(&[clean]).ends_with("| – | 0 | 0 | – | – | – | – | – | – |\n"));
    }
}
