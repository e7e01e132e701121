//! Feature engineering (merged from the features branch).
