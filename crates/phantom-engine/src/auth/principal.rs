//! Credentials as presented, and the principal one resolves to.

use serde::Serialize;

use super::roles::{Permission, Role};
use crate::EngineError;

/// A credential as presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential<'a> {
    /// An API key (`phk_...`), from `Authorization: Bearer phk_...` or `x-api-key`.
    ApiKey(&'a str),
    /// A login token (JWT), from `Authorization: Bearer ...`.
    Token(&'a str),
}

/// Who is asking: resolved from a credential, never from the request body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The tenant whose data every call of this principal touches.
    pub tenant: String,
    /// The user name, or the API key's id.
    pub subject: String,
    /// The role.
    pub role: Role,
    /// The API key's id when authenticated by key.
    pub key_id: Option<String>,
}

impl Principal {
    /// `Ok` if the role has `permission`, else [`EngineError::Forbidden`] naming both.
    pub fn authorize(&self, permission: Permission) -> Result<(), EngineError> {
        if self.role.allows(permission) {
            Ok(())
        } else {
            Err(EngineError::Forbidden {
                role: self.role.as_str().to_owned(),
                permission: permission.as_str().to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn authorize_names_the_role_and_the_permission() {
        let viewer = Principal {
            tenant: "t".into(),
            subject: "ann".into(),
            role: Role::Viewer,
            key_id: None,
        };
        viewer.authorize(Permission::Predict).unwrap();
        let err = viewer.authorize(Permission::WriteModels).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden);
        assert_eq!(
            err.to_string(),
            "forbidden: role viewer lacks permission write_models"
        );
    }
}
