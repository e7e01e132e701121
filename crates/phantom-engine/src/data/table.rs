//! Reads CSV files into features and an optional label column, with errors that name the file,
//! line and column of the first bad cell.

use std::path::{Path, PathBuf};

use phantom_ml::Matrix;

use super::labels::LabelLocator;

/// What went wrong reading a CSV file. Every variant names the file; cell errors name the line
/// (1-based, the header is line 1) and the column.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The CSV syntax is broken (for example an unterminated quote).
    #[error("{path}: line {line}: malformed CSV: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// The file has no header row, or a header but no data rows.
    #[error("{path}: {what}; expected a header row and at least one data row")]
    Empty {
        /// The file.
        path: PathBuf,
        /// "the file is empty" or "the file has a header but no data rows".
        what: &'static str,
    },
    /// A row has more or fewer fields than the header.
    #[error("{path}: line {line}: the row has {got} fields but the header has {expected}")]
    Ragged {
        /// The file.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        got: usize,
    },
    /// A feature cell is not a number.
    #[error(
        "{path}: line {line}, column '{column}': '{value}' is not a number; feature columns must be numeric (use --label if this is the label column)"
    )]
    NotNumeric {
        /// The file.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// Column name.
        column: String,
        /// The cell as written.
        value: String,
    },
    /// A feature cell is empty.
    #[error(
        "{path}: line {line}, column '{column}': the cell is empty; fill in missing values before training or predicting"
    )]
    EmptyCell {
        /// The file.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// Column name.
        column: String,
    },
    /// A feature cell is NaN or infinite.
    #[error(
        "{path}: line {line}, column '{column}': '{value}' is not a finite number; NaN and infinity are not accepted"
    )]
    NotFinite {
        /// The file.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// Column name.
        column: String,
        /// The cell as written.
        value: String,
    },
    /// A required column is not in the header.
    #[error("{path}: no column named '{column}' in the header (columns: {available})")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The header's column names, comma-separated.
        available: String,
    },
    /// Two header columns share a name.
    #[error("{path}: the header names column '{column}' twice")]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
    },
    /// There is no feature column left.
    #[error("{path}: there are no feature columns besides the label '{label}'")]
    NoFeatures {
        /// The file.
        path: PathBuf,
        /// The label column.
        label: String,
    },
}

/// A CSV file read as numeric features plus, optionally, a label column kept as text.
#[derive(Debug)]
pub struct Table {
    /// The file it was read from.
    pub path: PathBuf,
    /// Names of the feature columns, in matrix column order.
    pub feature_names: Vec<String>,
    /// The features.
    pub x: Matrix,
    /// The label column as written, when one was asked for.
    pub labels: Option<Vec<String>>,
    /// 1-based file line of each data row, for error messages about labels.
    pub lines: Vec<u64>,
}

/// Names the label cells of a [`Table`] by file, line and column, for label errors.
pub struct TableLabels {
    path: PathBuf,
    column: String,
    lines: Vec<u64>,
}

impl TableLabels {
    /// The locator of `table`'s label column `column`.
    pub fn new(table: &Table, column: &str) -> Self {
        Self {
            path: table.path.clone(),
            column: column.to_owned(),
            lines: table.lines.clone(),
        }
    }
}

impl LabelLocator for TableLabels {
    fn source_name(&self) -> String {
        format!(
            "{}: the label column '{}'",
            self.path.display(),
            self.column
        )
    }

    fn locate(&self, index: usize) -> String {
        let line = self.lines.get(index).copied().unwrap_or_default();
        format!(
            "{}: line {line}, column '{}'",
            self.path.display(),
            self.column
        )
    }
}

/// Which columns are features.
pub enum FeatureColumns<'a> {
    /// Every column except the label (and, if given, the columns to ignore).
    AllExcept(&'a [String]),
    /// Exactly these columns, in this order (for prediction with a trained model).
    Named(&'a [String]),
}

/// Reads `path`: the features chosen by `features`, and the column `label` as text if given.
///
/// With `label_required` false a missing label column is not an error (labels are `None`).
pub fn read_table(
    path: &Path,
    features: FeatureColumns<'_>,
    label: Option<&str>,
    label_required: bool,
) -> Result<Table, TableError> {
    let file = std::fs::File::open(path).map_err(|source| TableError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(str::to_owned)
        .collect();
    if header.is_empty() || header.iter().all(String::is_empty) {
        return Err(TableError::Empty {
            path: path.to_owned(),
            what: "the file is empty",
        });
    }
    check_unique(path, &header)?;
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| TableError::MissingColumn {
                path: path.to_owned(),
                column: name.to_owned(),
                available: header.join(", "),
            })
    };
    let label_index = match label {
        Some(name) => match find(name) {
            Ok(i) => Some(i),
            Err(e) if label_required => return Err(e),
            Err(_) => None,
        },
        None => None,
    };
    let feature_indices: Vec<usize> = match features {
        FeatureColumns::AllExcept(ignored) => (0..header.len())
            .filter(|&i| Some(i) != label_index && !ignored.contains(&header[i]))
            .collect(),
        FeatureColumns::Named(names) => names.iter().map(|n| find(n)).collect::<Result<_, _>>()?,
    };
    if feature_indices.is_empty() {
        return Err(TableError::NoFeatures {
            path: path.to_owned(),
            label: label.unwrap_or_default().to_owned(),
        });
    }

    let mut data = Vec::new();
    let mut labels = label_index.map(|_| Vec::new());
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        if record.len() != header.len() {
            return Err(TableError::Ragged {
                path: path.to_owned(),
                line,
                expected: header.len(),
                got: record.len(),
            });
        }
        for &i in &feature_indices {
            data.push(parse_cell(path, line, &header[i], &record[i])?);
        }
        if let (Some(labels), Some(i)) = (labels.as_mut(), label_index) {
            labels.push(record[i].to_owned());
        }
        lines.push(line);
    }
    if lines.is_empty() {
        return Err(TableError::Empty {
            path: path.to_owned(),
            what: "the file has a header but no data rows",
        });
    }
    let x = Matrix::new(lines.len(), feature_indices.len(), data)
        .map_err(|e| std::io::Error::other(e.to_string()))
        .map_err(|source| TableError::Io {
            path: path.to_owned(),
            source,
        })?;
    Ok(Table {
        path: path.to_owned(),
        feature_names: feature_indices.iter().map(|&i| header[i].clone()).collect(),
        x,
        labels,
        lines,
    })
}

