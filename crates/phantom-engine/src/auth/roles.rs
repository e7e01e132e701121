//! Roles, the permissions routes ask for, and which role has which.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::EngineError;

/// What a role may do within its tenant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in its tenant, including users, keys and the audit log.
    Admin,
    /// Models, data, predictions, telemetry and anomalies.
    Developer,
    /// Read models and anomalies, and predict.
    Viewer,
    /// Read the audit log, anomalies and evidence.
    Auditor,
}

/// An action a route needs permission for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read models, versions, jobs, inference history, importance.
    ReadModels,
    /// Create, train, activate, archive, restore, clone, import, export, delete models.
    WriteModels,
    /// Predict and explain predictions.
    Predict,
    /// Feature engineering and analytics on data sent with the request.
    Analyze,
    /// Performance stats and system health.
    ReadOperations,
    /// Read the audit log.
    ReadAudit,
    /// Manage the tenant's users and API keys.
    ManageAccess,
    /// Send telemetry (OTLP logs, metrics, traces; JSON events).
    Ingest,
    /// Read streams, anomalies and evidence bundles.
    ReadAnomalies,
    /// Change anomaly statuses and stream settings.
    ManageAnomalies,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Developer, Role::Viewer, Role::Auditor];

    /// Whether this role has `permission`:
    ///
    /// | permission | admin | developer | viewer | auditor |
    /// |---|---|---|---|---|
    /// | read_models | yes | yes | yes | no |
    /// | write_models | yes | yes | no | no |
    /// | predict | yes | yes | yes | no |
    /// | analyze | yes | yes | yes | no |
    /// | read_operations | yes | yes | yes | no |
    /// | read_audit | yes | no | no | yes |
    /// | manage_access | yes | no | no | no |
    /// | ingest | yes | yes | no | no |
    /// | read_anomalies | yes | yes | yes | yes |
    /// | manage_anomalies | yes | yes | no | no |
    pub fn allows(self, permission: Permission) -> bool {
        match self {
            Role::Admin => true,
            Role::Developer => matches!(
                permission,
                Permission::ReadModels
                    | Permission::WriteModels
                    | Permission::Predict
                    | Permission::Analyze
                    | Permission::ReadOperations
                    | Permission::Ingest
                    | Permission::ReadAnomalies
                    | Permission::ManageAnomalies
            ),
            Role::Viewer => matches!(
                permission,
                Permission::ReadModels
                    | Permission::Predict
                    | Permission::Analyze
                    | Permission::ReadOperations
                    | Permission::ReadAnomalies
            ),
            Role::Auditor => matches!(
                permission,
                Permission::ReadAudit | Permission::ReadAnomalies
            ),
        }
    }

    /// The role's name: "admin", "developer", "viewer" or "auditor".
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Viewer => "viewer",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = EngineError;

    /// Parses a role name; the error lists the names there are.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| EngineError::InvalidArgument {
                what: "role".into(),
                reason: format!(
                    "'{s}' is not a role; expected admin, developer, viewer or auditor"
                ),
            })
    }
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 10] = [
        Permission::ReadModels,
        Permission::WriteModels,
        Permission::Predict,
        Permission::Analyze,
        Permission::ReadOperations,
        Permission::ReadAudit,
        Permission::ManageAccess,
        Permission::Ingest,
        Permission::ReadAnomalies,
        Permission::ManageAnomalies,
    ];

    /// The permission's name, e.g. "write_models".
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadModels => "read_models",
            Permission::WriteModels => "write_models",
            Permission::Predict => "predict",
            Permission::Analyze => "analyze",
            Permission::ReadOperations => "read_operations",
            Permission::ReadAudit => "read_audit",
            Permission::ManageAccess => "manage_access",
            Permission::Ingest => "ingest",
            Permission::ReadAnomalies => "read_anomalies",
            Permission::ManageAnomalies => "manage_anomalies",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name read back from the store; an unknown one means the row is damaged.
pub(super) fn stored_role(name: &str, whose: impl FnOnce() -> String) -> Result<Role, EngineError> {
    name.parse().map_err(|_| {
        EngineError::Store(phantom_store::StoreError::Malformed {
            what: format!(
                "{} has role '{name}', which this Phantom does not know",
                whose()
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of the contract, row by row: admin, developer, viewer, auditor.
    const TABLE: [(Permission, [bool; 4]); 10] = [
        (Permission::ReadModels, [true, true, true, false]),
        (Permission::WriteModels, [true, true, false, false]),
        (Permission::Predict, [true, true, true, false]),
        (Permission::Analyze, [true, true, true, false]),
        (Permission::ReadOperations, [true, true, true, false]),
        (Permission::ReadAudit, [true, false, false, true]),
        (Permission::ManageAccess, [true, false, false, false]),
        (Permission::Ingest, [true, true, false, false]),
        (Permission::ReadAnomalies, [true, true, true, true]),
        (Permission::ManageAnomalies, [true, true, false, false]),
    ];

    #[test]
    fn every_role_and_permission_follows_the_table() {
        assert_eq!(TABLE.len(), Permission::ALL.len());
        for (permission, allowed) in TABLE {
            for (role, expected) in Role::ALL.into_iter().zip(allowed) {
                assert_eq!(role.allows(permission), expected, "{role} {permission}");
            }
        }
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::json!(role.as_str())
            );
        }
        for permission in Permission::ALL {
            assert_eq!(
                serde_json::to_value(permission).unwrap(),
                serde_json::json!(permission.as_str())
            );
        }
        let err = "root".parse::<Role>().unwrap_err().to_string();
        assert!(err.contains("'root' is not a role"), "{err}");
        assert!("Admin".parse::<Role>().is_err(), "names are lowercase");
    }
}
