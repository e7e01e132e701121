//! Analytics (merged from the features branch).
