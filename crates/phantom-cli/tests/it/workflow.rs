//! train -> eval -> predict on the bundled datasets, for every task.

use crate::support::{dataset, phantom, workdir};

#[test]
fn classification_train_eval_predict() {
    let dir = workdir();
    let data = dataset("iris.csv");
    let trained = phantom(
        dir.path(),
        &[
            "train",
            "--data",
            &data,
            "--label",
            "species",
            "--algorithm",
            "random_forest",
            "--trees",
            "50",
            "--out",
            "iris.phm",
        ],
    )
    .json();
    // 30 validation rows: each error costs 3.3 points; every algorithm scores 0.87 on this split.
    assert!(trained["accuracy"].as_f64().unwrap() >= 0.85, "{trained}");
    assert_eq!(trained["evaluated_on"], "validation");
    assert_eq!(trained["validation_rows"], 30);
    assert_eq!(trained["model"], "iris.phm");
    assert!(trained["training_time_ms"].as_f64().unwrap() > 0.0);

    let eval = phantom(
        dir.path(),
        &[
            "eval", "--model", "iris.phm", "--data", &data, "--label", "species",
        ],
    )
    .json();
    for key in ["accuracy", "f1", "precision", "recall", "roc_auc"] {
        let v = eval[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} missing: {eval}"));
        assert!((0.9..=1.0).contains(&v), "{key} = {v}");
    }

    let predicted = phantom(
        dir.path(),
        &["predict", "--model", "iris.phm", "--data", &data, "--proba"],
    );
    assert_eq!(predicted.code, 0, "{}", predicted.stderr);
    let mut lines = predicted.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("prediction,probability_setosa,probability_versicolor,probability_virginica")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 150);
    assert!(rows[0].starts_with("setosa,"), "{}", rows[0]);
    let p: f64 = rows[0]
        .split(',')
        .skip(1)
        .map(|v| v.parse::<f64>().unwrap())
        .sum();
    assert!((p - 1.0).abs() < 1e-9);
}

