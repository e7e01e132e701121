//! Undoing `Content-Encoding`.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::MultiGzDecoder;

use crate::error::OtlpError;

/// Undoes `Content-Encoding`: `gzip` (or `x-gzip`) is inflated, `identity` or no header leaves
/// the body as it is. Refuses a body that is, or would inflate to, more than `limit` bytes (a
/// zip bomb stops at the limit; it is never inflated in full) with an error naming the limit.
pub fn decode_body<'a>(
    body: &'a [u8],
    content_encoding: Option<&str>,
    limit: usize,
) -> Result<Cow<'a, [u8]>, OtlpError> {
    let encoding = content_encoding.map(str::trim).unwrap_or_default();
    if encoding.is_empty() || encoding.eq_ignore_ascii_case("identity") {
        if body.len() > limit {
            return Err(OtlpError::BodyTooLarge { limit });
        }
        return Ok(Cow::Borrowed(body));
    }
    if !(encoding.eq_ignore_ascii_case("gzip") || encoding.eq_ignore_ascii_case("x-gzip")) {
        return Err(OtlpError::UnsupportedContentEncoding {
            found: encoding.to_owned(),
        });
    }
    let mut inflated = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    MultiGzDecoder::new(body)
        .take(cap)
        .read_to_end(&mut inflated)
        .map_err(|source| OtlpError::Gzip { source })?;
    if inflated.len() > limit {
        return Err(OtlpError::BodyTooLarge { limit });
    }
    Ok(Cow::Owned(inflated))
}
