//! `phantom admin`: tenants, users, API keys and the audit log, straight on the store (the
//! data directory or a database), for the operator of the machine. Every change made here
//! is written to the audit log with the actor `cli:<login name>`.

mod password;
mod tables;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use phantom_engine::auth::{AuditEvent, AuditQuery, AuditResult, Quotas, Role};
use phantom_engine::{Engine, EngineError};

use super::output;

/// Arguments of `phantom admin`.
#[derive(Args)]
#[command(after_help = "Examples:
  phantom admin tenants create acme --max-models 50 --max-stored-rows 1000000 --max-streams 5000
  phantom admin tenants list
  printf '%s\\n' \"$PASSWORD\" | phantom admin users create ann --role developer --tenant acme --password-stdin
  phantom admin users list --tenant acme
  phantom admin keys create ci-deploy --role developer --tenant acme --expires-in-days 90 --rate-limit 50
  phantom admin keys list --tenant acme
  phantom admin keys revoke 0193f1d2-... --tenant acme
  phantom admin audit --tenant acme --limit 20

Roles: admin (everything in its tenant), developer (models, data, predictions), viewer (read
and predict), auditor (the audit log only). The store is chosen as for `phantom models`:
--database-url / --data-dir, then PHANTOM_DATABASE_URL / PHANTOM_DATA_DIR, then --config.")]
pub struct AdminArgs {
    #[command(flatten)]
    store: super::StoreFlags,
    /// The tenant whose users, keys or audit log to manage.
    #[arg(long, value_name = "NAME", default_value = phantom_engine::TENANT_DEFAULT, global = true)]
    tenant: String,
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// List or create tenants.
    #[command(subcommand)]
    Tenants(TenantAction),
    /// List, create or delete the tenant's users.
    #[command(subcommand)]
    Users(UserAction),
    /// List, create or revoke the tenant's API keys.
    #[command(subcommand)]
    Keys(KeyAction),
    /// Show the tenant's audit log, newest first.
    Audit {
        /// At most this many records (1 to 10000).
        #[arg(long, value_name = "N", default_value_t = phantom_engine::auth::DEFAULT_AUDIT_LIMIT)]
        limit: u32,
        /// Only records of this actor (user name, key id, or cli:<name>).
        #[arg(long, value_name = "ACTOR")]
        actor: Option<String>,
        /// Only records of this action, e.g. models.create.
        #[arg(long, value_name = "ACTION")]
        action: Option<String>,
        /// Only records with this result: success, denied or failed.
        #[arg(long, value_name = "RESULT", value_parser = parse_result)]
        result: Option<AuditResult>,
    },
}

