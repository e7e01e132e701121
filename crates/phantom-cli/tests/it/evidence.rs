//! `phantom evidence`: an auditor checks a signed bundle and renders it as a PDF.

use std::path::Path;

use phantom_evidence::{EvidenceKey, FORMAT, sign};
use serde_json::{Value, json};

use crate::support::{Run, phantom, workdir, write};

const IDS: [&str; 3] = ["an_login_burst", "an_latency_spike", "an_new_template"];

/// A bundle of three anomalies, as GET /v1/evidence returns it.
fn bundle() -> Value {
    let anomalies: Vec<Value> = IDS
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({
                "id": id,
                "stream": {"service": "checkout", "signal": "logs", "key": "checkout/logs"},
                "detected_at": format!("2026-11-22T09:1{i}:00Z"),
                "score": 4.25 + i as f64,
                "status": "open",
                "summary": "failed logins from one address",
                "detector": "cbad",
                "explanation": {
                    "decision": {"p_value": 0.004, "seed": 42},
                    "window": {"first": 400, "last": 499, "sha256": "ab".repeat(32)}
                }
            })
        })
        .collect();
    json!({
        "format": FORMAT,
        "generated_at": "2026-11-22T10:00:00Z",
        "tenant": "default",
        "query": {"from": "2026-11-22T09:00:00Z", "to": "2026-11-22T10:00:00Z", "stream": null},
        "detectors": [{"name": "cbad", "version": "0.1.0", "settings": {"seed": 42}}],
        "anomalies": anomalies,
        "data_hashes": [{"stream": "checkout/logs", "first": 0, "last": 499, "sha256": "cd".repeat(32)}]
    })
}

fn write_json(dir: &Path, name: &str, value: &Value) -> String {
    write(
        dir,
        name,
        &serde_json::to_string_pretty(value).expect("serialises"),
    )
}

/// Writes `bundle.json`, [`bundle`] signed by `key`.
fn write_signed(dir: &Path, key: &EvidenceKey) {
    write_json(dir, "bundle.json", &sign(bundle(), key).expect("signs"));
}

/// Runs `phantom evidence verify BUNDLE --public-key KEY`.
fn verify(dir: &Path, bundle: &str, key: &str) -> Run {
    phantom(dir, &["evidence", "verify", bundle, "--public-key", key])
}

