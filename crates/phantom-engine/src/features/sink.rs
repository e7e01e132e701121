//! Collects feature names and values in order.

/// Feature names and values, appended field by field.
#[derive(Debug, Default)]
pub(crate) struct FeatureSink {
    names: Vec<String>,
    values: Vec<f64>,
}

impl FeatureSink {
    /// Appends `<field>.<suffix>`.
    pub(crate) fn push(&mut self, field: &str, suffix: &str, value: f64) {
        self.names.push(format!("{field}.{suffix}"));
        self.values.push(value);
    }

    /// Appends `<field>.<suffix>` as 1 (true) or 0.
    pub(crate) fn push_flag(&mut self, field: &str, suffix: &str, flag: bool) {
        self.push(field, suffix, if flag { 1.0 } else { 0.0 });
    }

    /// Appends a feature named after the field itself (a number or boolean field).
    pub(crate) fn push_field(&mut self, field: &str, value: f64) {
        self.names.push(field.to_owned());
        self.values.push(value);
    }

    /// The names and values.
    pub(crate) fn into_parts(self) -> (Vec<String>, Vec<f64>) {
        (self.names, self.values)
    }

    /// Name and value pairs, for tests.
    #[cfg(test)]
    pub(crate) fn into_pairs(self) -> Vec<(String, f64)> {
        self.names.into_iter().zip(self.values).collect()
    }
}