#[test]
fn predict_writes_to_a_file_and_picks_columns_by_name() {
    let dir = workdir();
    phantom(
        dir.path(),
        &[
            "train",
            "--data",
            &dataset("breast_cancer.csv"),
            "--label",
            "malignant",
            "--algorithm",
            "logistic_regression",
            "--out",
            "m.phm",
        ],
    )
    .json();
    // The same features in reverse order, without the label.
    let text = std::fs::read_to_string(dataset("breast_cancer.csv")).unwrap();
    let reversed: String = text
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.pop();
            cells.reverse();
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("reversed.csv"), reversed).unwrap();
    let run = phantom(
        dir.path(),
        &[
            "predict",
            "--model",
            "m.phm",
            "--data",
            "reversed.csv",
            "--out",
            "pred.csv",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pred = std::fs::read_to_string(dir.path().join("pred.csv")).unwrap();
    let labels: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    let hits = pred
        .lines()
        .skip(1)
        .zip(&labels)
        .filter(|(p, l)| p == *l)
        .count();
    assert!(
        hits as f64 / labels.len() as f64 > 0.95,
        "{hits} of {}",
        labels.len()
    );
}

#[test]
fn every_algorithm_trains_and_evaluates() {
    let dir = workdir();
    /// (data file, label, algorithm, extra flags, metrics expected)
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: &[Case] = &[
        (
            "breast_cancer.csv",
            "malignant",
            "decision_tree",
            &[],
            &["accuracy", "f1", "roc_auc"],
        ),
        (
            "breast_cancer.csv",
            "malignant",
            "gradient_boosting",
            &["--trees", "30"],
            &["accuracy", "roc_auc"],
        ),
        (
            "breast_cancer.csv",
            "malignant",
            "neural_network",
            &["--hidden-layers", "16"],
            &["accuracy"],
        ),
        (
            "wine.csv",
            "cultivar",
            "logistic_regression",
            &[],
            &["accuracy", "f1"],
        ),
        (
            "diabetes.csv",
            "progression",
            "linear_regression",
            &[],
            &["rmse", "mae", "r2"],
        ),
        (
            "diabetes.csv",
            "progression",
            "random_forest",
            &["--task", "regression", "--trees", "30"],
            &["rmse", "r2"],
        ),
        (
            "breast_cancer.csv",
            "malignant",
            "isolation_forest",
            &["--contamination", "0.3"],
            &["roc_auc"],
        ),
        (
            "wine.csv",
            "cultivar",
            "kmeans",
            &["--k", "3"],
            &["inertia", "silhouette"],
        ),
    ];
    for (data, label, algorithm, extra, keys) in cases {
        let path = dataset(data);
        let mut args = vec![
            "train",
            "--data",
            &path,
            "--label",
            label,
            "--algorithm",
            algorithm,
            "--out",
            "m.phm",
        ];
        args.extend_from_slice(extra);
        let trained = phantom(dir.path(), &args).json();
        for key in *keys {
            assert!(
                trained[*key].as_f64().is_some_and(f64::is_finite),
                "{algorithm}: {key} missing in {trained}"
            );
        }
        let eval = phantom(
            dir.path(),
            &[
                "eval",
                "--model",
                "m.phm",
                "--data",
                &dataset(data),
                "--label",
                label,
            ],
        )
        .json();
        for key in *keys {
            assert!(
                eval[*key].as_f64().is_some_and(f64::is_finite),
                "{algorithm}: {key} missing in {eval}"
            );
        }
    }
}

#[test]
fn same_seed_gives_the_same_model_file() {
    let dir = workdir();
    for out in ["a.phm", "b.phm"] {
        phantom(
            dir.path(),
            &[
                "train",
                "--data",
                &dataset("wine.csv"),
                "--label",
                "cultivar",
                "--algorithm",
                "random_forest",
                "--seed",
                "7",
                "--out",
                out,
            ],
        )
        .json();
    }
    let a = std::fs::read(dir.path().join("a.phm")).unwrap();
    let b = std::fs::read(dir.path().join("b.phm")).unwrap();
    assert_eq!(a, b);
}

#[test]
fn anomaly_and_cluster_models_predict_and_evaluate() {
    let dir = workdir();
    let data = dataset("breast_cancer.csv");
    let trained = phantom(
        dir.path(),
        &[
            "train",
            "--data",
            &data,
            "--label",
            "malignant",
            "--algorithm",
            "isolation_forest",
            "--contamination",
            "0.2",
            "--out",
            "if.phm",
        ],
    )
    .json();
    assert_eq!(trained["task"], "anomaly_detection");
    let run = phantom(
        dir.path(),
        &["predict", "--model", "if.phm", "--data", &data],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some("prediction,score"));
    let rows: Vec<(u8, f64)> = lines
        .map(|l| {
            let (p, s) = l.split_once(',').unwrap();
            (p.parse().unwrap(), s.parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 569);
    assert!(rows.iter().all(|(p, s)| *p <= 1 && (0.0..=1.0).contains(s)));
    let flagged = rows.iter().filter(|(p, _)| *p == 1).count() as f64 / 569.0;
    assert!((0.1..0.3).contains(&flagged), "flagged share {flagged}");

    phantom(
        dir.path(),
        &[
            "train",
            "--data",
            &dataset("wine.csv"),
            "--label",
            "cultivar",
            "--algorithm",
            "kmeans",
            "--k",
            "3",
            "--out",
            "km.phm",
        ],
    )
    .json();
    let eval = phantom(
        dir.path(),
        &["eval", "--model", "km.phm", "--data", &dataset("wine.csv")],
    )
    .json();
    assert!(eval["inertia"].as_f64().unwrap() > 0.0);
    assert!((-1.0..=1.0).contains(&eval["silhouette"].as_f64().unwrap()));
    let run = phantom(
        dir.path(),
        &[
            "predict",
            "--model",
            "km.phm",
            "--data",
            &dataset("wine.csv"),
        ],
    );
    let clusters: std::collections::BTreeSet<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(clusters.into_iter().collect::<Vec<_>>(), ["0", "1", "2"]);
}