/// Asserts exit code 2 (a usage error) and returns stderr.
fn usage_error(run: &Run) -> &str {
    assert_eq!(
        run.code, 2,
        "expected a usage error: {}{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    &run.stderr
}

#[test]
fn a_signed_bundle_verifies_with_each_form_of_the_key() {
    let dir = workdir();
    let key = EvidenceKey::generate();
    let public = key.public_key();
    write_signed(dir.path(), &key);
    let key_file = write(dir.path(), "key.txt", &format!("{}\n", public.to_base64()));
    let served = write_json(dir.path(), "key.json", &public.to_json());
    for key_arg in [public.to_base64(), key_file, served] {
        let run = verify(dir.path(), "bundle.json", &key_arg);
        assert_eq!(run.code, 0, "{key_arg}: {}", run.stderr);
        for expected in [
            "the signature holds",
            FORMAT,
            "3 anomalies",
            "2026-11-22T10:00:00Z",
            &public.fingerprint(),
        ] {
            assert!(run.stdout.contains(expected), "{expected}: {}", run.stdout);
        }
    }
}

#[test]
fn a_field_changed_after_signing_is_a_bad_signature() {
    let dir = workdir();
    let key = EvidenceKey::generate();
    let mut signed = sign(bundle(), &key).expect("signs");
    signed["anomalies"][1]["status"] = json!("closed");
    write_json(dir.path(), "bundle.json", &signed);
    let run = verify(dir.path(), "bundle.json", &key.public_key().to_base64());
    let stderr = run.error();
    assert!(stderr.contains("bundle.json does not verify"), "{stderr}");
    assert!(stderr.contains("bad signature"), "{stderr}");
    assert!(stderr.contains("changed after it was signed"), "{stderr}");
}

#[test]
fn a_bundle_signed_by_another_key_names_both_keys() {
    let dir = workdir();
    let signer = EvidenceKey::generate();
    let trusted = EvidenceKey::generate().public_key();
    write_signed(dir.path(), &signer);
    let run = verify(dir.path(), "bundle.json", &trusted.to_base64());
    let stderr = run.error();
    assert!(stderr.contains("another key"), "{stderr}");
    for fingerprint in [signer.public_key().fingerprint(), trusted.fingerprint()] {
        assert!(stderr.contains(&fingerprint), "{stderr}");
    }
}

#[test]
fn unsigned_or_broken_bundles_do_not_verify() {
    let dir = workdir();
    let key = EvidenceKey::generate().public_key().to_base64();
    write_json(dir.path(), "unsigned.json", &bundle());
    let run = verify(dir.path(), "unsigned.json", &key);
    assert!(run.error().contains("not signed"), "{}", run.stderr);
    write(dir.path(), "cut.json", "{\"format\": \"phantom-evid");
    let run = verify(dir.path(), "cut.json", &key);
    assert!(
        run.error().contains("not a JSON document"),
        "{}",
        run.stderr
    );
}

#[test]
fn unreadable_files_and_bad_keys_are_usage_errors() {
    let dir = workdir();
    let key = EvidenceKey::generate();
    let public = key.public_key();
    write_signed(dir.path(), &key);
    let missing = verify(dir.path(), "absent.json", &public.to_base64());
    assert!(
        usage_error(&missing).contains("absent.json: cannot read"),
        "{}",
        missing.stderr
    );
    let not_a_key = verify(dir.path(), "bundle.json", "keys/prod.pub");
    assert!(
        usage_error(&not_a_key).contains("neither a file nor a public key"),
        "{}",
        not_a_key.stderr
    );
    let mismatched = write_json(
        dir.path(),
        "key.json",
        &json!({"algorithm": "Ed25519", "public_key": public.to_base64(),
                "fingerprint": EvidenceKey::generate().public_key().fingerprint()}),
    );
    let run = verify(dir.path(), "bundle.json", &mismatched);
    assert!(
        usage_error(&run).contains("gives the fingerprint"),
        "{}",
        run.stderr
    );
    let pdf = phantom(
        dir.path(),
        &["evidence", "pdf", "absent.json", "--output", "r.pdf"],
    );
    usage_error(&pdf);
    let no_key = phantom(dir.path(), &["evidence", "verify", "bundle.json"]);
    assert!(
        usage_error(&no_key).contains("--public-key"),
        "{}",
        no_key.stderr
    );
}

#[test]
fn pdf_renders_the_bundle_offline() {
    let dir = workdir();
    let key = EvidenceKey::generate();
    write_signed(dir.path(), &key);
    let run = phantom(
        dir.path(),
        &["evidence", "pdf", "bundle.json", "--output", "report.pdf"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("report.pdf"), "{}", run.stdout);
    let pdf = std::fs::read(dir.path().join("report.pdf")).expect("report written");
    assert!(pdf.starts_with(b"%PDF-"));
    // The content streams are not compressed: ASCII text is in the file as written.
    let contains = |text: &str| pdf.windows(text.len()).any(|w| w == text.as_bytes());
    for id in IDS {
        assert!(contains(id), "{id} is in the report's text");
    }
    assert!(contains(&key.public_key().fingerprint()));
}

#[test]
fn help_shows_examples() {
    let dir = workdir();
    let help = phantom(dir.path(), &["evidence", "--help"]);
    assert_eq!(help.code, 0);
    for word in ["verify", "pdf", "Examples:", "/v1/evidence/public-key"] {
        assert!(help.stdout.contains(word), "{word}: {}", help.stdout);
    }
}
