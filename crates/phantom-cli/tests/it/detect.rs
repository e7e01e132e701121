//! `phantom detect` on series files.

use crate::support::{phantom, workdir, write};

#[test]
fn finds_a_spike_with_index_line_score_and_severity() {
    let dir = workdir();
    let mut csv = String::from("timestamp,value\n");
    for i in 0..200 {
        let v = if i == 120 {
            950.0
        } else {
            100.0 + (i % 10) as f64
        };
        csv.push_str(&format!("2026-01-01T00:{:02}:{:02}Z,{v}\n", i / 60, i % 60));
    }
    write(dir.path(), "series.csv", &csv);
    let out = phantom(dir.path(), &["detect", "--data", "series.csv"]).json();
    assert_eq!(out["column"], "value");
    assert_eq!(out["anomalies_detected"], 1);
    let a = &out["anomalies"][0];
    assert_eq!(
        (a["index"].as_u64(), a["line"].as_u64()),
        (Some(120), Some(122))
    );
    assert_eq!(a["value"], 950.0);
    assert_eq!(a["severity"], "critical");
    assert_eq!(a["direction"], "above");
    assert!(a["score"].as_f64().unwrap() > out["threshold"].as_f64().unwrap());
    assert_eq!(out["median"], 105.0);
}

#[test]
fn column_choice_and_errors() {
    let dir = workdir();
    write(dir.path(), "two.csv", "a,b\n1,2\n");
    let err = phantom(dir.path(), &["detect", "--data", "two.csv"])
        .error()
        .to_owned();
    assert!(
        err.contains(
            "two.csv: the file has several columns (a, b); choose the series with --column"
        ),
        "{err}"
    );
    write(dir.path(), "bad.csv", "v\n1\nx\n");
    let err = phantom(dir.path(), &["detect", "--data", "bad.csv"])
        .error()
        .to_owned();
    assert!(
        err.contains("bad.csv: line 3, column 'v': 'x' is not a number"),
        "{err}"
    );
    let err = phantom(
        dir.path(),
        &[
            "detect",
            "--data",
            "two.csv",
            "--column",
            "a",
            "--sensitivity",
            "0",
        ],
    )
    .error()
    .to_owned();
    assert!(
        err.contains("sensitivity must be a positive number"),
        "{err}"
    );
}
