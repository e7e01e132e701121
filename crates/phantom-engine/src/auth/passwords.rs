//! Password hashing with Argon2id (the crate's default parameters: 19 MiB, 2 passes, one
//! lane), stored as a PHC string that carries its own salt and parameters. Hashing takes tens
//! of milliseconds on purpose, so it runs on the blocking pool.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::EngineError;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The longest password accepted, in bytes: hashing cost grows with length, and nobody
/// types more.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Checks a new password's length.
pub(super) fn check_new_password(password: &str) -> Result<(), EngineError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(EngineError::InvalidArgument {
            what: "password".into(),
            reason: format!(
                "must be at least {MIN_PASSWORD_CHARS} characters long, got {chars}; use a passphrase"
            ),
        });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(EngineError::InvalidArgument {
            what: "password".into(),
            reason: format!("must be at most {MAX_PASSWORD_BYTES} bytes long"),
        });
    }
    Ok(())
}

/// The Argon2id PHC string of `password`, with a fresh random salt.
pub(super) async fn hash_password(password: &str) -> Result<String, EngineError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| EngineError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| EngineError::Internal(format!("password hashing task: {e}")))?
}

/// Whether `password` matches the PHC string `hash`. An unreadable hash matches nothing.
pub(super) async fn verify_password(password: &str, hash: &str) -> Result<bool, EngineError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .map_err(|e| EngineError::Internal(format!("password verification task: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_salted_argon2id_and_verify() {
        let a = hash_password("correct horse battery").await.unwrap();
        let b = hash_password("correct horse battery").await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$"), "{a}");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(verify_password("correct horse battery", &a).await.unwrap());
        assert!(!verify_password("correct horse battery!", &a).await.unwrap());
        assert!(
            !verify_password("correct horse battery", "not a hash")
                .await
                .unwrap()
        );
    }

    #[test]
    fn short_and_huge_passwords_are_refused() {
        let err = check_new_password("eleven char").unwrap_err().to_string();
        assert!(err.contains("at least 12 characters"), "{err}");
        check_new_password("twelve chars").unwrap();
        check_new_password("ünïcödé pässwörd").unwrap();
        assert!(check_new_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }
}
