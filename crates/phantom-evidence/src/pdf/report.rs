//! The report's sections, in reading order: overview, anomaly table, each anomaly's
//! explanation, detectors, data hashes, other fields, integrity.

use serde_json::Value;

use super::fields::{Entry, MISSING, entries, entries_except, get, short_number, text_at};
use super::fonts::Font;
use super::layout::{BODY, Column, Layout};

/// Size of the report's title.
const TITLE: f32 = 18.0;
/// Size of section headings.
const SECTION: f32 = 13.0;
/// Size of sub-headings (one anomaly, one detector).
const SUBSECTION: f32 = 10.0;

/// Top-level members the sections below show; any other appears under "Other fields".
const SHOWN: [&str; 8] = [
    "format",
    "generated_at",
    "tenant",
    "query",
    "detectors",
    "anomalies",
    "data_hashes",
    "signature",
];
/// Members of an anomaly shown in its heading, the table or its first lines.
const ANOMALY_SHOWN: [&str; 8] = [
    "id",
    "stream",
    "detected_at",
    "detector",
    "score",
    "status",
    "summary",
    "explanation",
];

/// Lays `bundle` out; `canonical_sha256` is the hash of the bytes its signature covers.
pub(crate) fn lay_out(bundle: &Value, canonical_sha256: &str) -> Layout {
    let mut layout = Layout::new();
    let anomalies = list(bundle, "anomalies");
    overview(&mut layout, bundle, anomalies.len());
    anomaly_table(&mut layout, anomalies);
    anomaly_details(&mut layout, anomalies);
    detectors(&mut layout, bundle);
    data_hashes(&mut layout, bundle);
    let others = entries_except(bundle, &SHOWN, 0);
    if !others.is_empty() {
        layout.heading("Other fields", SECTION);
        show_entries(&mut layout, &others);
    }
    integrity(&mut layout, bundle, canonical_sha256);
    layout
}

/// The footer line of page `page` of `pages`.
pub(crate) fn footer(bundle: &Value, page: usize, pages: usize) -> String {
    format!(
        "Phantom evidence report  |  tenant {}  |  generated {}  |  page {page} of {pages}",
        text_at(bundle, &["tenant"]),
        text_at(bundle, &["generated_at"]),
    )
}

fn overview(layout: &mut Layout, bundle: &Value, anomalies: usize) {
    layout.paragraph(0, Font::Bold, TITLE, "Phantom evidence report");
    layout.gap(6.0);
    let stream_filter = get(bundle, &["query", "stream"])
        .map_or_else(|| "all streams".to_owned(), super::fields::display);
    let signed_by = get(bundle, &["signature", "fingerprint"])
        .map_or_else(|| "not signed".to_owned(), super::fields::display);
    for (key, value) in [
        ("Tenant", text_at(bundle, &["tenant"])),
        (
            "Time range",
            format!(
                "{} to {}",
                text_at(bundle, &["query", "from"]),
                text_at(bundle, &["query", "to"])
            ),
        ),
        ("Stream filter", stream_filter),
        ("Generated at", text_at(bundle, &["generated_at"])),
        ("Signed by", signed_by),
        ("Format", text_at(bundle, &["format"])),
        ("Anomalies", anomalies.to_string()),
    ] {
        layout.pair(0, key, &value, Font::Regular);
    }
}

fn anomaly_table(layout: &mut Layout, anomalies: &[Value]) {
    layout.heading("Anomalies", SECTION);
    if anomalies.is_empty() {
        layout.paragraph(0, Font::Regular, BODY, "No anomaly in this range.");
        return;
    }
    let columns = [
        column("#", 22.0),
        column("Time", 88.0),
        column("Stream", 80.0),
        column("Score", 38.0),
        column("p-value", 42.0),
        column("Status", 40.0),
        column("Summary", 185.0),
    ];
    let rows: Vec<Vec<String>> = anomalies
        .iter()
        .enumerate()
        .map(|(i, anomaly)| {
            vec![
                (i + 1).to_string(),
                text_at(anomaly, &["detected_at"]),
                stream_name(anomaly),
                short_number(get(anomaly, &["score"])),
                short_number(p_value(anomaly)),
                text_at(anomaly, &["status"]),
                text_at(anomaly, &["summary"]),
            ]
        })
        .collect();
    layout.table(&columns, &rows);
}

fn anomaly_details(layout: &mut Layout, anomalies: &[Value]) {
    if anomalies.is_empty() {
        return;
    }
    layout.heading("Anomaly details", SECTION);
    for (i, anomaly) in anomalies.iter().enumerate() {
        layout.heading(
            &format!("#{}  {}", i + 1, text_at(anomaly, &["id"])),
            SUBSECTION,
        );
        for (key, value) in [
            ("stream", stream_name(anomaly)),
            ("detected at", text_at(anomaly, &["detected_at"])),
            ("detector", text_at(anomaly, &["detector"])),
            ("score", text_at(anomaly, &["score"])),
            ("status", text_at(anomaly, &["status"])),
            ("summary", text_at(anomaly, &["summary"])),
        ] {
            layout.pair(0, key, &value, Font::Regular);
        }
        show_entries(layout, &entries_except(anomaly, &ANOMALY_SHOWN, 0));
        match get(anomaly, &["explanation"]) {
            Some(explanation) => {
                layout.paragraph(0, Font::Bold, BODY, "explanation");
                show_entries(layout, &entries(explanation, 1));
            }
            None => layout.pair(0, "explanation", MISSING, Font::Regular),
        }
    }
}

