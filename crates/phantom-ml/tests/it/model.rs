//! The model container: fit through `ModelSpec`, save, load, predict, evaluate, explain.

use phantom_ml::model::{
    Algorithm, ClassNames, Estimator, FormatError, Hyperparameters, Model, ModelSpec, Predictions,
    Target, Task,
};
use phantom_ml::{Classifier, MlError, NoProgress};

use crate::data::{load, split_indices};

fn class_target(name: &str) -> (phantom_ml::Matrix, Target, Vec<String>) {
    let d = load(name);
    let names = ClassNames::from_labels(&d.labels);
    let y = names.encode(&d.labels).unwrap();
    let features = (0..d.x.n_cols()).map(|i| format!("f{i}")).collect();
    (d.x, Target::Classes { y, names }, features)
}

fn small(algorithm: Algorithm) -> Hyperparameters {
    let mut h = Hyperparameters {
        seed: Some(3),
        ..Hyperparameters::default()
    };
    match algorithm {
        Algorithm::RandomForest | Algorithm::GradientBoosting | Algorithm::IsolationForest => {
            h.n_trees = Some(20)
        }
        Algorithm::NeuralNetwork => {
            h.hidden_layers = Some(vec![8]);
            h.max_iter = Some(30);
        }
        Algorithm::KMeans => h.k = Some(3),
        Algorithm::DecisionTree | Algorithm::LogisticRegression | Algorithm::LinearRegression => {}
    }
    h
}

/// Every algorithm and task: the saved file loads back to an equal model that predicts the
/// same, and fitting twice with the same seed writes the same bytes.
#[test]
fn every_model_round_trips_and_is_deterministic() {
    let (cx, ct, cf) = class_target("wine");
    let diabetes = load("diabetes");
    let rt = Target::Values(diabetes.targets());
    let rf: Vec<String> = (0..diabetes.x.n_cols()).map(|i| format!("f{i}")).collect();
    for &algorithm in Algorithm::ALL {
        for &task in algorithm.tasks() {
            let (x, target, features) = match task {
                Task::Regression => (&diabetes.x, &rt, &rf),
                Task::Classification | Task::AnomalyDetection | Task::Clustering => (&cx, &ct, &cf),
            };
            let spec = ModelSpec::new(algorithm, task).hyperparameters(small(algorithm));
            let model = spec.fit(x, target, features, &NoProgress).unwrap();
            let bytes = model.to_bytes().unwrap();
            let loaded = Model::from_bytes(&bytes).unwrap();
            assert_eq!(loaded, model, "{algorithm}/{task}");
            assert_eq!(loaded.predict(x).unwrap(), model.predict(x).unwrap());
            let again = spec.fit(x, target, features, &NoProgress).unwrap();
            assert_eq!(
                again.to_bytes().unwrap(),
                bytes,
                "{algorithm}/{task} is not deterministic"
            );
            let importance = model.feature_importance();
            assert_eq!(importance.len(), x.n_cols());
            assert!(
                importance.iter().all(|v| *v >= 0.0 && v.is_finite()),
                "{algorithm}"
            );
            let total: f64 = importance.iter().sum();
            assert!(
                total == 0.0 || (total - 1.0).abs() < 1e-9,
                "{algorithm}: {total}"
            );
        }
    }
}

#[test]
fn a_file_whose_header_disagrees_with_its_body_is_refused() {
    let (x, t, f) = class_target("iris");
    let model = ModelSpec::new(Algorithm::DecisionTree, Task::Classification)
        .fit(&x, &t, &f, &NoProgress)
        .unwrap();
    let mut bytes = model.to_bytes().unwrap();
    bytes[10] = Algorithm::KMeans.tag();
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(MlError::Format(FormatError::HeaderMismatch {
            what: "algorithm",
            ..
        }))
    ));
    bytes[10] = 200;
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(MlError::Format(FormatError::UnknownTag {
            what: "algorithm",
            tag: 200
        }))
    ));
}

#[test]
fn wrong_feature_count_says_expected_and_got() {
    let (x, t, f) = class_target("iris");
    let model = ModelSpec::new(Algorithm::LogisticRegression, Task::Classification)
        .fit(&x, &t, &f, &NoProgress)
        .unwrap();
    let wide = phantom_ml::Matrix::zeros(2, 5);
    let err = model.predict(&wide).unwrap_err().to_string();
    assert_eq!(err, "feature count: expected 4, got 5");
    let mut out = [0.0; 3];
    assert!(model.predict_proba_row(&[0.0; 3], &mut out).is_err());
    model.predict_proba_row(x.row(0), &mut out).unwrap();
    assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-9);
}

