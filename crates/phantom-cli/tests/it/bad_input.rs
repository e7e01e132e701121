//! Bad files and flags get errors that say where and what.

use crate::support::{dataset, phantom, workdir, write};

fn train(dir: &std::path::Path, data: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "train",
        "--data",
        data,
        "--algorithm",
        "random_forest",
        "--out",
        "m.phm",
    ];
    args.extend_from_slice(extra);
    phantom(dir, &args).error().to_owned()
}

#[test]
fn bad_csv_files_are_named_with_line_and_column() {
    let dir = workdir();
    let d = dir.path();
    let cases: &[(&str, &str, &str)] = &[
        (
            "text.csv",
            "a,b,y\n1,2,0\n3,oops,1\n",
            "text.csv: line 3, column 'b': 'oops' is not a number",
        ),
        (
            "ragged.csv",
            "a,b,y\n1,2,0\n3,1\n",
            "ragged.csv: line 3: the row has 2 fields but the header has 3",
        ),
        ("empty.csv", "", "empty.csv: the file is empty"),
        (
            "header.csv",
            "a,b,y\n",
            "header.csv: the file has a header but no data rows",
        ),
        (
            "nan.csv",
            "a,b,y\n1,NaN,0\n",
            "nan.csv: line 2, column 'b': 'NaN' is not a finite number",
        ),
        (
            "inf.csv",
            "a,b,y\n1,2,0\n-inf,2,1\n",
            "inf.csv: line 3, column 'a': '-inf' is not a finite number",
        ),
        (
            "hole.csv",
            "a,b,y\n1,,0\n",
            "hole.csv: line 2, column 'b': the cell is empty",
        ),
        (
            "nolabel.csv",
            "a,b,z\n1,2,0\n",
            "nolabel.csv: no column named 'y' in the header (columns: a, b, z)",
        ),
        (
            "oneclass.csv",
            "a,b,y\n1,2,0\n3,4,0\n",
            "oneclass.csv: the label column 'y' has a single class (0)",
        ),
    ];
    for (name, content, expected) in cases {
        write(d, name, content);
        let err = train(d, name, &["--label", "y"]);
        assert!(
            err.contains(expected),
            "{name}: expected '{expected}' in: {err}"
        );
        assert!(
            !d.join("m.phm").exists(),
            "{name}: no model is written on error"
        );
    }
}

#[test]
fn missing_file_and_missing_label_flag() {
    let dir = workdir();
    assert!(
        train(dir.path(), "nope.csv", &["--label", "y"]).contains("nope.csv: cannot read the file")
    );
    assert!(
        train(dir.path(), &dataset("iris.csv"), &[])
            .contains("--label is required for classification")
    );
}

#[test]
fn regression_labels_must_be_numbers() {
    let dir = workdir();
    write(dir.path(), "r.csv", "a,y\n1,2.5\n2,high\n");
    let err = train(
        dir.path(),
        "r.csv",
        &["--label", "y", "--task", "regression"],
    );
    assert!(
        err.contains("r.csv: line 3, column 'y': 'high' is not a finite number"),
        "{err}"
    );
}

#[test]
fn flags_the_algorithm_does_not_use_are_refused() {
    let dir = workdir();
    let err = train(
        dir.path(),
        &dataset("iris.csv"),
        &["--label", "species", "--k", "3"],
    );
    assert!(
        err.contains("`k`: random_forest does not use it; it applies to: kmeans"),
        "{err}"
    );
    let run = phantom(
        dir.path(),
        &[
            "train",
            "--data",
            "x.csv",
            "--algorithm",
            "forest",
            "--out",
            "m.phm",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown algorithm 'forest'"),
        "{}",
        run.stderr
    );
    let err = phantom(
        dir.path(),
        &[
            "train",
            "--data",
            &dataset("iris.csv"),
            "--label",
            "species",
            "--algorithm",
            "kmeans",
            "--task",
            "classification",
            "--out",
            "m.phm",
        ],
    );
    assert!(err.error().contains("kmeans cannot learn classification"));
}

#[test]
fn model_files_for_another_task_or_damaged_are_refused() {
    let dir = workdir();
    let d = dir.path();
    phantom(
        d,
        &[
            "train",
            "--data",
            &dataset("diabetes.csv"),
            "--label",
            "progression",
            "--algorithm",
            "linear_regression",
            "--out",
            "reg.phm",
        ],
    )
    .json();
    let err = phantom(
        d,
        &[
            "predict",
            "--model",
            "reg.phm",
            "--data",
            &dataset("diabetes.csv"),
            "--proba",
        ],
    )
    .error()
    .to_owned();
    assert!(
        err.contains("--proba applies to classification models; reg.phm is a regression model"),
        "{err}"
    );

    phantom(
        d,
        &[
            "train",
            "--data",
            &dataset("iris.csv"),
            "--label",
            "species",
            "--algorithm",
            "decision_tree",
            "--out",
            "cls.phm",
        ],
    )
    .json();
    write(
        d,
        "other.csv",
        "sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,daisy\n",
    );
    let err = phantom(
        d,
        &[
            "eval",
            "--model",
            "cls.phm",
            "--data",
            "other.csv",
            "--label",
            "species",
        ],
    )
    .error()
    .to_owned();
    assert!(
        err.contains("other.csv: line 2, column 'species': class 'daisy' was not seen in training"),
        "{err}"
    );
    let err = phantom(
        d,
        &[
            "predict",
            "--model",
            "cls.phm",
            "--data",
            &dataset("wine.csv"),
        ],
    )
    .error()
    .to_owned();
    assert!(err.contains("no column named 'sepal_length'"), "{err}");

    let mut bytes = std::fs::read(d.join("cls.phm")).unwrap();
    std::fs::write(d.join("truncated.phm"), &bytes[..bytes.len() / 2]).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(d.join("corrupt.phm"), &bytes).unwrap();
    write(d, "text.phm", "this is not a model");
    let data = dataset("iris.csv");
    for (file, expected) in [
        (
            "truncated.phm",
            "truncated.phm: cannot load the model: model file: the file is truncated",
        ),
        (
            "corrupt.phm",
            "corrupt.phm: cannot load the model: model file: the file is corrupted",
        ),
        (
            "text.phm",
            "text.phm: cannot load the model: model file: not a Phantom model file",
        ),
        ("missing.phm", "missing.phm: cannot read the model file"),
    ] {
        let err = phantom(d, &["predict", "--model", file, "--data", &data])
            .error()
            .to_owned();
        assert!(
            err.contains(expected),
            "{file}: expected '{expected}' in: {err}"
        );
    }
}

#[test]
fn negative_values_reach_the_parameter_checks() {
    let dir = workdir();
    let run = phantom(
        dir.path(),
        &[
            "train",
            "--data",
            &dataset("iris.csv"),
            "--label",
            "species",
            "--algorithm",
            "gradient_boosting",
            "--learning-rate",
            "-1",
            "--out",
            "m.phm",
        ],
    );
    assert!(
        run.error().contains("invalid parameter `learning_rate`"),
        "{}",
        run.stderr
    );
    let data = write(dir.path(), "s.csv", "value\n1\n2\n");
    let run = phantom(
        dir.path(),
        &["detect", "--data", &data, "--sensitivity", "-2"],
    );
    assert!(
        run.error()
            .contains("sensitivity must be a positive number, got -2"),
        "{}",
        run.stderr
    );
}