fn detectors(layout: &mut Layout, bundle: &Value) {
    layout.heading("Detectors", SECTION);
    let detectors = list(bundle, "detectors");
    if detectors.is_empty() {
        layout.paragraph(0, Font::Regular, BODY, "The bundle names no detector.");
    }
    for detector in detectors {
        layout.heading(
            &format!(
                "{}  version {}",
                text_at(detector, &["name"]),
                text_at(detector, &["version"])
            ),
            SUBSECTION,
        );
        show_entries(layout, &entries_except(detector, &["name", "version"], 0));
    }
}

fn data_hashes(layout: &mut Layout, bundle: &Value) {
    layout.heading("Data hashes", SECTION);
    let hashes = list(bundle, "data_hashes");
    if hashes.is_empty() {
        layout.paragraph(0, Font::Regular, BODY, "The bundle holds no data hash.");
        return;
    }
    layout.paragraph(
        0,
        Font::Regular,
        BODY,
        "SHA-256 of the events each stream's anomalies were computed from, by event index.",
    );
    let columns = [
        column("Stream", 110.0),
        column("Events", 70.0),
        Column {
            title: "SHA-256",
            width: 315.0,
            font: Font::Mono,
        },
    ];
    let rows: Vec<Vec<String>> = hashes
        .iter()
        .map(|hash| {
            vec![
                text_at(hash, &["stream"]),
                format!(
                    "{} \u{2013} {}",
                    text_at(hash, &["first"]),
                    text_at(hash, &["last"])
                ),
                text_at(hash, &["sha256"]),
            ]
        })
        .collect();
    layout.table(&columns, &rows);
}

fn integrity(layout: &mut Layout, bundle: &Value, canonical_sha256: &str) {
    layout.heading("Integrity", SECTION);
    layout.pair(0, "Canonical SHA-256", canonical_sha256, Font::Mono);
    layout.paragraph(
        0,
        Font::Regular,
        BODY,
        "The SHA-256 of the bundle without its signature, in canonical JSON (RFC 8785): the \
         bytes the signature covers.",
    );
    match get(bundle, &["signature"]) {
        Some(signature) => {
            layout.paragraph(0, Font::Bold, BODY, "Signature");
            for (key, field) in [
                ("algorithm", "algorithm"),
                ("canonicalization", "canonicalization"),
                ("public key", "public_key"),
                ("fingerprint", "fingerprint"),
                ("value", "value"),
            ] {
                layout.pair(1, key, &text_at(signature, &[field]), Font::Mono);
            }
        }
        None => layout.paragraph(0, Font::Regular, BODY, "This bundle is not signed."),
    }
    layout.gap(4.0);
    layout.paragraph(
        0,
        Font::Regular,
        BODY,
        "This report does not check the signature. Check the JSON bundle itself, with the \
         public key of the deployment that produced it:",
    );
    layout.paragraph(
        1,
        Font::Mono,
        BODY,
        "phantom evidence verify BUNDLE.json --public-key KEY",
    );
    if layout.replaced_characters() {
        layout.paragraph(
            0,
            Font::Regular,
            BODY,
            "Characters the report's fonts cannot show are printed as ?; the JSON bundle holds \
             the exact text.",
        );
    }
}

/// The items of the array `field`, none if it is missing or not an array.
fn list<'a>(bundle: &'a Value, field: &str) -> &'a [Value] {
    get(bundle, &[field])
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
}

/// Key/value lines; digests in the monospaced font.
fn show_entries(layout: &mut Layout, entries: &[Entry]) {
    for entry in entries {
        match &entry.value {
            Some(value) => {
                let font = if is_digest(value) {
                    Font::Mono
                } else {
                    Font::Regular
                };
                layout.pair(entry.depth, &entry.key, value, font);
            }
            None => layout.paragraph(entry.depth, Font::Bold, BODY, &entry.key),
        }
    }
}

/// Whether `text` looks like a hash: 32 or more hex digits.
fn is_digest(text: &str) -> bool {
    text.len() >= 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The stream an anomaly belongs to: its key, else service/signal, else whatever it is.
fn stream_name(anomaly: &Value) -> String {
    if let Some(key) = get(anomaly, &["stream", "key"]) {
        return super::fields::display(key);
    }
    let parts: Vec<String> = ["service", "signal"]
        .iter()
        .filter_map(|field| get(anomaly, &["stream", field]))
        .map(super::fields::display)
        .collect();
    if parts.is_empty() {
        text_at(anomaly, &["stream"])
    } else {
        parts.join("/")
    }
}

/// The p-value of an anomaly, wherever its detector put it.
fn p_value(anomaly: &Value) -> Option<&Value> {
    get(anomaly, &["p_value"])
        .or_else(|| get(anomaly, &["explanation", "decision", "p_value"]))
        .or_else(|| get(anomaly, &["explanation", "p_value"]))
}

fn column(title: &'static str, width: f32) -> Column {
    Column {
        title,
        width,
        font: Font::Regular,
    }
}
