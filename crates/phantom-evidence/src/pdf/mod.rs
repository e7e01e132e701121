//! The PDF report of a bundle.

mod document;
mod fields;
mod fonts;
mod layout;
mod report;

use serde_json::Value;

use crate::EvidenceError;
use crate::bundle::as_object;
use crate::canonical::canonical_object_without;
use crate::key::sha256_hex;
use crate::signature::SIGNATURE;

/// A readable PDF report of a bundle (signed or not): title, tenant, time range, stream
/// filter, generation time, signature fingerprint; a table of anomalies (time, stream, score,
/// p-value, status, summary); then each anomaly's explanation (measures, thresholds, seed,
/// event ranges with SHA-256, new / vanished templates and tokens); detector versions and
/// settings; the canonical JSON's SHA-256. Long text wraps, tables break across pages.
///
/// Fields the report does not know are shown as key/value lines, missing ones as "-". Text
/// uses the standard Helvetica and Courier fonts (nothing is embedded), so characters outside
/// Windows-1252 print as `?`, and the report says so. The same bundle always gives the same
/// bytes. The report shows the signature but does not check it: that is [`crate::verify`].
pub fn render_pdf(bundle: &Value) -> Result<Vec<u8>, EvidenceError> {
    let map = as_object(bundle, "an evidence bundle")?;
    let canonical_sha256 = sha256_hex(&canonical_object_without(map, SIGNATURE));
    let pages = report::lay_out(bundle, &canonical_sha256)
        .finish(|page, pages| report::footer(bundle, page, pages));
    Ok(document::assemble(&pages))
}
