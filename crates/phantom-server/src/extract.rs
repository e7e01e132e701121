//! Reading requests: JSON bodies within the body limit, decoded with the path of a wrong field
//! in the error; query strings likewise; and the principal the guard resolved.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use phantom_engine::auth::Principal;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::error::ApiError;
use crate::state::AppState;

/// Bodies above this size are decoded on a blocking thread, so a large batch does not hold up
/// the async workers.
const DECODE_INLINE_MAX: usize = 64 * 1024;

/// A JSON request body of type `T`, at most `max_body_bytes` long. Malformed JSON is an error
/// naming the line and column; a wrong type or a missing field names the field.
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<T: DeserializeOwned + Send + 'static> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        require_json(req.headers())?;
        let limit = state.config().max_body_bytes as u64;
        check_declared_length(req.headers(), limit, "the request body", "max_body_bytes")?;
        let bytes = read_body(req.into_body(), limit, "the request body", "max_body_bytes").await?;
        decode_json(bytes).await.map(JsonBody)
    }
}

/// Like [`JsonBody`], but an empty body means `T::default()`.
pub(crate) struct OptionalJson<T>(pub(crate) T);

impl<T: DeserializeOwned + Default + Send + 'static> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config().max_body_bytes as u64;
        check_declared_length(req.headers(), limit, "the request body", "max_body_bytes")?;
        let headers = req.headers().clone();
        let bytes = read_body(req.into_body(), limit, "the request body", "max_body_bytes").await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        require_json(&headers)?;
        decode_json(bytes).await.map(OptionalJson)
    }
}

/// The query string decoded as `T`; a wrong or unknown parameter is an error naming it.
pub(crate) struct QueryParams<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        decode_query(parts.uri.query().unwrap_or_default()).map(QueryParams)
    }
}

/// Who is calling: the principal the guard authenticated. Only routes that need a
/// permission have one; a handler of a public route asking for it is a bug.
pub(crate) struct Caller(pub(crate) Principal);

impl<S: Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::internal("handler needs a principal but its route is public"))
    }
}

/// The media type of a request (`text/csv` of `text/csv; charset=utf-8`), lower-cased; empty
/// when the header is absent.
pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A JSON body may come without a content type; when the header is there it must say JSON, so
/// a form-encoded body (what `curl -d` sends by default) is refused with a message saying what
/// to send.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let media = media_type(headers);
    if media.is_empty() || media == "application/json" || media.ends_with("+json") {
        Ok(())
    } else {
        Err(ApiError::unsupported_media_type(&media, "application/json"))
    }
}

/// Reads a whole body of at most `limit` bytes; a larger one is a 413 naming `setting`.
pub(crate) async fn read_body(
    body: Body,
    limit: u64,
    what: &str,
    setting: &str,
) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::too_large(what, limit, "bytes", setting);
    let limit_usize = usize::try_from(limit).unwrap_or(usize::MAX);
    match Limited::new(body, limit_usize).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => Err(ApiError::invalid(format!(
            "could not read the request body: {e}"
        ))),
    }
}

/// Checks a declared `Content-Length` against `limit` before anything is read.
pub(crate) fn check_declared_length(
    headers: &HeaderMap,
    limit: u64,
    what: &str,
    setting: &str,
) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit => Err(ApiError::too_large(what, limit, "bytes", setting)),
        Some(_) | None => Ok(()),
    }
}

/// Decodes a JSON body, on a blocking thread when it is large.
async fn decode_json<T: DeserializeOwned + Send + 'static>(bytes: Bytes) -> Result<T, ApiError> {
    if bytes.len() <= DECODE_INLINE_MAX {
        return decode_json_now(&bytes);
    }
    tokio::task::spawn_blocking(move || decode_json_now(&bytes))
        .await
        .map_err(|e| ApiError::internal(format!("JSON decoding task: {e}")))?
}

