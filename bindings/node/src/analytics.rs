//! The data of the analytics methods as callers give it: a numeric series, or a table
//! (objects of numbers, `{names, columns}`, or the original `{data_matrix, feature_names}`).

use std::collections::BTreeMap;

use phantom_engine::analytics::{
    self, AnomalyMethod, AnomalyOptions, AnomalyReport, Dataset, TrendOptions, TrendReport,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::BindingError;
use crate::json::{self, kind};

/// A numeric series: an array of numbers, or an object with it under `values`, `data`,
/// `data_points` or `series`.
pub fn series(what: &str, value: &Value) -> Result<Vec<f64>, BindingError> {
    let (at, list) = match value {
        Value::Object(map) => match ["values", "data", "data_points", "series"]
            .iter()
            .find_map(|k| map.get(*k).map(|v| (*k, v)))
        {
            Some(found) => found,
            None => {
                return Err(BindingError::shape(
                    what,
                    "",
                    "expected an array of numbers or {\"values\": [...]}",
                ));
            }
        },
        other @ Value::Null
        | other @ Value::Bool(_)
        | other @ Value::Number(_)
        | other @ Value::String(_)
        | other @ Value::Array(_) => ("", other),
    };
    if let Value::Array(items) = list
        && items.first().is_some_and(Value::is_array)
    {
        return Err(BindingError::shape(
            what,
            at,
            "this method takes one numeric series; for rows of several features, train an isolation_forest model and predict with it",
        ));
    }
    json::numbers(what, at, list)
}

/// A table of named numeric columns.
pub fn dataset(what: &str, value: &Value) -> Result<Dataset, BindingError> {
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) => {
            Ok(Dataset::from_json_rows(value)?)
        }
        Value::Array(items) if items.iter().all(|v| v.is_number() || v.is_null()) => {
            Ok(Dataset::from_columns(
                vec!["value".into()],
                vec![items.iter().map(Value::as_f64).collect()],
            )?)
        }
        Value::Array(_) => Err(BindingError::shape(
            what,
            "",
            "expected rows as objects of numbers, or an array of numbers",
        )),
        Value::Object(map) => {
            if let Some(rows) = map.get("rows") {
                return Ok(Dataset::from_json_rows(rows)?);
            }
            if let Some(d) = map.get("dataset") {
                return json::typed(what, d.clone());
            }
            if map.contains_key("names") && map.contains_key("columns") {
                return json::typed(what, value.clone());
            }
            if let Some(matrix) = map.get("data_matrix") {
                return from_matrix(what, matrix, map.get("feature_names"));
            }
            if let Some(values) = map.get("values") {
                return dataset(what, values);
            }
            Err(BindingError::shape(
                what,
                "",
                "expected rows (objects of numbers), {\"names\", \"columns\"}, {\"data_matrix\", \"feature_names\"} or {\"values\"}",
            ))
        }
        other @ Value::Null
        | other @ Value::Bool(_)
        | other @ Value::Number(_)
        | other @ Value::String(_) => Err(BindingError::shape(
            what,
            "",
            format!("expected an array or an object, got {}", kind(other)),
        )),
    }
}

fn from_matrix(what: &str, matrix: &Value, names: Option<&Value>) -> Result<Dataset, BindingError> {
    let Value::Array(rows) = matrix else {
        return Err(BindingError::shape(
            what,
            "data_matrix",
            format!("expected an array of rows, got {}", kind(matrix)),
        ));
    };
    let width = rows.first().and_then(Value::as_array).map_or(0, Vec::len);
    let names: Vec<String> = match names {
        Some(n) => json::typed(what, n.clone())?,
        None => (0..width).map(|i| format!("feature_{i}")).collect(),
    };
    let mut columns = vec![Vec::with_capacity(rows.len()); names.len()];
    for (r, row) in rows.iter().enumerate() {
        let cells = row
            .as_array()
            .filter(|c| c.len() == names.len())
            .ok_or_else(|| {
                BindingError::shape(
                    what,
                    &format!("data_matrix[{r}]"),
                    format!("expected an array of {} numbers", names.len()),
                )
            })?;
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.push(match cell {
                Value::Null => None,
                other @ Value::Bool(_)
                | other @ Value::Number(_)
                | other @ Value::String(_)
                | other @ Value::Array(_)
                | other @ Value::Object(_) => {
                    Some(json::number(what, &format!("data_matrix[{r}]"), other)?)
                }
            });
        }
    }
    Ok(Dataset::from_columns(names, columns)?)
}

