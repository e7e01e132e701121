//! Loads the datasets bundled in the repository's `datasets/` folder for tests.

use phantom_ml::Matrix;
use rand::seq::SliceRandom;

/// A bundled dataset: features and the raw label column.
pub struct Bundled {
    /// Feature matrix.
    pub x: Matrix,
    /// The last column of the CSV, as text.
    pub labels: Vec<String>,
}

impl Bundled {
    /// Labels as class indices in order of first appearance, and the number of classes.
    pub fn classes(&self) -> (Vec<u32>, usize) {
        let mut names: Vec<&str> = Vec::new();
        let y = self
            .labels
            .iter()
            .map(|l| match names.iter().position(|n| n == l) {
                Some(i) => i as u32,
                None => {
                    names.push(l);
                    (names.len() - 1) as u32
                }
            })
            .collect();
        (y, names.len())
    }

    /// Labels parsed as numbers (regression targets).
    pub fn targets(&self) -> Vec<f64> {
        self.labels.iter().map(|l| l.parse().unwrap()).collect()
    }
}

/// Reads `datasets/<name>.csv` (header row, numeric features, label last).
pub fn load(name: &str) -> Bundled {
    let path = format!("{}/../../datasets/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let n_cols = lines.next().unwrap().split(',').count() - 1;
    let mut data = Vec::new();
    let mut labels = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        data.extend(cells[..n_cols].iter().map(|c| c.parse::<f32>().unwrap()));
        labels.push(cells[n_cols].to_string());
    }
    Bundled {
        x: Matrix::new(labels.len(), n_cols, data).unwrap(),
        labels,
    }
}

/// A seeded shuffle of `0..n` split into (train, test) with `test_fraction` in test.
pub fn split_indices(n: usize, test_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut phantom_ml::rng::seeded(seed));
    let n_test = (n as f64 * test_fraction).round() as usize;
    let test = idx.split_off(n - n_test);
    (idx, test)
}

/// Picks the given rows of a slice.
pub fn pick<T: Clone>(values: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&i| values[i].clone()).collect()
}

#[test]
fn bundled_datasets_load() {
    let iris = load("iris");
    assert_eq!((iris.x.n_rows(), iris.x.n_cols()), (150, 4));
    assert_eq!(iris.classes().1, 3);
    let (train, test) = split_indices(150, 0.2, 1);
    assert_eq!((train.len(), test.len()), (120, 30));
    assert_eq!(load("diabetes").targets().len(), 442);
}
