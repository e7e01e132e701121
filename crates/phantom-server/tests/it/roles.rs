//! Route x role: every route of the table, called with every role's key, is allowed or
//! denied exactly as the role's permissions say.

use phantom_engine::auth::{Permission, Role};
use phantom_server::{Access, ROUTES};

use crate::on_every_backend;
use crate::support::{ROLES, Server};

/// The roles' permissions as the issue defines them: admin everything in its tenant;
/// developer models, data, predictions, operations, telemetry and anomalies; viewer read,
/// predict and analyze, and read anomalies; auditor the audit log, anomalies and evidence.
fn may(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Developer => matches!(
            permission,
            ReadModels
                | WriteModels
                | Predict
                | Analyze
                | ReadOperations
                | Ingest
                | ReadAnomalies
                | ManageAnomalies
        ),
        Role::Viewer => matches!(
            permission,
            ReadModels | Predict | Analyze | ReadOperations | ReadAnomalies
        ),
        Role::Auditor => matches!(permission, ReadAudit | ReadAnomalies),
    }
}

/// A concrete path for a template: every parameter becomes `x`.
pub fn concrete(template: &str, value: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                value
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

on_every_backend!(every_route_allows_exactly_its_roles, matrix_on);

async fn matrix_on(s: &Server) {
    let mut checked = 0;
    for route in ROUTES {
        let path = concrete(route.path, "x");
        for role in ROLES {
            let reply = s
                .req(route.method.as_str(), &path)
                .key(s.tenant.key(role))
                .body("{}", "application/json")
                .send()
                .await;
            match route.access {
                Access::Needs(permission) if !may(role, permission) => {
                    let message = reply.error(403, "forbidden");
                    let name = format!("{permission:?}").to_lowercase();
                    assert!(
                        message.replace('_', "").contains(&name),
                        "{} {path} as {role:?}: {message}",
                        route.method
                    );
                }
                Access::Needs(_) | Access::Public => assert!(
                    ![401, 403].contains(&reply.status),
                    "{} {path} as {role:?} was refused: {}",
                    route.method,
                    reply.text()
                ),
            }
            checked += 1;
        }
        if route.access == Access::Public {
            let anonymous = s
                .req(route.method.as_str(), &path)
                .body("{}", "application/json")
                .send()
                .await;
            assert!(
                ![401, 403].contains(&anonymous.status),
                "{} {path} is public: {}",
                route.method,
                anonymous.text()
            );
        } else {
            let anonymous = s.req(route.method.as_str(), &path).send().await;
            anonymous.error(401, "unauthenticated");
        }
    }
    assert_eq!(checked, ROUTES.len() * ROLES.len());
}
