//! `--help` teaches: commands, examples, algorithms.

use crate::support::{phantom, workdir};

#[test]
fn help_lists_commands_and_examples() {
    let dir = workdir();
    let top = phantom(dir.path(), &["--help"]);
    assert_eq!(top.code, 0);
    for word in ["train", "predict", "eval", "detect", "serve", "Examples:"] {
        assert!(
            top.stdout.contains(word),
            "--help lacks {word}: {}",
            top.stdout
        );
    }
    let train = phantom(dir.path(), &["train", "--help"]).stdout;
    for word in [
        "random_forest",
        "isolation_forest",
        "--validation-split",
        "--seed",
        "anomaly_detection",
    ] {
        assert!(train.contains(word), "train --help lacks {word}");
    }
    assert!(
        phantom(dir.path(), &["detect", "--help"])
            .stdout
            .contains("median")
    );
    assert!(
        phantom(dir.path(), &["eval", "--help"])
            .stdout
            .contains("roc_auc")
    );
    assert!(
        phantom(dir.path(), &["predict", "--help"])
            .stdout
            .contains("probability_<class>")
    );
}
