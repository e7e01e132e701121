//! Features of an IP address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::sink::FeatureSink;

/// IPv4 special-purpose blocks (IANA) that are neither private, loopback, link-local nor
/// multicast: "this network", shared (carrier-grade NAT), IETF protocol assignments, the three
/// documentation blocks, benchmarking, and the reserved 240/4 (with the broadcast address).
const RESERVED_V4: [([u8; 4], u32); 8] = [
    ([0, 0, 0, 0], 8),
    ([100, 64, 0, 0], 10),
    ([192, 0, 0, 0], 24),
    ([192, 0, 2, 0], 24),
    ([198, 51, 100, 0], 24),
    ([203, 0, 113, 0], 24),
    ([198, 18, 0, 0], 15),
    ([240, 0, 0, 0], 4),
];

/// IPv6 special-purpose blocks counted as reserved: unspecified, discard-only, benchmarking and
/// documentation.
const RESERVED_V6: [([u16; 8], u32); 4] = [
    ([0, 0, 0, 0, 0, 0, 0, 0], 128),
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
    ([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48),
    ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
];

/// Pushes `version` (4 or 6), `is_private` (RFC 1918; for IPv6 unique local fc00::/7),
/// `is_loopback`, `is_reserved` (see [`RESERVED_V4`] and [`RESERVED_V6`]), `is_multicast`,
/// `is_link_local` (169.254/16; fe80::/10), and for IPv4 only `octet_1` to `octet_4`. IPv6
/// addresses have no octet features, so a batch must not mix the two versions in one field.
pub(crate) fn ip_features(ip: IpAddr, field: &str, sink: &mut FeatureSink) {
    match ip {
        IpAddr::V4(v4) => {
            sink.push(field, "version", 4.0);
            sink.push_flag(field, "is_private", v4.is_private());
            sink.push_flag(field, "is_loopback", v4.is_loopback());
            sink.push_flag(field, "is_reserved", is_reserved_v4(v4));
            sink.push_flag(field, "is_multicast", v4.is_multicast());
            sink.push_flag(field, "is_link_local", v4.is_link_local());
            for (i, octet) in v4.octets().into_iter().enumerate() {
                sink.push(field, &format!("octet_{}", i + 1), f64::from(octet));
            }
        }
        IpAddr::V6(v6) => {
            sink.push(field, "version", 6.0);
            sink.push_flag(field, "is_private", v6.is_unique_local());
            sink.push_flag(field, "is_loopback", v6.is_loopback());
            sink.push_flag(field, "is_reserved", is_reserved_v6(v6));
            sink.push_flag(field, "is_multicast", v6.is_multicast());
            sink.push_flag(field, "is_link_local", v6.is_unicast_link_local());
        }
    }
}

fn is_reserved_v4(ip: Ipv4Addr) -> bool {
    let bits = ip.to_bits();
    RESERVED_V4.iter().any(|&(net, prefix)| {
        let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
        bits & mask == Ipv4Addr::from(net).to_bits() & mask
    })
}

fn is_reserved_v6(ip: Ipv6Addr) -> bool {
    let bits = ip.to_bits();
    RESERVED_V6.iter().any(|&(net, prefix)| {
        let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
        bits & mask == Ipv6Addr::from(net).to_bits() & mask
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn features(s: &str) -> Vec<(String, f64)> {
        let mut sink = FeatureSink::default();
        ip_features(s.parse().unwrap(), "ip", &mut sink);
        sink.into_pairs()
    }

    /// The flags in order: private, loopback, reserved, multicast, link-local.
    fn flags(s: &str) -> [f64; 5] {
        let f = features(s);
        [f[1].1, f[2].1, f[3].1, f[4].1, f[5].1]
    }

    #[test]
    fn ipv4_features() {
        let f = features("192.168.1.20");
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "ip.version",
                "ip.is_private",
                "ip.is_loopback",
                "ip.is_reserved",
                "ip.is_multicast",
                "ip.is_link_local",
                "ip.octet_1",
                "ip.octet_2",
                "ip.octet_3",
                "ip.octet_4"
            ]
        );
        let values: Vec<f64> = f.iter().map(|(_, v)| *v).collect();
        assert_eq!(
            values,
            [4.0, 1.0, 0.0, 0.0, 0.0, 0.0, 192.0, 168.0, 1.0, 20.0]
        );
        assert_eq!(flags("127.0.0.1"), [0.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(flags("203.0.113.9"), [0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(flags("100.127.255.255"), [0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(flags("100.128.0.0"), [0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(flags("255.255.255.255"), [0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(flags("224.0.0.251"), [0.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(flags("169.254.10.1"), [0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(flags("8.8.8.8"), [0.0; 5]);
    }

    #[test]
    fn ipv6_features_have_no_octets() {
        let f = features("fd12:3456::1");
        assert_eq!(f.len(), 6);
        assert_eq!(f[0], ("ip.version".into(), 6.0));
        assert_eq!(flags("fd12:3456::1"), [1.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(flags("::1"), [0.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(flags("::"), [0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(flags("2001:db8::7"), [0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(flags("ff02::1"), [0.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(flags("fe80::1"), [0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(flags("2606:4700::1111"), [0.0; 5]);
    }

    proptest! {
        #[test]
        fn every_address_round_trips_and_has_binary_flags(bits in any::<u32>(), bits6 in any::<u128>()) {
            for ip in [IpAddr::V4(Ipv4Addr::from_bits(bits)), IpAddr::V6(Ipv6Addr::from_bits(bits6))] {
                prop_assert_eq!(ip.to_string().parse::<IpAddr>().unwrap(), ip);
                let mut sink = FeatureSink::default();
                ip_features(ip, "ip", &mut sink);
                for (name, value) in sink.into_pairs() {
                    if name.contains(".is_") {
                        prop_assert!(value == 0.0 || value == 1.0);
                    }
                }
            }
        }
    }
}
