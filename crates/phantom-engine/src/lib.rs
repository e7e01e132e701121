//! Phantom's service layer: the model registry, inference, feature engineering and analytics
//! that the REST API, the Node.js package and the CLI all call.

pub mod analytics;
pub mod features;
