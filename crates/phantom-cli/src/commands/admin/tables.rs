//! The text tables of `phantom admin`.

use phantom_engine::auth::{ApiKeyInfo, AuditEvent, TenantInfo, UserInfo};

use phantom_engine::time::format_utc;

use crate::table_output::TextTable;

fn limit(v: Option<u64>) -> String {
    v.map_or("-".into(), |n| n.to_string())
}

/// Tenants: name, creation, quotas.
pub fn tenants(tenants: &[TenantInfo]) -> String {
    if tenants.is_empty() {
        return "no tenants\n".to_owned();
    }
    let mut table = TextTable::new(&[
        "NAME",
        "CREATED",
        "MAX MODELS",
        "MAX STORED ROWS",
        "MAX STREAMS",
    ]);
    for t in tenants {
        table.row(vec![
            t.name.clone(),
            format_utc(t.created_at),
            limit(t.quotas.max_models),
            limit(t.quotas.max_stored_rows),
            limit(t.quotas.max_streams),
        ]);
    }
    table.render()
}

/// Users: name, role, creation.
pub fn users(users: &[UserInfo]) -> String {
    if users.is_empty() {
        return "no users\n".to_owned();
    }
    let mut table = TextTable::new(&["USERNAME", "ROLE", "CREATED"]);
    for u in users {
        table.row(vec![
            u.username.clone(),
            u.role.to_string(),
            format_utc(u.created_at),
        ]);
    }
    table.render()
}

/// API keys with their state at `now`.
pub fn keys(keys: &[ApiKeyInfo], now: i64) -> String {
    if keys.is_empty() {
        return "no API keys\n".to_owned();
    }
    let mut table = TextTable::new(&[
        "ID",
        "PREFIX",
        "NAME",
        "ROLE",
        "STATE",
        "CREATED",
        "EXPIRES",
        "RATE LIMIT",
    ]);
    for k in keys {
        let state = if k.revoked_at.is_some() {
            "revoked"
        } else if k.expires_at.is_some_and(|at| at <= now) {
            "expired"
        } else {
            "active"
        };
        table.row(vec![
            k.id.clone(),
            k.prefix.clone(),
            k.name.clone(),
            k.role.to_string(),
            state.to_owned(),
            format_utc(k.created_at),
            k.expires_at.map_or("never".into(), format_utc),
            k.rate_limit_per_second
                .map_or("default".into(), |r| format!("{r}/s")),
        ]);
    }
    table.render()
}

/// Audit records, newest first as given.
pub fn audit(events: &[AuditEvent]) -> String {
    if events.is_empty() {
        return "no audit records\n".to_owned();
    }
    let mut table = TextTable::new(&[
        "AT", "ACTOR", "ACTION", "RESOURCE", "RESULT", "REQUEST", "SOURCE", "DETAIL",
    ]);
    for e in events {
        table.row(vec![
            format_utc(e.at),
            e.actor.clone(),
            e.action.clone(),
            e.resource.clone(),
            e.result.as_str().to_owned(),
            e.request_id.clone(),
            e.source.clone().unwrap_or_else(|| "-".into()),
            e.detail.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    table.render()
}
