//! Signing and verifying bundles.

use phantom_evidence::{EvidenceError, EvidenceKey, FORMAT, canonical_json, sign, verify};
use serde_json::{Value, json};

use crate::support::{bundle, key};

/// A bundle with the numbers, escapes and keys canonicalization gets wrong most easily.
const GOLDEN: &str = r#"{"format":"phantom-evidence/1","generated_at":"2026-11-22T10:00:00Z","tenant":"default",
 "query":{"from":"2026-11-22T09:00:00Z","to":"2026-11-22T10:00:00Z","stream":null},
 "detectors":[{"name":"cbad","version":"0.1.0","settings":{"p_value_threshold":0.01,"seed":42}}],
 "anomalies":[{"id":"an_1","score":7.1,"summary":"Caf\u00e9 \u20ac \u000f \"q\" \\ /",
   "explanation":{"decision":{"p_value":0.004},"big":1e21,"small":1e-7,"third":333333333.33333329,"tie":1424953923781206.25,"neg":-0.0,"int":9007199254740991}}],
 "data_hashes":[],
 "\u20ac":1,"\ud83d\ude00":2,"\ufb33":3,"\r":4,"1":5,"\u0080":6,"\u00f6":7}"#;

/// The canonical form of [`GOLDEN`] and its signature with the RFC 8032 test key, both made
/// independently: the canonical form by JavaScript (`JSON.stringify` with sorted keys), the
/// signature by Python's `cryptography` package.
#[test]
fn golden_bundle_matches_independent_implementations() {
    let golden: Value = serde_json::from_str(GOLDEN).expect("valid JSON");
    assert_eq!(
        String::from_utf8(canonical_json(&golden)).expect("UTF-8"),
        "{\"\\r\":4,\"1\":5,\"anomalies\":[{\"explanation\":{\"big\":1e+21,\"decision\":{\"p_value\":0.004},\
         \"int\":9007199254740991,\"neg\":0,\"small\":1e-7,\"third\":333333333.3333333,\
         \"tie\":1424953923781206.2},\"id\":\"an_1\",\"score\":7.1,\
         \"summary\":\"Café € \\u000f \\\"q\\\" \\\\ /\"}],\"data_hashes\":[],\
         \"detectors\":[{\"name\":\"cbad\",\"settings\":{\"p_value_threshold\":0.01,\"seed\":42},\
         \"version\":\"0.1.0\"}],\"format\":\"phantom-evidence/1\",\
         \"generated_at\":\"2026-11-22T10:00:00Z\",\"query\":{\"from\":\"2026-11-22T09:00:00Z\",\
         \"stream\":null,\"to\":\"2026-11-22T10:00:00Z\"},\"tenant\":\"default\",\
         \"\u{80}\":6,\"ö\":7,\"€\":1,\"😀\":2,\"\u{fb33}\":3}"
    );
    let signed = sign(golden, &key()).expect("signs");
    assert_eq!(
        signed["signature"],
        json!({
            "algorithm": "Ed25519",
            "canonicalization": "RFC8785",
            "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            "fingerprint": "SHA256:21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9",
            "value": "t7NWqVS9tqtcif5tqsGmY1WtsA/Y6+oTKzRpeTQvAlDPmdbk9fTfzkjUzFcjMQzlhrTayuUg9o/lqV7pTbf/Aw=="
        })
    );
}

#[test]
fn signed_bundles_verify_and_summarise() {
    let key = EvidenceKey::generate();
    let signed = sign(bundle(5, 8), &key).expect("signs");
    let verified = verify(&signed, &key.public_key()).expect("verifies");
    assert_eq!(verified.format, FORMAT);
    assert_eq!(verified.anomalies, 5);
    assert_eq!(verified.generated_at, "2026-11-22T10:00:00Z");
    assert_eq!(verified.fingerprint, key.public_key().fingerprint());
}

#[test]
fn the_signature_survives_reformatting_the_file() {
    let signed = sign(bundle(3, 5), &key()).expect("signs");
    let pretty = serde_json::to_string_pretty(&signed).expect("serialises");
    let reread: Value = serde_json::from_str(&pretty).expect("parses");
    assert!(verify(&reread, &key().public_key()).is_ok());
}

