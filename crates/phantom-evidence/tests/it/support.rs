//! Bundles and keys for the tests.

use phantom_evidence::{EvidenceKey, FORMAT};
use serde_json::{Value, json};

/// The secret key of RFC 8032's first Ed25519 test vector.
pub const RFC8032_SEED: [u8; 32] = [
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
];

/// A fixed key.
pub fn key() -> EvidenceKey {
    EvidenceKey::from_seed(&RFC8032_SEED).expect("32 bytes")
}

/// A bundle as the engine builds it, with `anomalies` log anomalies (every third one a series
/// anomaly), each with a summary of `summary_words` words.
pub fn bundle(anomalies: usize, summary_words: usize) -> Value {
    let list: Vec<Value> = (0..anomalies)
        .map(|i| {
            if i % 3 == 2 {
                series_anomaly(i)
            } else {
                log_anomaly(i, summary_words)
            }
        })
        .collect();
    json!({
        "format": FORMAT,
        "generated_at": "2026-11-22T10:00:00Z",
        "tenant": "default",
        "query": {"from": "2026-11-22T09:00:00Z", "to": "2026-11-22T10:00:00Z", "stream": null},
        "detectors": [
            {"name": "cbad", "version": "0.1.0", "settings": {
                "baseline_events": 400, "window_events": 100, "ncd_z_threshold": 3.5,
                "p_value_threshold": 0.01, "permutations": 199, "compressor": "zstd", "seed": 42}},
            {"name": "series", "version": "0.1.0", "settings": {"threshold": 3.5, "window": 100}}
        ],
        "anomalies": list,
        "data_hashes": [
            {"stream": "checkout/logs", "first": 0, "last": 499,
             "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
            {"stream": "checkout/latency", "first": 0, "last": 1439,
             "sha256": "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"}
        ]
    })
}

/// The id of anomaly `i` in [`bundle`].
pub fn anomaly_id(i: usize) -> String {
    format!("an_{i:04}")
}

fn log_anomaly(i: usize, summary_words: usize) -> Value {
    let summary = (0..summary_words)
        .map(|w| ["login", "failed", "for", "user", "<*>", "from", "<ip>"][w % 7])
        .collect::<Vec<_>>()
        .join(" ");
    json!({
        "id": anomaly_id(i),
        "stream": {"service": "checkout", "signal": "logs", "key": "checkout/logs"},
        "detected_at": format!("2026-11-22T09:{:02}:00Z", i % 60),
        "score": 7.1 + i as f64 / 100.0,
        "status": "open",
        "summary": summary,
        "detector": "cbad",
        "explanation": {
            "measures": {"ncd": 0.41, "baseline_ratio": 0.12, "window_ratio": 0.31,
                         "entropy_change": 1.7},
            "decision": {"p_value": 0.004, "p_value_threshold": 0.01, "ncd_z": 5.2,
                         "ncd_threshold": 3.5, "permutations": 199, "seed": 42},
            "baseline": {"first": 0, "last": 399,
                         "sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"},
            "window": {"first": 400, "last": 499,
                       "sha256": "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"},
            "changes": {
                "new_templates": [{"text": "payment gateway timeout after <*> ms", "count": 37}],
                "vanished_templates": [{"text": "order <*> confirmed", "count": 12}],
                "new_tokens": [{"text": "timeout", "count": 37}],
                "vanished_tokens": []
            }
        }
    })
}

fn series_anomaly(i: usize) -> Value {
    json!({
        "id": anomaly_id(i),
        "stream": {"service": "checkout", "signal": "latency", "key": "checkout/latency"},
        "detected_at": format!("2026-11-22T09:{:02}:30Z", i % 60),
        "score": 12.5,
        "status": "acknowledged",
        "summary": "p99 latency spike",
        "detector": "series",
        "explanation": {"value": 1840.0, "median": 212.0, "mad": 18.5, "score": 12.5,
                        "kind": "spike", "index": 1200 + i}
    })
}
