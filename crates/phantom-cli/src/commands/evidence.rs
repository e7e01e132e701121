//! `phantom evidence`: check a signed evidence bundle against the deployment's public key, or
//! render it as a PDF report, offline.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use phantom_evidence::{PublicKey, Verified, render_pdf, verify};
use serde_json::Value;

/// Arguments of `phantom evidence`.
#[derive(Args)]
#[command(
    after_help = "A bundle is what GET /v1/evidence returns: the anomalies of a time \
range with their explanations, the detectors' versions and settings, SHA-256 hashes of the events \
they were computed from, and an Ed25519 signature over the bundle's canonical JSON (RFC 8785). \
`verify` checks that signature against the deployment's public key, which GET \
/v1/evidence/public-key serves: give the base64 key itself, or a file holding it or that \
endpoint's JSON answer. Exit codes: 0 the signature holds; 1 it does not, and the reason is \
printed (changed after signing, signed by another key, not signed); 2 a file cannot be read or \
the key is not a key. `pdf` lays the same bundle out as a report; it shows the signature but does \
not check it.

Examples:
  curl -s -H \"Authorization: Bearer $KEY\" http://127.0.0.1:8080/v1/evidence/public-key > key.json
  curl -s -H \"Authorization: Bearer $KEY\" -o bundle.json \\
      'http://127.0.0.1:8080/v1/evidence?from=2026-11-22T09:00:00Z&to=2026-11-22T10:00:00Z'
  phantom evidence verify bundle.json --public-key key.json
  phantom evidence verify bundle.json --public-key 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
  phantom evidence pdf bundle.json --output report.pdf"
)]
pub struct EvidenceArgs {
    #[command(subcommand)]
    command: EvidenceCommand,
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// Check a bundle's signature against a trusted public key; prints a summary.
    Verify(VerifyArgs),
    /// Render a bundle (signed or not) as a PDF report.
    Pdf(PdfArgs),
}

#[derive(Args)]
struct VerifyArgs {
    /// The bundle, as GET /v1/evidence returned it.
    #[arg(value_name = "BUNDLE.json")]
    bundle: PathBuf,
    /// The trusted key: base64, or a file holding it or the JSON of
    /// GET /v1/evidence/public-key.
    #[arg(long, value_name = "KEY")]
    public_key: String,
}

#[derive(Args)]
struct PdfArgs {
    /// The bundle, as GET /v1/evidence returned it.
    #[arg(value_name = "BUNDLE.json")]
    bundle: PathBuf,
    /// Where to write the report.
    #[arg(long, short, value_name = "REPORT.pdf")]
    output: PathBuf,
}

/// A mistake in how a command was called that clap cannot see (a file that cannot be read, a
/// key that is not a key): `phantom` exits with 2 for it, as for clap's usage errors.
#[derive(Debug)]
pub struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Whether `err` is (or was caused by) a [`UsageError`].
pub fn is_usage_error(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| cause.is::<UsageError>())
}

/// Runs `phantom evidence`.
pub fn run(args: &EvidenceArgs) -> Result<()> {
    match &args.command {
        EvidenceCommand::Verify(args) => run_verify(args),
        EvidenceCommand::Pdf(args) => run_pdf(args),
    }
}

fn run_verify(args: &VerifyArgs) -> Result<()> {
    let trusted = trusted_key(&args.public_key)?;
    let bundle = read_bundle(&args.bundle)?;
    let verified = verify(&bundle, &trusted)
        .with_context(|| format!("{} does not verify", args.bundle.display()))?;
    println!("{}", summary(&args.bundle, &verified));
    Ok(())
}

fn run_pdf(args: &PdfArgs) -> Result<()> {
    let bundle = read_bundle(&args.bundle)?;
    let pdf = render_pdf(&bundle)
        .with_context(|| format!("{}: cannot render a report", args.bundle.display()))?;
    super::write_atomically(&args.output, &pdf)?;
    println!(
        "{}: report of {} ({} bytes)",
        args.output.display(),
        args.bundle.display(),
        pdf.len()
    );
    Ok(())
}

/// The one-paragraph summary of a bundle that verified.
fn summary(path: &Path, verified: &Verified) -> String {
    let anomalies = match verified.anomalies {
        1 => "1 anomaly".to_owned(),
        n => format!("{n} anomalies"),
    };
    format!(
        "{}: the signature holds. This {} bundle, generated at {}, holds {anomalies} and was \
         signed by the trusted key {}; nothing in it has changed since it was signed.",
        path.display(),
        verified.format,
        verified.generated_at,
        verified.fingerprint
    )
}

/// The bundle file as JSON. A file that cannot be read is a usage error; one that is not JSON
/// is a bundle that does not hold.
fn read_bundle(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).map_err(|e| {
        UsageError(format!(
            "{}: cannot read the bundle file ({e})",
            path.display()
        ))
    })?;
    serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{}: not a JSON document, so not an evidence bundle",
            path.display()
        )
    })
}

/// The key `--public-key` names: a file (holding the key or the JSON the server serves), or
/// the base64 key itself.
fn trusted_key(arg: &str) -> Result<PublicKey, UsageError> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("{arg}: cannot read the public key file ({e})")))?;
        return key_from_text(&text).map_err(|problem| UsageError(format!("{arg}: {problem}")));
    }
    key_from_text(arg).map_err(|problem| {
        UsageError(format!(
            "--public-key {arg:?} is neither a file nor a public key: {problem}"
        ))
    })
}

/// A base64 key, or the JSON object of GET /v1/evidence/public-key.
fn key_from_text(text: &str) -> Result<PublicKey, String> {
    let text = text.trim();
    let key = if text.starts_with('{') {
        let document: Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
        PublicKey::from_json(&document)
    } else {
        PublicKey::from_base64(text)
    };
    key.map_err(|e| e.to_string())
}
