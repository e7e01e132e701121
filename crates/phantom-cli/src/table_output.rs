//! Human-readable output: aligned text tables and metric summaries.

use phantom_engine::VersionInfo;

/// A table of left-aligned columns, sized to their widest cell.
pub struct TextTable {
    rows: Vec<Vec<String>>,
}

impl TextTable {
    /// A table with these column headers.
    pub fn new(headers: &[&str]) -> Self {
        Self {
            rows: vec![headers.iter().map(|h| (*h).to_owned()).collect()],
        }
    }

    /// Adds a row (as many cells as headers).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row, columns separated by two spaces.
    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &self.rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let width = widths.get(c).copied().unwrap_or(0);
                    line.push_str(&format!("{cell:<width$}  "));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// The headline metrics of a version (validation ones when it has them), e.g.
/// "accuracy 0.953, f1 0.951".
pub fn metric_summary(v: &VersionInfo) -> String {
    let metrics = if v.metadata.validation_metrics.is_empty() {
        &v.metadata.training_metrics
    } else {
        &v.metadata.validation_metrics
    };
    let shown: Vec<String> = [
        "accuracy",
        "f1",
        "roc_auc",
        "r2",
        "rmse",
        "silhouette",
        "anomaly_rate",
    ]
    .iter()
    .filter_map(|k| metrics.get(*k).map(|v| format!("{k} {v:.3}")))
    .collect();
    if shown.is_empty() {
        "-".to_owned()
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align() {
        let mut t = TextTable::new(&["A", "LONG"]);
        t.row(vec!["wide cell".into(), "x".into()]);
        assert_eq!(t.render(), "A          LONG\nwide cell  x\n");
    }
}
