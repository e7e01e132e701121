//! Signing keys and public keys: seeds, base64, fingerprints.

use phantom_evidence::{EvidenceError, EvidenceKey, PublicKey};
use serde_json::json;

use crate::support::{RFC8032_SEED, key};

/// RFC 8032, test 1: the public key of the test secret key.
#[test]
fn public_key_matches_rfc8032() {
    assert_eq!(
        key().public_key().to_base64(),
        "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    );
    assert_eq!(
        key().public_key().fingerprint(),
        "SHA256:21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"
    );
}

#[test]
fn seeds_round_trip() {
    let generated = EvidenceKey::generate();
    let restored = EvidenceKey::from_seed(&generated.seed()).expect("32 bytes");
    assert_eq!(restored.public_key(), generated.public_key());
    assert_eq!(key().seed(), RFC8032_SEED);
    assert_ne!(EvidenceKey::generate().seed(), generated.seed());
}

#[test]
fn seeds_of_other_lengths_are_refused() {
    for len in [0, 31, 33, 64] {
        match EvidenceKey::from_seed(&vec![7; len]) {
            Err(EvidenceError::SeedLength { len: got }) => assert_eq!(got, len),
            other => panic!("expected SeedLength, got {other:?}"),
        }
    }
}

#[test]
fn public_keys_round_trip_through_base64() {
    let public = EvidenceKey::generate().public_key();
    let text = public.to_base64();
    assert_eq!(text.len(), 44);
    assert_eq!(PublicKey::from_base64(&text).expect("valid"), public);
    assert_eq!(
        PublicKey::from_base64(&format!("  {text}\n")).expect("trimmed"),
        public
    );
}

#[test]
fn bad_public_keys_say_why() {
    assert!(matches!(
        PublicKey::from_base64("not base64!"),
        Err(EvidenceError::KeyEncoding { .. })
    ));
    assert!(matches!(
        PublicKey::from_base64("AAAA"),
        Err(EvidenceError::KeyLength { len: 3 })
    ));
    // The identity point has small order: it would accept forged signatures.
    let identity = format!("AQ{}=", "A".repeat(41));
    assert!(matches!(
        PublicKey::from_base64(&identity),
        Err(EvidenceError::KeyInvalid)
    ));
}

#[test]
fn the_served_key_document_round_trips() {
    let public = key().public_key();
    let document = public.to_json();
    assert_eq!(
        document,
        json!({"algorithm": "Ed25519", "public_key": public.to_base64(),
               "fingerprint": public.fingerprint()})
    );
    assert_eq!(PublicKey::from_json(&document).expect("reads"), public);
    let bare = json!({"public_key": public.to_base64()});
    assert_eq!(PublicKey::from_json(&bare).expect("reads"), public);
    for (bad, says) in [
        (
            json!({"algorithm": "RSA", "public_key": public.to_base64()}),
            "algorithm \"RSA\"",
        ),
        (
            json!({"fingerprint": public.fingerprint()}),
            "no \"public_key\"",
        ),
        (
            json!({"public_key": public.to_base64(), "fingerprint": "SHA256:00"}),
            "fingerprint \"SHA256:00\"",
        ),
    ] {
        let err = PublicKey::from_json(&bad).expect_err("refused");
        assert!(matches!(err, EvidenceError::KeyDocument { .. }), "{err:?}");
        assert!(err.to_string().contains(says), "{err}");
    }
}

#[test]
fn debug_never_shows_the_secret() {
    let shown = format!("{:?}", key());
    assert!(shown.contains("SHA256:21fe31df"), "{shown}");
    assert!(!shown.contains("9d61") && !shown.contains("157"), "{shown}");
}
