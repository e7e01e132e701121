//! Which partition a stream's events go to: FNV-1a (64 bits) of the tenant, a zero byte and
//! the stream key, modulo the partitions. Stable across processes, versions and machines,
//! unlike `DefaultHasher`, which may change between Rust releases.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The partition, in `0..partitions`, of the stream `key` of `tenant`.
pub(crate) fn partition_of(tenant: &str, key: &str, partitions: u32) -> u32 {
    let mut hash = FNV_OFFSET;
    for byte in tenant.bytes().chain([0]).chain(key.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    (hash % u64::from(partitions.max(1))) as u32
}

#[cfg(test)]
mod tests {
    use super::partition_of;

    #[test]
    fn partitions_are_stable_and_spread() {
        // Pinned values: changing the hash would send a stream's events to another partition
        // while older ones wait in the first, and break their order.
        assert_eq!(partition_of("default", "checkout/logs", 16), 0);
        assert_eq!(partition_of("acme", "checkout/logs", 16), 9);
        assert_eq!(partition_of("default", "checkout/logs", 1), 0);
        let mut counts = [0u32; 16];
        for i in 0..1_600 {
            counts[partition_of("t", &format!("svc-{i}/logs"), 16) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (60..=140).contains(&c)),
            "{counts:?}"
        );
    }
}