#[derive(Subcommand)]
enum TenantAction {
    /// List every tenant with its quotas.
    List,
    /// Create a tenant.
    Create {
        /// Its name: letters, digits, '.', '_', '-'.
        name: String,
        /// Most models it may hold (default: no limit).
        #[arg(long, value_name = "N")]
        max_models: Option<u64>,
        /// Most logged predictions it may keep; beyond, predictions are answered but not
        /// logged (default: no limit).
        #[arg(long, value_name = "N")]
        max_stored_rows: Option<u64>,
        /// Most telemetry streams it may hold; beyond, the events of new streams are refused
        /// (default: no limit).
        #[arg(long, value_name = "N")]
        max_streams: Option<u64>,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// List the tenant's users.
    List,
    /// Create a user. The password (at least 12 characters) is read from stdin with
    /// --password-stdin, else asked for on the terminal; it is never a flag.
    Create {
        /// The user name: letters, digits, '.', '_', '-', '@'.
        username: String,
        /// admin, developer, viewer or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete a user; its login tokens stop working at once.
    Delete {
        /// The user name.
        username: String,
    },
}

#[derive(Subcommand)]
enum KeyAction {
    /// List the tenant's API keys (never their secrets).
    List,
    /// Create an API key and print it, once: only its hash is stored.
    Create {
        /// A name that says what the key is for.
        name: String,
        /// admin, developer, viewer or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Make the key stop working after this many days (default: never).
        #[arg(long, value_name = "N")]
        expires_in_days: Option<u32>,
        /// Requests per second allowed (default: the server's default).
        #[arg(long, value_name = "N")]
        rate_limit: Option<u32>,
    },
    /// Revoke an API key by id: it stops working at once on every server sharing the store.
    Revoke {
        /// The key's id (see `phantom admin keys list`).
        id: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse().map_err(|e: EngineError| e.to_string())
}

fn parse_result(s: &str) -> Result<AuditResult, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|_| format!("'{s}' is not a result; expected success, denied or failed"))
}

/// Runs `phantom admin`.
pub fn run(args: &AdminArgs) -> Result<()> {
    super::with_engine(&args.store, async |engine| act(engine, args).await)
}

async fn act(engine: &Engine, args: &AdminArgs) -> Result<()> {
    let t = args.tenant.as_str();
    let json = args.store.json;
    match &args.action {
        Action::Tenants(TenantAction::List) => {
            let tenants = engine.list_tenants().await?;
            output(json, &tenants, || tables::tenants(&tenants))
        }
        Action::Tenants(TenantAction::Create {
            name,
            max_models,
            max_stored_rows,
            max_streams,
        }) => {
            let quotas = Quotas {
                max_models: *max_models,
                max_stored_rows: *max_stored_rows,
                max_streams: *max_streams,
            };
            let created = engine.create_tenant(name, quotas).await;
            audit(
                engine,
                name,
                "tenants.create",
                &format!("tenants/{name}"),
                &created,
            )
            .await?;
            let created = created?;
            output(json, &created, || format!("created tenant {name}\n"))
        }
        Action::Users(UserAction::List) => {
            let users = engine.list_users(t).await?;
            output(json, &users, || tables::users(&users))
        }
        Action::Users(UserAction::Create {
            username,
            role,
            password_stdin,
        }) => {
            let password = password::read(username, *password_stdin)?;
            let created = engine.create_user(t, username, &password, *role).await;
            audit(
                engine,
                t,
                "users.create",
                &format!("users/{username}"),
                &created,
            )
            .await?;
            let created = created?;
            output(json, &created, || {
                format!("created user {username} ({role}) in tenant {t}\n")
            })
        }
        Action::Users(UserAction::Delete { username }) => {
            let deleted = engine.delete_user(t, username).await;
            audit(
                engine,
                t,
                "users.delete",
                &format!("users/{username}"),
                &deleted,
            )
            .await?;
            deleted?;
            let done = serde_json::json!({"deleted": username, "tenant": t});
            output(json, &done, || {
                format!("deleted user {username} of tenant {t}\n")
            })
        }
        Action::Keys(KeyAction::List) => {
            let keys = engine.list_api_keys(t).await?;
            output(json, &keys, || tables::keys(&keys, now_ms()))
        }
        Action::Keys(KeyAction::Create {
            name,
            role,
            expires_in_days,
            rate_limit,
        }) => {
            let expires_at =
                expires_in_days.map(|d| now_ms().saturating_add(i64::from(d) * 86_400_000));
            let created = engine
                .create_api_key(t, name, *role, expires_at, *rate_limit)
                .await;
            let resource = created.as_ref().map_or_else(
                |_| format!("keys/{name}"),
                |k| format!("keys/{}", k.info.id),
            );
            audit(engine, t, "keys.create", &resource, &created).await?;
            let created = created?;
            if !json {
                eprintln!(
                    "created API key '{name}' (id {}) with role {role} in tenant {t}; this is the only time it is shown, store it now:",
                    created.info.id
                );
            }
            output(json, &created, || format!("{}\n", created.key))
        }
        Action::Keys(KeyAction::Revoke { id }) => {
            let revoked = engine.revoke_api_key(t, id).await;
            audit(engine, t, "keys.revoke", &format!("keys/{id}"), &revoked).await?;
            let revoked = revoked?;
            output(json, &revoked, || {
                format!("revoked API key {} ({}) of tenant {t}\n", revoked.name, id)
            })
        }
        Action::Audit {
            limit,
            actor,
            action,
            result,
        } => {
            let query = AuditQuery {
                limit: Some(*limit),
                actor: actor.clone(),
                action: action.clone(),
                result: *result,
                ..AuditQuery::default()
            };
            let events = engine.audit_log(t, &query).await?;
            output(json, &events, || tables::audit(&events))
        }
    }
}

/// Writes the outcome of a change to the audit log. A change that cannot be audited is an
/// error, even though it was made.
async fn audit<T>(
    engine: &Engine,
    tenant: &str,
    action: &str,
    resource: &str,
    outcome: &Result<T, EngineError>,
) -> Result<()> {
    let at = now_ms();
    let (result, detail) = match outcome {
        Ok(_) => (AuditResult::Success, None),
        Err(e) => (AuditResult::Failed, Some(e.to_string())),
    };
    engine
        .record_audit(AuditEvent {
            tenant: tenant.to_owned(),
            actor: format!("cli:{}", login_name()),
            action: action.to_owned(),
            resource: resource.to_owned(),
            result,
            request_id: format!("cli-{}-{at}", std::process::id()),
            at,
            source: None,
            detail,
        })
        .await
        .with_context(|| format!("{action} could not be written to the audit log"))
}

/// Who runs the command: the login name the environment gives, else the user id.
fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(user_id)
}

#[cfg(unix)]
fn user_id() -> String {
    // SAFETY: getuid has no preconditions and cannot fail.
    format!("uid-{}", unsafe { libc::getuid() })
}

#[cfg(not(unix))]
fn user_id() -> String {
    "unknown".to_owned()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
