//! Features of numbers and arrays of numbers.

use serde_json::Value;

use crate::analytics::error::json_type;
use crate::analytics::stats;

use super::error::FeatureError;
use super::sink::FeatureSink;

/// What became of an array field.
pub(crate) enum ArrayOutcome {
    /// Its features were pushed.
    Summarised,
    /// It had no elements.
    Empty,
    /// It held a non-finite number, or numbers so large their summary overflows.
    NotFinite,
}

/// Pushes `mean`, `variance` (population), `min`, `max`, `range` and `count` of an array of
/// numbers. Any other element is an error naming the field and index.
pub(crate) fn array_features(
    items: &[Value],
    field: &str,
    sink: &mut FeatureSink,
) -> Result<ArrayOutcome, FeatureError> {
    let values = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_f64().ok_or_else(|| FeatureError::ArrayElement {
                field: field.to_owned(),
                index,
                got: json_type(item),
            })
        })
        .collect::<Result<Vec<f64>, _>>()?;
    if values.is_empty() {
        return Ok(ArrayOutcome::Empty);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let summary = [
        ("mean", stats::mean(&values)),
        ("variance", stats::population_variance(&values)),
        ("min", min),
        ("max", max),
        ("range", max - min),
        ("count", values.len() as f64),
    ];
    if summary.iter().any(|(_, v)| !v.is_finite()) {
        return Ok(ArrayOutcome::NotFinite);
    }
    for (name, value) in summary {
        sink.push(field, name, value);
    }
    Ok(ArrayOutcome::Summarised)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn summary_by_hand() {
        let items = json!([2, 4, 4, 4, 5, 5, 7, 9]);
        let mut sink = FeatureSink::default();
        let outcome = array_features(items.as_array().unwrap(), "sizes", &mut sink).unwrap();
        assert!(matches!(outcome, ArrayOutcome::Summarised));
        assert_eq!(
            sink.into_pairs(),
            vec![
                ("sizes.mean".into(), 5.0),
                ("sizes.variance".into(), 4.0),
                ("sizes.min".into(), 2.0),
                ("sizes.max".into(), 9.0),
                ("sizes.range".into(), 7.0),
                ("sizes.count".into(), 8.0),
            ]
        );
    }

    #[test]
    fn empty_overflowing_and_mixed_arrays() {
        let mut sink = FeatureSink::default();
        assert!(matches!(
            array_features(&[], "a", &mut sink),
            Ok(ArrayOutcome::Empty)
        ));
        let huge = json!([1e300, -1e300]);
        assert!(matches!(
            array_features(huge.as_array().unwrap(), "a", &mut sink),
            Ok(ArrayOutcome::NotFinite)
        ));
        assert!(sink.into_parts().0.is_empty());
        let mixed = json!([1, "2"]);
        assert!(matches!(
            array_features(mixed.as_array().unwrap(), "a", &mut FeatureSink::default()),
            Err(FeatureError::ArrayElement {
                index: 1,
                got: "a string",
                ..
            })
        ));
    }
}
