//! The PDF report: a well-formed file whose text holds what the bundle holds.

use phantom_evidence::{EvidenceError, canonical_json, render_pdf, sign};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{anomaly_id, bundle, key};

/// Checks the file's structure (header, cross-reference table whose offsets point at their
/// objects, trailer, end marker) and returns its page count, which the page tree and the page
/// objects must agree on.
fn check_structure(pdf: &[u8]) -> usize {
    // One character per byte, so offsets in the text are offsets in the file.
    let text: String = pdf
        .iter()
        .map(|&b| if b.is_ascii() { char::from(b) } else { '.' })
        .collect();
    assert!(text.starts_with("%PDF-"), "header");
    assert!(text.trim_end().ends_with("%%EOF"), "end marker");
    let startxref = text.rfind("startxref").expect("startxref");
    let offset: usize = text[startxref + 9..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("xref offset");
    let xref = &text[offset..];
    assert!(
        xref.starts_with("xref"),
        "startxref points at the xref table"
    );
    let mut lines = xref.lines().skip(1);
    let header: Vec<usize> = lines
        .next()
        .expect("subsection header")
        .split_whitespace()
        .map(|n| n.parse().expect("number"))
        .collect();
    assert_eq!(header[0], 0);
    let objects = header[1];
    for (id, entry) in lines.take(objects).enumerate() {
        if entry.ends_with('n') || entry.trim_end().ends_with('n') {
            let at: usize = entry[..10].parse().expect("offset");
            assert!(
                text[at..].starts_with(&format!("{id} 0 obj")),
                "object {id} is where the xref says"
            );
        }
    }
    let trailer = &text[text.rfind("trailer").expect("trailer")..];
    assert!(trailer.contains(&format!("/Size {objects}")), "{trailer}");
    assert!(trailer.contains("/Root 1 0 R"), "{trailer}");
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    let count: usize = text[text.find("/Count ").expect("page tree count") + 7..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("count");
    assert_eq!(count, pages, "page tree count");
    pages
}

/// The text the content streams show, one line per text operation, decoded from WinAnsi.
fn shown_text(pdf: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = pdf;
    while let Some(end) = find(rest, b" Tj") {
        let before = &rest[..end];
        let shown = if before.ends_with(b")") {
            literal(before)
        } else {
            hex(before)
        };
        out.extend(shown.into_iter().map(winansi_char));
        out.push('\n');
        rest = &rest[end + 3..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bytes of the literal string `(...)` that `before` ends with.
fn literal(before: &[u8]) -> Vec<u8> {
    let mut start = before.len() - 1;
    let mut depth = 0;
    loop {
        let escaped =
            start > 0 && before[start - 1] == b'\\' && (start < 2 || before[start - 2] != b'\\');
        match before[start] {
            b')' if !escaped => depth += 1,
            b'(' if !escaped => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        start -= 1;
    }
    let body = &before[start + 1..before.len() - 1];
    let mut bytes = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' {
            i += 1;
            match body[i] {
                b'n' => bytes.push(b'\n'),
                b'r' => bytes.push(b'\r'),
                b't' => bytes.push(b'\t'),
                b'b' => bytes.push(8),
                b'f' => bytes.push(12),
                b'0'..=b'7' => {
                    let digits: Vec<u8> = body[i..]
                        .iter()
                        .take(3)
                        .take_while(|d| d.is_ascii_digit())
                        .copied()
                        .collect();
                    bytes.push(
                        u8::from_str_radix(std::str::from_utf8(&digits).expect("ascii"), 8)
                            .expect("octal"),
                    );
                    i += digits.len() - 1;
                }
                other => bytes.push(other),
            }
        } else {
            bytes.push(body[i]);
        }
        i += 1;
    }
    bytes
}

/// The bytes of the hex string `<...>` that `before` ends with.
fn hex(before: &[u8]) -> Vec<u8> {
    let start = before.iter().rposition(|&b| b == b'<').expect("hex string");
    let digits = std::str::from_utf8(&before[start + 1..before.len() - 1]).expect("hex digits");
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("hex"))
        .collect()
}

fn winansi_char(byte: u8) -> char {
    match byte {
        0x80 => '€',
        0x96 => '–',
        0x81..=0x9f => '\u{fffd}',
        _ => char::from(byte),
    }
}

#[test]
fn two_hundred_anomalies_with_long_and_foreign_text_make_a_valid_report() {
    let mut bundle = bundle(200, 120);
    bundle["anomalies"][0]["summary"] = json!("naïve café – 5 € then 错误 ошибка 😀");
    bundle["anomalies"][1]["summary"] = json!("x".repeat(900));
    let signed = sign(bundle, &key()).expect("signs");
    let pdf = render_pdf(&signed).expect("renders");
    let pages = check_structure(&pdf);
    assert!(pages > 20, "{pages} pages");
    let text = shown_text(&pdf);
    for i in 0..200 {
        assert!(
            text.contains(&anomaly_id(i)),
            "{} is in the report",
            anomaly_id(i)
        );
    }
    assert!(
        text.contains("naïve café – 5 € then ?? ?????? ?"),
        "replaced visibly"
    );
    assert!(text.contains("printed as ?"), "the report says so");
    assert!(text.contains(&key().public_key().fingerprint()));
    assert!(text.contains("payment gateway timeout after <*> ms"));
    assert!(text.contains("page 1 of"));
    // Each table line of the 900-character word is one cut of it, none wider than a column.
    let longest_cut = text
        .lines()
        .filter(|l| l.chars().all(|c| c == 'x'))
        .map(str::len)
        .max();
    assert!(longest_cut.is_some_and(|n| n < 100), "{longest_cut:?}");
}

#[test]
fn the_report_shows_the_hash_of_the_signed_bytes() {
    let signed = sign(bundle(2, 5), &key()).expect("signs");
    let mut content = signed.clone();
    content.as_object_mut().expect("object").remove("signature");
    let digest: String = Sha256::digest(canonical_json(&content))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = shown_text(&render_pdf(&signed).expect("renders"));
    assert!(text.contains(&digest), "{digest}");
    // Unsigned, the same content hashes the same.
    assert!(shown_text(&render_pdf(&content).expect("renders")).contains(&digest));
}

#[test]
fn unknown_fields_appear_and_missing_ones_are_a_dash() {
    let bundle = json!({
        "format": "phantom-evidence/1",
        "anomalies": [{
            "id": "an_new",
            "triage_note": "seen before in staging",
            "explanation": {"novel_measure": 3.25, "ranges": [{"first": 1, "last": 2}]}
        }],
        "retention_days": 30
    });
    let pdf = render_pdf(&bundle).expect("renders");
    check_structure(&pdf);
    let text = shown_text(&pdf);
    for expected in [
        "an_new",
        "triage_note: ",
        "seen before in staging",
        "novel_measure: ",
        "3.25",
        "[1]",
        "Other fields",
        "retention_days: ",
        "not signed",
        "This bundle is not signed.",
        "The bundle names no detector.",
    ] {
        assert!(text.contains(expected), "{expected}");
    }
    assert!(text.lines().any(|l| l == "-"), "missing fields show as -");
}

#[test]
fn the_same_bundle_gives_the_same_bytes() {
    let bundle = bundle(7, 10);
    assert_eq!(
        render_pdf(&bundle).expect("renders"),
        render_pdf(&bundle).expect("renders")
    );
}

#[test]
fn a_bundle_that_is_not_an_object_is_refused() {
    assert!(matches!(
        render_pdf(&Value::Array(vec![])),
        Err(EvidenceError::NotAnObject { .. })
    ));
}