/// TreeSHAP through the model: base + contributions = the model's output, per class, for
/// forests (probabilities) and boosting (raw scores, binary and multi-class) and regression.
#[test]
fn tree_explanations_add_up_to_the_output() {
    for (name, algorithm, task) in [
        (
            "breast_cancer",
            Algorithm::GradientBoosting,
            Task::Classification,
        ),
        ("wine", Algorithm::GradientBoosting, Task::Classification),
        ("wine", Algorithm::RandomForest, Task::Classification),
        ("iris", Algorithm::DecisionTree, Task::Classification),
        ("diabetes", Algorithm::GradientBoosting, Task::Regression),
        ("diabetes", Algorithm::RandomForest, Task::Regression),
    ] {
        let d = load(name);
        let (target, names) = if task == Task::Regression {
            (Target::Values(d.targets()), ClassNames::default())
        } else {
            let names = ClassNames::from_labels(&d.labels);
            let y = names.encode(&d.labels).unwrap();
            (
                Target::Classes {
                    y,
                    names: names.clone(),
                },
                names,
            )
        };
        let features: Vec<String> = (0..d.x.n_cols()).map(|i| format!("f{i}")).collect();
        let model = ModelSpec::new(algorithm, task)
            .hyperparameters(small(algorithm))
            .fit(&d.x, &target, &features, &NoProgress)
            .unwrap();
        for row in [0, 7, d.x.n_rows() - 1] {
            let e = model.explain_row(d.x.row(row)).unwrap();
            let k = e.base.len();
            let outputs: Vec<f64> =
                match (&model.predict(&d.x.select_rows(&[row])).unwrap(), e.output) {
                    (Predictions::Values(v), "prediction") => v.clone(),
                    (Predictions::Classes { probabilities, .. }, "probability") => {
                        probabilities.clone()
                    }
                    (Predictions::Classes { .. }, "raw_score") => {
                        let Estimator::GradientBoostingClassifier(m) = model.estimator() else {
                            panic!("raw scores from {:?}", model.algorithm());
                        };
                        let mut raw = vec![0.0; k];
                        m.raw_scores_row(d.x.row(row), &mut raw);
                        raw
                    }
                    other => panic!("unexpected output {other:?}"),
                };
            assert_eq!(outputs.len(), k, "{name}/{algorithm}: {names:?}");
            for (out, value) in outputs.iter().enumerate() {
                let sum: f64 = e.base[out]
                    + (0..d.x.n_cols())
                        .map(|f| e.contributions[f * k + out])
                        .sum::<f64>();
                assert!(
                    (sum - value).abs() < 1e-6 * value.abs().max(1.0),
                    "{name}/{algorithm} row {row} output {out}: {sum} vs {value}"
                );
            }
        }
    }
}

#[test]
fn linear_explanations_add_up_to_the_predicted_class() {
    let (x, t, f) = class_target("iris");
    let model = ModelSpec::new(Algorithm::LogisticRegression, Task::Classification)
        .fit(&x, &t, &f, &NoProgress)
        .unwrap();
    let Predictions::Classes { classes, .. } = model.predict(&x).unwrap() else {
        panic!("a classifier predicts classes")
    };
    for row in [0, 60, 120] {
        let e = model.explain_row(x.row(row)).unwrap();
        assert_eq!((e.method, e.output), ("linear", "raw_score"));
        let k = e.base.len();
        assert_eq!(k, 3);
        assert_eq!(e.contributions.len(), 4 * k);
        // Feature-major: the raw score of class c is base[c] plus every feature's share.
        let scores: Vec<f64> = (0..k)
            .map(|c| e.base[c] + (0..4).map(|f| e.contributions[f * k + c]).sum::<f64>())
            .collect();
        let best = (0..k)
            .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
            .unwrap();
        assert_eq!(best as u32, classes[row], "row {row}: {scores:?}");
    }
}

#[test]
fn explanations_of_other_models_say_what_to_use() {
    let (x, t, f) = class_target("iris");
    let model = ModelSpec::new(Algorithm::NeuralNetwork, Task::Classification)
        .hyperparameters(small(Algorithm::NeuralNetwork))
        .fit(&x, &t, &f, &NoProgress)
        .unwrap();
    let err = model.explain_row(x.row(0)).unwrap_err().to_string();
    assert!(
        err.contains("for neural_network use the global feature importance"),
        "{err}"
    );
}

