//! Analytics over a numeric series or a [`Dataset`] of named numeric columns: anomalies,
//! trend and forecast, correlations, descriptive statistics and data quality.
//!
//! Every function is pure and synchronous; it checks its input and options and returns an
//! [`AnalyticsError`] naming what is wrong. Results serialize with snake_case names, as the
//! REST API and the Node.js package return them.
//!
//! ```
//! use phantom_engine::analytics::{AnomalyOptions, RiskLevel, detect_anomalies};
//!
//! let report = detect_anomalies(&[10.0, 11.0, 10.5, 10.2, 95.0, 10.8], &AnomalyOptions::default())?;
//! assert_eq!(report.anomalies[0].index, 4);
//! assert_eq!(report.risk_level, RiskLevel::Critical);
//! # Ok::<(), phantom_engine::analytics::AnalyticsError>(())
//! ```

mod anomalies;
mod correlation;
mod dataset;
pub(crate) mod error;
mod quality;
mod series_input;
pub(crate) mod stats;
mod summary;
mod trend;

pub use anomalies::{
    AnomalyMethod, AnomalyOptions, AnomalyReport, AnomalyStatistics, RiskLevel, SeriesAnomaly,
    detect_anomalies,
};
pub use correlation::{CorrelationOptions, CorrelationPair, CorrelationReport, correlation};
pub use dataset::Dataset;
pub use error::AnalyticsError;
pub use phantom_detect::series::Severity;
pub use quality::{ColumnQuality, QualityOptions, QualityReport, data_quality};
pub use summary::{ColumnSummary, DatasetSummary, summary};
pub use trend::{MAX_HORIZON, TrendDirection, TrendOptions, TrendReport, trend};
