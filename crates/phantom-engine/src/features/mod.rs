//! Feature engineering for security data.