/// `detect_anomalies`' answer: the engine's report with the original package's key for the
/// statistics, the point count and the anomaly rate.
pub fn anomalies(
    values: &[f64],
    sensitivity: f64,
    method: AnomalyMethod,
) -> Result<Value, BindingError> {
    let report: AnomalyReport = analytics::detect_anomalies(
        values,
        &AnomalyOptions {
            sensitivity,
            method,
        },
    )?;
    Ok(json!({
        "anomalies_detected": report.anomalies_detected,
        "risk_level": report.risk_level,
        "anomalies": report.anomalies,
        "statistical_metrics": report.statistics,
        "total_points": values.len(),
        "anomaly_rate": report.anomalies_detected as f64 / values.len() as f64,
        "sensitivity": sensitivity,
    }))
}

/// Per column of a table given as objects: its trend, or why it has none.
#[derive(Serialize)]
pub struct ColumnTrends {
    /// Trend and forecast of each numeric column.
    pub trend_summary: BTreeMap<String, TrendReport>,
    /// Columns left out, and why.
    pub skipped_columns: BTreeMap<String, String>,
}

/// Trends of every numeric column of `rows` (objects); a column with a non-number in any row
/// (a timestamp string, a null) is skipped with the reason.
pub fn column_trends(
    what: &str,
    rows: &[Value],
    options: &TrendOptions,
) -> Result<ColumnTrends, BindingError> {
    let mut columns: BTreeMap<String, Result<Vec<f64>, String>> = BTreeMap::new();
    for (r, row) in rows.iter().enumerate() {
        let Value::Object(fields) = row else {
            return Err(BindingError::shape(
                what,
                &format!("[{r}]"),
                format!("expected an object, got {}", kind(row)),
            ));
        };
        for (name, cell) in fields {
            let column = columns.entry(name.clone()).or_insert_with(|| {
                if r == 0 {
                    Ok(Vec::new())
                } else {
                    Err(format!("missing before row {r}"))
                }
            });
            if let Ok(values) = column {
                match cell.as_f64().filter(|v| v.is_finite()) {
                    Some(v) => values.push(v),
                    None => *column = Err(format!("row {r} holds {}, not a number", kind(cell))),
                }
            }
        }
    }
    let mut out = ColumnTrends {
        trend_summary: BTreeMap::new(),
        skipped_columns: BTreeMap::new(),
    };
    for (name, column) in columns {
        match column {
            Ok(values) if values.len() == rows.len() => {
                let report = analytics::trend(&values, options)?;
                out.trend_summary.insert(name, report);
            }
            Ok(values) => {
                out.skipped_columns.insert(
                    name,
                    format!("present in {} of {} rows", values.len(), rows.len()),
                );
            }
            Err(reason) => {
                out.skipped_columns.insert(name, reason);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_shape_reads_the_same() {
        let a = dataset("d", &json!([{"x": 1, "y": 2}, {"x": 3, "y": null}])).unwrap();
        let b = dataset(
            "d",
            &json!({"data_matrix": [[1, 2], [3, null]], "feature_names": ["x", "y"]}),
        )
        .unwrap();
        let c = dataset(
            "d",
            &json!({"names": ["x", "y"], "columns": [[1, 3], [2, null]]}),
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
    }

    #[test]
    fn a_series_of_rows_is_refused_with_the_alternative() {
        let e = series("data_json", &json!({"data_points": [[1, 2], [3, 4]]}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("isolation_forest"), "{e}");
    }

    #[test]
    fn column_trends_skip_timestamps() {
        let rows = vec![
            json!({"t": "2024-01-01", "n": 1}),
            json!({"t": "2024-01-02", "n": 2}),
            json!({"t": "2024-01-03", "n": 3}),
        ];
        let out = column_trends("d", &rows, &TrendOptions::default()).unwrap();
        assert!(out.trend_summary.contains_key("n"));
        assert!(out.skipped_columns["t"].contains("a string"));
    }
}
