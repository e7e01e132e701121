//! The evidence part of a backup: every signed bundle the tenant was given, byte for byte.

use phantom_store::{NewEvidence, Storage, Store, StoreError};

use super::format::{ManifestEvidence, Part};
use super::{RestoreReport, SkippedEvidence};
use crate::EngineError;

/// Bundles listed per query while backing up.
const PAGE: u32 = 500;

/// The tenant's evidence bundles, oldest first, and their bytes in the same order.
pub(super) async fn collect(
    store: &Store,
    tenant: &str,
) -> Result<(Vec<ManifestEvidence>, Vec<Vec<u8>>), EngineError> {
    let mut summaries = Vec::new();
    loop {
        let before = summaries
            .last()
            .map(|s: &phantom_store::EvidenceSummary| s.seq);
        let page = store.list_evidence(tenant, PAGE, before).await?;
        let full = page.len() == PAGE as usize;
        summaries.extend(page);
        if !full {
            break;
        }
    }
    summaries.reverse();
    let mut manifest = Vec::with_capacity(summaries.len());
    let mut bundles = Vec::with_capacity(summaries.len());
    for summary in summaries {
        let Some(record) = store.get_evidence(tenant, &summary.id).await? else {
            continue;
        };
        manifest.push(ManifestEvidence {
            id: summary.id,
            created_at: summary.created_at,
            query_from: summary.query_from,
            query_to: summary.query_to,
            query_stream: summary.query_stream,
            anomaly_count: summary.anomaly_count,
            bundle: Part::of(&record.bundle),
        });
        bundles.push(record.bundle);
    }
    Ok((manifest, bundles))
}

/// Stores the bundles of a backup in `tenant`. A bundle the tenant holds already (same id) is
/// left as it is: bundles never change once signed. One whose id another tenant of this
/// store holds is skipped.
pub(super) async fn restore(
    store: &Store,
    tenant: &str,
    evidence: Vec<ManifestEvidence>,
    bundles: Vec<Vec<u8>>,
    report: &mut RestoreReport,
) -> Result<(), EngineError> {
    for (entry, bundle) in evidence.into_iter().zip(bundles) {
        if store.get_evidence(tenant, &entry.id).await?.is_some() {
            continue;
        }
        let new = NewEvidence {
            id: entry.id,
            tenant: tenant.to_owned(),
            created_at: entry.created_at,
            query_from: entry.query_from,
            query_to: entry.query_to,
            query_stream: entry.query_stream,
            anomaly_count: entry.anomaly_count,
            bundle,
        };
        match store.put_evidence(&new).await {
            Ok(_) => report.evidence_restored += 1,
            Err(StoreError::Conflict { .. }) => report.skipped_evidence.push(SkippedEvidence {
                id: new.id,
                reason: "another tenant of this store holds a bundle with this id".into(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
