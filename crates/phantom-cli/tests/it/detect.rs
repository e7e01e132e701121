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

/// A log of normal web traffic with an incident of error lines from line 1,601 to 1,700.
fn incident_log() -> String {
    let paths = ["orders", "users", "cart", "search"];
    let mut log = String::new();
    for i in 0..1_600 {
        log.push_str(&format!(
            "2026-11-22T05:{:02}:{:02}Z INFO GET /api/{} status=200 took {} ms from 10.0.{}.{} password=hunter{}\n",
            i / 60 % 60,
            i % 60,
            paths[i * 7 % 4],
            i * 13 % 97,
            i % 5,
            i % 200,
            i % 10,
        ));
    }
    for i in 0..100 {
        log.push_str(&format!(
            "2026-11-22T06:00:{:02}Z ERROR payment gateway timeout after {} ms; retry {} of 3\n",
            i % 60,
            i * 31 % 5000,
            i % 3
        ));
    }
    log
}

/// `phantom detect` on `app.log` with the sensitive preset and seed 7.
const SENSITIVE_SEED_7: &[&str] = &[
    "detect",
    "--logs",
    "app.log",
    "--preset",
    "sensitive",
    "--seed",
    "7",
];

#[test]
fn a_log_incident_is_found_with_its_lines_p_value_and_new_tokens() {
    let dir = workdir();
    write(dir.path(), "app.log", &incident_log());
    let out = phantom(dir.path(), SENSITIVE_SEED_7).json();
    assert_eq!(out["lines"], 1_700);
    assert_eq!(out["preset"], "sensitive");
    let anomalies = out["anomalies"].as_array().unwrap();
    assert!(!anomalies.is_empty(), "{out}");
    let hit = anomalies
        .iter()
        .find(|a| a["lines"][1].as_u64().unwrap() > 1_600)
        .expect("no anomaly covers the incident");
    assert!(hit["p_value"].as_f64().unwrap() <= 0.05);
    assert_eq!(hit["window_sha256"].as_str().unwrap().len(), 64);
    let new_tokens = hit["changes"]["new_tokens"].to_string();
    assert!(new_tokens.contains("ERROR"), "{new_tokens}");
    assert!(
        !out.to_string().contains("hunter"),
        "a password reached the output"
    );
    let again = phantom(dir.path(), SENSITIVE_SEED_7).json();
    assert_eq!(again, out, "the same file and seed give the same answer");
}

#[test]
fn log_scores_give_one_row_per_line() {
    let dir = workdir();
    write(dir.path(), "app.log", &incident_log());
    let run = phantom(
        dir.path(),
        &[
            "detect",
            "--logs",
            "app.log",
            "--preset",
            "sensitive",
            "--scores",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows[0], "line,score,is_anomaly");
    assert_eq!(rows.len(), 1 + 1_700);
    assert_eq!(rows[1], "1,0,false");
    for (i, row) in rows[1..].iter().enumerate() {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[0], (i + 1).to_string());
        fields[1].parse::<f64>().unwrap();
        assert!(matches!(fields[2], "true" | "false"));
    }
    assert!(rows[1_601..].iter().any(|r| r.ends_with(",true")));
}

#[test]
fn log_errors_are_plain() {
    let dir = workdir();
    let err = phantom(dir.path(), &["detect", "--logs", "missing.log"])
        .error()
        .to_owned();
    assert!(
        err.contains("cannot open the log file missing.log"),
        "{err}"
    );
    let run = phantom(
        dir.path(),
        &["detect", "--logs", "x.log", "--preset", "loud"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("sensitive, balanced or strict"),
        "{}",
        run.stderr
    );
}

#[test]
fn online_scores_use_only_earlier_points_and_name_spikes_and_shifts() {
    let dir = workdir();
    let mut csv = String::from("value\n");
    for i in 0..300 {
        let v = match i {
            150 => 900.0,
            i if i >= 250 => 400.0 + (i % 5) as f64,
            i => 100.0 + (i % 5) as f64,
        };
        csv.push_str(&format!("{v}\n"));
    }
    write(dir.path(), "series.csv", &csv);
    let run = phantom(
        dir.path(),
        &["detect", "--data", "series.csv", "--online", "--scores"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows[0], "index,value,score,is_anomaly");
    assert_eq!(rows.len(), 301);
    assert!(rows[151].starts_with("150,900,") && rows[151].ends_with(",true"));
    assert!(rows[1].ends_with(",0.000000,false"), "{}", rows[1]);

    let out = phantom(dir.path(), &["detect", "--data", "series.csv", "--online"]).json();
    let kinds: Vec<(u64, String)> = out["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["index"].as_u64().unwrap(),
                a["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(kinds[0], (150, "spike".to_owned()));
    assert!(
        kinds.contains(&(254, "level_shift".to_owned())),
        "{kinds:?}"
    );
    assert_eq!(out["anomalies"][0]["line"], 152);

    let err = phantom(dir.path(), &["detect", "--data", "series.csv", "--scores"])
        .error()
        .to_owned();
    assert!(err.contains("--scores needs --online"), "{err}");
}
