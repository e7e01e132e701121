//! Engineers features from one security event and finds the anomalies in a latency series,
//! printing both as JSON. docs/FEATURES.md shows this program's output.
//!
//! ```sh
//! cargo run -p phantom-engine --example security_features
//! ```

use phantom_engine::analytics::{AnomalyOptions, detect_anomalies};
use phantom_engine::features::{FeatureOptions, engineer_features};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = serde_json::json!({
        "src_ip": "10.0.0.5",
        "url": "http://xn--pple-43d.com/login/verify?user=a&next=b",
        "body": "URGENT: verify your password at http://198.51.100.7/reset",
        "ts": "2026-11-22T02:14:00Z",
        "bytes": [120, 4000, 150, 90],
        "failed_logins": 7
    });
    let features = engineer_features(&event, &FeatureOptions::default())?;
    for (name, value) in features.feature_names.iter().zip(&features.values) {
        println!("{name:32} {value}");
    }
    println!("issues: {:?}", features.issues);

    let latency_ms = [
        12.0, 11.5, 12.3, 11.9, 12.1, 250.0, 12.2, 11.8, 12.4, 12.0, 11.7, 12.2,
    ];
    let report = detect_anomalies(&latency_ms, &AnomalyOptions::default())?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
