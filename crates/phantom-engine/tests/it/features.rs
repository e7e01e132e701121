//! Feature engineering through JSON, as the REST API and the Node.js package call it.

use phantom_engine::features::{FeatureOptions, engineer_batch, engineer_features};
use serde_json::{Value, json};

fn options(json: Value) -> FeatureOptions {
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_login_event_gives_named_features() {
    let event = json!({
        "src_ip": "203.0.113.50",
        "user": {"name": "alice", "failed_logins": 7},
        "url": "http://login.example.com.xn--80ak6aa92e.com/verify?session=1&next=%2F",
        "message": "URGENT: verify your password at http://198.51.100.4/login",
        "ts": "2024-06-01T02:13:00+02:00",
        "sizes": [120, 80, 100],
        "mfa": false,
    });
    let opts = options(json!({"field_types": {"user.name": "text"}}));
    let f = engineer_features(&event, &opts).unwrap();
    let get = |name: &str| {
        let i = f
            .feature_names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", f.feature_names));
        f.values[i]
    };
    assert_eq!(get("src_ip.is_reserved"), 1.0);
    assert_eq!(get("src_ip.octet_4"), 50.0);
    assert_eq!(get("user.failed_logins"), 7.0);
    assert_eq!(get("user.name.length"), 5.0);
    assert_eq!(get("url.is_punycode"), 1.0);
    assert_eq!(get("url.subdomain_count"), 3.0);
    assert_eq!(get("url.query_param_count"), 2.0);
    assert_eq!(get("url.is_https"), 0.0);
    assert_eq!(get("message.url_count"), 1.0);
    assert_eq!(get("message.ipv4_count"), 1.0);
    assert_eq!(get("message.keyword.password"), 1.0);
    assert_eq!(get("message.keyword_total"), 4.0);
    // 02:13 at +02:00 is 00:13 UTC on a Saturday.
    assert_eq!(get("ts.hour"), 0.0);
    assert_eq!(get("ts.is_weekend"), 1.0);
    assert_eq!(get("ts.is_off_hours"), 1.0);
    assert_eq!(get("sizes.variance"), 800.0 / 3.0);
    assert_eq!(get("mfa"), 0.0);
    assert!(f.issues.is_empty(), "{:?}", f.issues);

    let v = serde_json::to_value(&f).unwrap();
    assert_eq!(v["feature_names"].as_array().unwrap().len(), f.values.len());
}

#[test]
fn a_batch_scaled_with_z_scores() {
    let rows: Vec<Value> = (0..5)
        .map(|i| json!({"bytes": 100 * i, "host": format!("h{i}.example.com")}))
        .collect();
    let b = engineer_batch(&rows, &options(json!({"scaling": "z_score"}))).unwrap();
    assert_eq!(b.feature_names[0], "bytes");
    let bytes: Vec<f64> = b.rows.iter().map(|r| r[0]).collect();
    // bytes 0..400: mean 200, population std sqrt(20000).
    let expected: Vec<f64> = (0..5)
        .map(|i| f64::from(((100.0 * i as f64 - 200.0) / 20000f64.sqrt()) as f32))
        .collect();
    assert_eq!(bytes, expected);
    let v = serde_json::to_value(&b).unwrap();
    assert_eq!(v["scaler"]["kind"], "z_score");
}

#[test]
fn unknown_options_are_rejected() {
    assert!(serde_json::from_value::<FeatureOptions>(json!({"scale": "z_score"})).is_err());
    assert!(serde_json::from_value::<FeatureOptions>(json!({"scaling": "zscore"})).is_err());
}