/// Decodes `bytes` as one JSON value of type `T` with nothing after it.
///
/// The body is decoded once without tracking where the decoder is (which costs a wrapper
/// around every value of a large batch); only a body that fails is decoded again to name the
/// field at fault.
pub(crate) fn decode_json_now<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        json_error(&path, e.inner())
    })?;
    de.end().map_err(|e| json_error(".", &e))?;
    Ok(value)
}

fn json_error(path: &str, e: &serde_json::Error) -> ApiError {
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::malformed_json(format!("the body is not valid JSON: {e}"))
        }
        Category::Data if path == "." => ApiError::invalid(format!("invalid request body: {e}")),
        Category::Data => ApiError::invalid(format!("invalid field `{path}`: {e}")),
    }
}

/// Decodes a query string as `T`.
pub(crate) fn decode_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            ApiError::invalid(format!("invalid query string: {}", e.inner()))
        } else {
            ApiError::invalid(format!("invalid query parameter `{path}`: {}", e.inner()))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Predict {
        features: Vec<f64>,
    }

    fn err(json: &str) -> (String, String) {
        let e = decode_json_now::<Predict>(json.as_bytes()).unwrap_err();
        (e.code.to_owned(), e.message)
    }

    #[test]
    fn errors_name_the_position_or_the_field() {
        let ok: Predict = decode_json_now(br#" {"features": [1, -2.5]} "#).unwrap();
        assert_eq!(ok.features, vec![1.0, -2.5]);
        let (code, message) = err("{\"features\": [1, 2,\n ]}");
        assert_eq!(code, "malformed_json");
        assert!(message.contains("line 2 column 2"), "{message}");
        let (code, message) = err(r#"{"features": [1, "NaN"]}"#);
        assert_eq!(code, "invalid_input");
        assert!(message.contains("`features[1]`"), "{message}");
        let (_, message) = err(r#"{}"#);
        assert!(message.contains("missing field `features`"), "{message}");
        let (_, message) = err(r#"{"features": [1], "extra": 1}"#);
        assert!(message.contains("unknown field `extra`"), "{message}");
        let (code, message) = err(r#"{"features": [1e999]}"#);
        assert_eq!(code, "malformed_json");
        assert!(message.contains("number out of range"), "{message}");
        let (code, _) = err(r#"{"features": [1]} {}"#);
        assert_eq!(code, "malformed_json");
    }

    #[test]
    fn query_errors_name_the_parameter() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Q {
            limit: Option<u32>,
        }
        let e = decode_query::<Q>("limit=many").unwrap_err();
        assert!(e.message.contains("`limit`"), "{}", e.message);
        let e = decode_query::<Q>("colour=red").unwrap_err();
        assert!(e.message.contains("colour"), "{}", e.message);
        assert_eq!(decode_query::<Q>("limit=5").unwrap().limit, Some(5));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Any bytes decode to a value or to a 400, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            if let Err(e) = decode_json_now::<Predict>(&bytes) {
                prop_assert!(e.status.is_client_error());
            }
            if let Err(e) = decode_json_now::<BTreeMap<String, serde_json::Value>>(&bytes) {
                prop_assert!(e.status.is_client_error());
            }
        }

        /// Near-JSON (JSON-ish tokens glued at random) decodes or is refused with a 400.
        #[test]
        fn json_like_text_never_panics(parts in proptest::collection::vec(
            prop_oneof![
                Just("{"), Just("}"), Just("["), Just("]"), Just(","), Just(":"),
                Just("\"features\""), Just("1"), Just("-0.5e3"), Just("1e400"), Just("null"),
                Just("\"NaN\""), Just("true"), Just(" "), Just("\"\\u00e9\""),
            ],
            0..40,
        )) {
            let text: String = parts.concat();
            if let Err(e) = decode_json_now::<Predict>(text.as_bytes()) {
                prop_assert!(e.status.is_client_error());
            }
        }
    }
}
