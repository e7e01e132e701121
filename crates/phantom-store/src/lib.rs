//! Persistence for Phantom: one [`Storage`] contract, two backends that pass one conformance
//! suite, and [`Store`], the backend chosen at start-up.
//!
//! - [`SqliteStore`]: embedded, in `phantom.db` inside the data directory (WAL, `synchronous=FULL`).
//! - [`PostgresStore`]: a connection pool, with LISTEN/NOTIFY so that every engine sharing the
//!   database hears about activations and deletions.
//!
//! Besides models, the store keeps training jobs and the access records: tenants, users, API
//! keys, an append-only audit log and shared settings; telemetry streams (detector settings
//! and state) with the anomalies found in them; and the signed evidence bundles handed out,
//! byte for byte.
//!
//! Versioned migrations run when a store opens. Artifacts and evidence bundles are stored with
//! their SHA-256 and checked on every read.
//!
//! ```no_run
//! use phantom_store::{Storage, Store, StoreLocation};
//! # async fn demo() -> Result<(), phantom_store::StoreError> {
//! let store = Store::open(&StoreLocation::DataDir("./data".into())).await?;
//! let models = store.list_models("default").await?;
//! # Ok(()) }
//! ```

mod checksum;
mod codec;
mod error;
mod evidence_records;
mod evidence_rows;
mod migrations;
mod postgres;
mod records;
mod rows;
mod sqlite;
mod storage;
mod store;
mod stream_records;
mod stream_rows;

pub use checksum::sha256_hex;
pub use error::{StoreError, redact_url};
pub use evidence_records::{EvidenceRecord, EvidenceSummary, NewEvidence};
pub use postgres::PostgresStore;
pub use records::{
    ApiKeyRecord, AuditFilter, AuditRecord, InferenceQuery, InferenceRecord, JobRecord, Millis,
    ModelEvent, ModelRecord, ModelStatus, NewVersion, TenantRecord, UserRecord, VersionRecord,
    VersionSummary,
};
pub use sqlite::SqliteStore;
pub use storage::{Storage, StoreLocation};
pub use store::Store;
pub use stream_records::{AnomalyFilter, AnomalyRecord, StreamRecord};
