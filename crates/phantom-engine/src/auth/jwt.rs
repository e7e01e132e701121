//! JSON Web Tokens signed with HMAC-SHA-256 (JWS compact form, RFC 7515 / 7519), written by
//! hand: only `HS256` is produced or accepted, and the signature is checked in constant time
//! before anything in the token is believed.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The header of every token this engine signs.
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The longest token looked at; anything longer is refused unread.
pub(super) const MAX_TOKEN_BYTES: usize = 4096;

/// Why a token is not accepted.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TokenError {
    /// Not three base64url parts of JSON.
    Malformed(&'static str),
    /// Signed with another algorithm (or none).
    Algorithm(String),
    /// The signature does not match.
    Signature,
}

impl TokenError {
    /// The reason, for an `Unauthenticated` message.
    pub(super) fn reason(&self) -> String {
        match self {
            TokenError::Malformed(what) => format!("malformed token: {what}"),
            TokenError::Algorithm(alg) => {
                format!(
                    "token signed with '{alg}'; only HS256 tokens from this service are accepted"
                )
            }
            TokenError::Signature => "the token's signature is not valid".into(),
        }
    }
}

/// The claims of a login token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Claims {
    /// The user name.
    pub(super) sub: String,
    /// The user's tenant.
    pub(super) tenant: String,
    /// The user's role when the token was issued.
    pub(super) role: String,
    /// Issued at, seconds since the Unix epoch.
    pub(super) iat: i64,
    /// Expires at, seconds since the Unix epoch.
    pub(super) exp: i64,
    /// The token's unique id.
    pub(super) jti: String,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// HMAC-SHA-256 keyed with `secret`. HMAC takes keys of every length (long ones are hashed
/// first), so the error never happens; it is still not unwrapped.
fn mac(secret: &[u8]) -> Result<Hmac<Sha256>, TokenError> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| TokenError::Signature)
}

/// The base64url signature of `signing_input` (`header.payload`).
fn signature(secret: &[u8], signing_input: &str) -> Result<String, TokenError> {
    let mut m = mac(secret)?;
    m.update(signing_input.as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(m.finalize().into_bytes()))
}

/// A signed token carrying `claims`.
pub(super) fn encode(secret: &[u8], claims: &Claims) -> Result<String, TokenError> {
    // Serializing a struct of strings and integers cannot fail.
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HEADER),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = signature(secret, &input)?;
    Ok(format!("{input}.{sig}"))
}

/// The payload bytes of a token whose structure, algorithm and signature are valid.
pub(super) fn verified_payload(secret: &[u8], token: &str) -> Result<Vec<u8>, TokenError> {
    const PARTS: &str = "expected three parts separated by '.'";
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed("it is too long"));
    }
    let (signing_input, sig) = token.rsplit_once('.').ok_or(TokenError::Malformed(PARTS))?;
    let (header, payload) = signing_input
        .split_once('.')
        .ok_or(TokenError::Malformed(PARTS))?;
    if payload.contains('.') {
        return Err(TokenError::Malformed(PARTS));
    }
    let decode = |part: &str, what: &'static str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| TokenError::Malformed(what))
    };
    let header: Header = serde_json::from_slice(&decode(header, "the header is not base64url")?)
        .map_err(|_| TokenError::Malformed("the header is not a JSON object with 'alg'"))?;
    if header.alg != "HS256" {
        return Err(TokenError::Algorithm(header.alg));
    }
    let sig = decode(sig, "the signature is not base64url")?;
    let mut m = mac(secret)?;
    m.update(signing_input.as_bytes());
    m.verify_slice(&sig).map_err(|_| TokenError::Signature)?;
    decode(payload, "the payload is not base64url")
}

/// The claims of a valid token.
pub(super) fn decode(secret: &[u8], token: &str) -> Result<Claims, TokenError> {
    let payload = verified_payload(secret, token)?;
    serde_json::from_slice(&payload)
        .map_err(|_| TokenError::Malformed("the payload lacks the claims of a login token"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7515, appendix A.1: an HS256 JWS with its JWK key.
    const RFC_KEY: &str =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    const RFC_TOKEN: &str = concat!(
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
        ".",
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
        ".",
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );

    fn rfc_key() -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(RFC_KEY).unwrap()
    }

    #[test]
    fn the_rfc_7515_example_verifies_and_signs_alike() {
        let payload = verified_payload(&rfc_key(), RFC_TOKEN).unwrap();
        assert_eq!(
            payload,
            b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
        );
        let (input, sig) = RFC_TOKEN.rsplit_once('.').unwrap();
        assert_eq!(signature(&rfc_key(), input).unwrap(), sig);
        assert_eq!(
            verified_payload(b"another key", RFC_TOKEN),
            Err(TokenError::Signature)
        );
    }

    fn claims() -> Claims {
        Claims {
            sub: "ann".into(),
            tenant: "acme".into(),
            role: "developer".into(),
            iat: 1_700_000_000,
            exp: 1_700_000_900,
            jti: "j1".into(),
        }
    }

    #[test]
    fn tokens_round_trip() {
        let token = encode(b"k", &claims()).unwrap();
        assert_eq!(decode(b"k", &token).unwrap(), claims());
        assert_eq!(token.split('.').count(), 3);
    }

    #[test]
    fn tampering_is_caught() {
        let token = encode(b"k", &claims()).unwrap();
        let (header, rest) = token.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();

        let admin = Claims {
            role: "admin".into(),
            ..claims()
        };
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&admin).unwrap());
        let forged = format!("{header}.{forged_payload}.{sig}");
        assert_eq!(decode(b"k", &forged), Err(TokenError::Signature));

        let mut flipped = token.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert!(decode(b"k", &flipped).is_err());

        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{forged_payload}.");
        assert_eq!(
            decode(b"k", &unsigned),
            Err(TokenError::Algorithm("none".into()))
        );
        let hs512 = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512"}"#);
        assert!(matches!(
            decode(b"k", &format!("{hs512}.{forged_payload}.{sig}")),
            Err(TokenError::Algorithm(_))
        ));

        assert_eq!(decode(b"other key", &token), Err(TokenError::Signature));
    }

    #[test]
    fn malformed_tokens_are_named() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "!!!.e30.abc",
            &"a".repeat(MAX_TOKEN_BYTES + 1),
        ] {
            assert!(
                matches!(decode(b"k", bad), Err(TokenError::Malformed(_))),
                "{bad}"
            );
        }
        let valid_but_empty = {
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(HEADER),
                URL_SAFE_NO_PAD.encode("{}")
            );
            format!("{input}.{}", signature(b"k", &input).unwrap())
        };
        assert!(matches!(
            decode(b"k", &valid_but_empty),
            Err(TokenError::Malformed(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn decoding_never_panics(s in "\\PC{0,300}") {
            let _ = decode(b"k", &s);
        }

        #[test]
        fn decoding_dotted_base64_never_panics(s in "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,50}") {
            let _ = decode(b"k", &s);
        }
    }
}