fn check_unique(path: &Path, header: &[String]) -> Result<(), TableError> {
    let mut seen = std::collections::HashSet::new();
    for h in header {
        if !seen.insert(h.as_str()) {
            return Err(TableError::DuplicateColumn {
                path: path.to_owned(),
                column: h.clone(),
            });
        }
    }
    Ok(())
}

fn parse_cell(path: &Path, line: u64, column: &str, cell: &str) -> Result<f32, TableError> {
    if cell.is_empty() {
        return Err(TableError::EmptyCell {
            path: path.to_owned(),
            line,
            column: column.to_owned(),
        });
    }
    match cell.parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(TableError::NotFinite {
            path: path.to_owned(),
            line,
            column: column.to_owned(),
            value: cell.to_owned(),
        }),
        Err(_) => Err(TableError::NotNumeric {
            path: path.to_owned(),
            line,
            column: column.to_owned(),
            value: cell.to_owned(),
        }),
    }
}

fn csv_error(path: &Path, e: csv::Error) -> TableError {
    let line = e.position().map_or(0, csv::Position::line);
    let message = e.to_string();
    if let csv::ErrorKind::Io(source) = e.into_kind() {
        return TableError::Io {
            path: path.to_owned(),
            source,
        };
    }
    TableError::Syntax {
        path: path.to_owned(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    fn read(content: &str, label: Option<&str>) -> Result<Table, TableError> {
        let f = write(content);
        read_table(f.path(), FeatureColumns::AllExcept(&[]), label, true)
    }

    #[test]
    fn reads_features_and_label() {
        let t = read("a,b,y\n1,2,cat\n3,4.5,dog\n", Some("y")).unwrap();
        assert_eq!(t.feature_names, vec!["a", "b"]);
        assert_eq!(t.x.as_slice(), &[1.0, 2.0, 3.0, 4.5]);
        assert_eq!(t.labels.unwrap(), vec!["cat", "dog"]);
        assert_eq!(t.lines, vec![2, 3]);
    }

    #[test]
    fn named_columns_select_and_reorder() {
        let f = write("a,b,c\n1,2,3\n");
        let names = vec!["c".to_owned(), "a".to_owned()];
        let t = read_table(f.path(), FeatureColumns::Named(&names), None, false).unwrap();
        assert_eq!(t.x.as_slice(), &[3.0, 1.0]);
    }

    #[test]
    fn each_bad_input_names_where_and_what() {
        let msg =
            |content: &str, label: Option<&str>| read(content, label).unwrap_err().to_string();
        assert!(msg("", None).contains("the file is empty"));
        assert!(msg("a,b\n", None).contains("no data rows"));
        assert!(
            msg("a,b\n1,2\n3\n", None)
                .contains("line 3: the row has 1 fields but the header has 2")
        );
        assert!(msg("a,b\n1,x\n", None).contains("line 2, column 'b': 'x' is not a number"));
        assert!(
            msg("a,b\n1,NaN\n", None).contains("line 2, column 'b': 'NaN' is not a finite number")
        );
        assert!(msg("a,b\n1,inf\n", None).contains("'inf' is not a finite number"));
        assert!(msg("a,b\n1,\n", None).contains("line 2, column 'b': the cell is empty"));
        assert!(
            msg("a,b\n1,2\n", Some("y"))
                .contains("no column named 'y' in the header (columns: a, b)")
        );
        assert!(msg("a,a\n1,2\n", None).contains("names column 'a' twice"));
        assert!(msg("y\n1\n", Some("y")).contains("no feature columns besides the label 'y'"));
    }

    #[test]
    fn optional_label_may_be_absent() {
        let f = write("a,b\n1,2\n");
        let t = read_table(f.path(), FeatureColumns::AllExcept(&[]), Some("y"), false).unwrap();
        assert!(t.labels.is_none());
        assert_eq!(t.feature_names, vec!["a", "b"]);
    }

    #[test]
    fn missing_file_is_named() {
        let err = read_table(
            Path::new("no/such.csv"),
            FeatureColumns::AllExcept(&[]),
            None,
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("no/such.csv: cannot read the file"),
            "{err}"
        );
    }
}
