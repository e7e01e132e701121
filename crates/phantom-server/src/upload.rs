//! Files sent to the server: a CSV body or a multipart upload is streamed to a temporary file,
//! never held whole in memory, and stops at `max_upload_bytes`.

use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;
use http_body_util::BodyExt;
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

use crate::error::ApiError;
use crate::state::AppState;

const WHAT: &str = "the upload";
const SETTING: &str = "max_upload_bytes";

/// A file being written from a request, removed when dropped.
struct Spool {
    file: NamedTempFile,
    out: tokio::fs::File,
    written: u64,
    limit: u64,
}

impl Spool {
    fn new(limit: u64) -> Result<Self, ApiError> {
        let file = tempfile::Builder::new()
            .prefix("phantom-upload-")
            .suffix(".csv")
            .tempfile()
            .map_err(|e| ApiError::internal(format!("creating a temporary file: {e}")))?;
        let out = file
            .as_file()
            .try_clone()
            .map_err(|e| ApiError::internal(format!("opening the temporary file: {e}")))?;
        Ok(Self {
            file,
            out: tokio::fs::File::from_std(out),
            written: 0,
            limit,
        })
    }

    async fn write(&mut self, chunk: &Bytes) -> Result<(), ApiError> {
        self.written = self.written.saturating_add(chunk.len() as u64);
        if self.written > self.limit {
            return Err(ApiError::too_large(WHAT, self.limit, "bytes", SETTING));
        }
        self.out
            .write_all(chunk)
            .await
            .map_err(|e| ApiError::internal(format!("writing the temporary file: {e}")))
    }

    async fn finish(mut self) -> Result<NamedTempFile, ApiError> {
        self.out
            .flush()
            .await
            .map_err(|e| ApiError::internal(format!("writing the temporary file: {e}")))?;
        Ok(self.file)
    }
}

/// Streams a raw body (e.g. `text/csv`) to a temporary file.
pub(crate) async fn body_to_file(mut body: Body, limit: u64) -> Result<NamedTempFile, ApiError> {
    let mut spool = Spool::new(limit)?;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|e| ApiError::invalid(format!("could not read the request body: {e}")))?;
        if let Ok(data) = frame.into_data() {
            spool.write(&data).await?;
        }
    }
    spool.finish().await
}

/// Streams the one file part of a `multipart/form-data` body (the part with a file name, or
/// the part named `file`) to a temporary file. Every part counts against the limit.
pub(crate) async fn multipart_to_file(
    req: Request,
    state: &AppState,
    limit: u64,
) -> Result<NamedTempFile, ApiError> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| ApiError::invalid(format!("unreadable multipart body: {}", e.body_text())))?;
    let mut found: Option<NamedTempFile> = None;
    let mut other_bytes: u64 = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let is_file = field.file_name().is_some() || field.name() == Some("file");
        if !is_file {
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                other_bytes = other_bytes.saturating_add(chunk.len() as u64);
                if other_bytes > limit {
                    return Err(ApiError::too_large(WHAT, limit, "bytes", SETTING));
                }
            }
            continue;
        }
        if found.is_some() {
            return Err(ApiError::invalid(
                "the multipart body has more than one file part; send one CSV file",
            ));
        }
        let mut spool = Spool::new(limit)?;
        spool.written = other_bytes;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            spool.write(&chunk).await?;
        }
        other_bytes = spool.written;
        found = Some(spool.finish().await?);
    }
    found.ok_or_else(|| {
        ApiError::invalid(
            "the multipart body has no file part; send the CSV as a part named `file` (curl -F file=@data.csv)",
        )
    })
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            e.body_text(),
        );
    }
    ApiError::invalid(format!("unreadable multipart body: {}", e.body_text()))
}