#[test]
fn evaluation_reports_the_task_metrics() {
    let (x, t, f) = class_target("breast_cancer");
    let (train, test) = split_indices(x.n_rows(), 0.25, 1);
    let model = ModelSpec::new(Algorithm::RandomForest, Task::Classification)
        .hyperparameters(small(Algorithm::RandomForest))
        .fit(&x.select_rows(&train), &t.select(&train), &f, &NoProgress)
        .unwrap();
    let m = model
        .evaluate(&x.select_rows(&test), &t.select(&test))
        .unwrap();
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "accuracy",
            "f1",
            "log_loss",
            "precision",
            "recall",
            "roc_auc"
        ]
    );
    assert!(m["accuracy"] > 0.9 && m["roc_auc"] > 0.95, "{m:?}");

    // One class only in the evaluation rows: ROC-AUC is undefined and left out, not NaN.
    let Target::Classes { y, .. } = &t else {
        unreachable!()
    };
    let benign: Vec<usize> = (0..x.n_rows()).filter(|&r| y[r] == 0).take(20).collect();
    let m = model
        .evaluate(&x.select_rows(&benign), &t.select(&benign))
        .unwrap();
    assert!(
        !m.contains_key("roc_auc") && m.values().all(|v| v.is_finite()),
        "{m:?}"
    );

    let Estimator::RandomForestClassifier(forest) = model.estimator() else {
        panic!("{:?}", model.algorithm());
    };
    assert_eq!(forest.n_classes(), 2);
}

/// The spec's hyperparameters reach the algorithms: counts, depths and sizes show in the
/// fitted models.
#[test]
fn hyperparameters_reach_the_algorithms() {
    let (x, t, f) = class_target("wine");
    let fit = |algorithm, h: Hyperparameters| {
        ModelSpec::new(algorithm, algorithm.default_task())
            .hyperparameters(h)
            .fit(&x, &t, &f, &NoProgress)
            .unwrap()
    };
    let h = Hyperparameters {
        n_trees: Some(7),
        max_depth: Some(2),
        ..Hyperparameters::default()
    };
    let Estimator::RandomForestClassifier(forest) =
        fit(Algorithm::RandomForest, h.clone()).estimator().clone()
    else {
        panic!("not a forest");
    };
    assert_eq!(forest.trees().len(), 7);
    assert!(forest.trees().iter().all(|t| t.depth() <= 2));
    let Estimator::GradientBoostingClassifier(gb) = fit(Algorithm::GradientBoosting, h.clone())
        .estimator()
        .clone()
    else {
        panic!("not boosting");
    };
    assert_eq!(gb.n_rounds(), 7);
    assert!(gb.trees().iter().all(|t| t.depth() <= 2));
    let Estimator::IsolationForest(iforest) = fit(
        Algorithm::IsolationForest,
        Hyperparameters {
            n_trees: Some(7),
            ..Hyperparameters::default()
        },
    )
    .estimator()
    .clone() else {
        panic!("not an isolation forest");
    };
    assert_eq!(iforest.n_trees(), 7);
    let Estimator::KMeans(kmeans) = fit(
        Algorithm::KMeans,
        Hyperparameters {
            k: Some(4),
            ..Hyperparameters::default()
        },
    )
    .estimator()
    .clone() else {
        panic!("not k-means");
    };
    assert_eq!(kmeans.centers().n_rows(), 4);
    let Estimator::NeuralNetworkClassifier(mlp) = fit(
        Algorithm::NeuralNetwork,
        Hyperparameters {
            max_iter: Some(3),
            hidden_layers: Some(vec![5]),
            ..Hyperparameters::default()
        },
    )
    .estimator()
    .clone() else {
        panic!("not an MLP");
    };
    assert_eq!(mlp.history().epochs(), 3);
}

/// A file whose checksum is right but whose tree points outside itself (hand-edited, or written
/// by a faulty tool) is refused when loading, instead of panicking when predicting.
#[test]
fn an_inconsistent_model_body_is_refused_on_load() {
    let (x, t, f) = class_target("iris");
    let model = ModelSpec::new(Algorithm::DecisionTree, Task::Classification)
        .fit(&x, &t, &f, &NoProgress)
        .unwrap();
    let edit = |path: &[&str], value: serde_json::Value| {
        let mut v = serde_json::to_value(&model).unwrap();
        let mut node = &mut v;
        for key in path {
            node = match key.parse::<usize>() {
                Ok(i) => &mut node[i],
                Err(_) => &mut node[*key],
            };
        }
        *node = value;
        let broken: Model = serde_json::from_value(v).unwrap();
        Model::from_bytes(&broken.to_bytes().unwrap())
    };
    let tree = ["estimator", "DecisionTreeClassifier", "tree"];
    for (field, value) in [("left", 10_000), ("right", 0), ("feature", 99)] {
        let path: Vec<&str> = tree.iter().copied().chain(["nodes", "0", field]).collect();
        let err = edit(&path, value.into()).unwrap_err();
        assert!(
            matches!(err, MlError::Format(FormatError::Inconsistent(_))),
            "{field} = {value}: {err}"
        );
    }
    let names = edit(&["class_names"], serde_json::json!(["a", "b"])).unwrap_err();
    assert!(
        names
            .to_string()
            .contains("the estimator has 3 classes, the model 2 class names"),
        "{names}"
    );
}