#[test]
fn another_key_is_named_with_both_fingerprints() {
    let signed = sign(bundle(1, 3), &key()).expect("signs");
    let other = EvidenceKey::generate().public_key();
    match verify(&signed, &other) {
        Err(EvidenceError::OtherKey { signed_by, trusted }) => {
            assert_eq!(signed_by, key().public_key().fingerprint());
            assert_eq!(trusted, other.fingerprint());
        }
        result => panic!("expected OtherKey, got {result:?}"),
    }
}

#[test]
fn a_changed_value_is_a_bad_signature() {
    let mut signed = sign(bundle(2, 3), &key()).expect("signs");
    signed["anomalies"][1]["score"] = json!(0.5);
    let err = verify(&signed, &key().public_key()).expect_err("tampered");
    assert!(matches!(err, EvidenceError::BadSignature { .. }), "{err:?}");
    assert!(
        err.to_string().contains("changed after it was signed"),
        "{err}"
    );
}

#[test]
fn unsigned_and_malformed_signatures_say_what_is_wrong() {
    let public = key().public_key();
    assert!(matches!(
        verify(&bundle(1, 1), &public),
        Err(EvidenceError::MissingSignature)
    ));
    assert!(matches!(
        verify(&json!([1]), &public),
        Err(EvidenceError::NotAnObject { .. })
    ));
    let signed = sign(bundle(1, 1), &key()).expect("signs");
    for (field, value, says) in [
        ("algorithm", json!("RSA"), "\"algorithm\" is \"RSA\""),
        ("canonicalization", json!("none"), "\"canonicalization\""),
        (
            "fingerprint",
            json!("SHA256:00"),
            "does not match its public_key",
        ),
        ("value", json!("%%%"), "not valid base64"),
        ("value", json!("AAAA"), "is 3 bytes long"),
        ("public_key", json!(7), "must be a string"),
        ("extra", json!("x"), "\"extra\" is not a member"),
    ] {
        let mut bad = signed.clone();
        bad["signature"][field] = value;
        let err = verify(&bad, &public).expect_err("malformed");
        assert!(
            matches!(err, EvidenceError::MalformedSignature { .. })
                && err.to_string().contains(says),
            "{field}: {err}"
        );
    }
    let mut missing = signed.clone();
    missing["signature"]
        .as_object_mut()
        .expect("object")
        .remove("value");
    assert!(
        verify(&missing, &public)
            .expect_err("missing")
            .to_string()
            .contains("\"value\" is missing")
    );
}

#[test]
fn sign_refuses_what_could_not_verify() {
    let key = key();
    assert!(matches!(
        sign(json!("x"), &key),
        Err(EvidenceError::NotAnObject { .. })
    ));
    let signed = sign(bundle(1, 1), &key).expect("signs");
    assert!(matches!(
        sign(signed, &key),
        Err(EvidenceError::AlreadySigned)
    ));
    let mut other_format = bundle(1, 1);
    other_format["format"] = json!("phantom-evidence/2");
    assert!(matches!(
        sign(other_format, &key),
        Err(EvidenceError::UnsupportedFormat { found }) if found == "phantom-evidence/2"
    ));
    let mut no_anomalies = bundle(1, 1);
    no_anomalies
        .as_object_mut()
        .expect("object")
        .remove("anomalies");
    assert!(matches!(
        sign(no_anomalies, &key),
        Err(EvidenceError::Content {
            field: "anomalies",
            ..
        })
    ));
    let mut huge = bundle(1, 1);
    huge["anomalies"][0]["explanation"]["decision"]["seed"] = json!(u64::MAX);
    match sign(huge, &key) {
        Err(EvidenceError::InexactNumber { path, number }) => {
            assert_eq!(path, "$.anomalies[0].explanation.decision.seed");
            assert_eq!(number, u64::MAX.to_string());
        }
        other => panic!("expected InexactNumber, got {other:?}"),
    }
}

/// An integer beyond 2^53 shares its canonical form with the double next to it; a bundle
/// holding one cannot have been signed by Phantom, even when the signature matches.
#[test]
fn verify_refuses_numbers_the_signature_cannot_pin() {
    let key = key();
    let mut exact = bundle(1, 1);
    exact["anomalies"][0]["explanation"]["decision"]["seed"] = json!(9007199254740992.0_f64);
    let mut signed = sign(exact, &key).expect("a double is exact");
    signed["anomalies"][0]["explanation"]["decision"]["seed"] = json!(9007199254740993_u64);
    assert!(matches!(
        verify(&signed, &key.public_key()),
        Err(EvidenceError::InexactNumber { .. })
    ));
}
