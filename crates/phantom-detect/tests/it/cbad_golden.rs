//! The log detector's verdicts on a generated stream, pinned bit for bit: every window that was
//! tested by permutation (its range, score, p-value and verdict) and a SHA-256 of every verdict
//! as JSON (`serde_json` writes each float so that it reads back to the same bits). The figures
//! were computed by the detector before its token profiles were kept as token ids; a change
//! that moves any measure, score or p-value of any window fails here.

use phantom_detect::text::{
    CbadSettings, EventRange, LogDetector, Measures, Preset, WindowVerdict,
};
use sha2::{Digest, Sha256};

/// A deterministic 64-bit mix of `i` (splitmix64's finaliser).
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Ordinary traffic: five templates with timestamps, ids, addresses and numbers, and a few
/// words that are not normalised away (paths, users, nodes).
fn normal(i: usize, h: u64) -> String {
    let pick = |shift: u32, n: u64| ((h >> shift) % n) as usize;
    let ts = format!(
        "2026-11-22T05:{:02}:{:02}.{:03}Z",
        i / 60_000 % 60,
        i / 1000 % 60,
        i % 1000
    );
    let ip = format!("10.{}.{}.{}", pick(8, 4), pick(16, 256), pick(24, 256));
    match pick(32, 10) {
        0..=4 => format!(
            "{ts} INFO http request method=GET path=/api/{} status=200 took_ms={} client={ip} request_id={:016x}",
            ["orders", "users", "cart", "search", "items"][pick(40, 5)],
            pick(20, 300),
            h
        ),
        5 | 6 => format!(
            "{ts} INFO db query table={} rows={} pool=primary",
            ["orders", "users", "sessions"][pick(40, 3)],
            pick(12, 500)
        ),
        7 => format!(
            "{ts} WARN cache miss key=user:{}:profile node=cache-{}",
            pick(12, 1_000_000),
            ["a", "b", "c"][pick(20, 3)]
        ),
        8 => format!(
            "{ts} INFO auth login user={} result=success client={ip}",
            ["ann", "bob", "cy", "dee", "eve", "fay"][pick(12, 6)]
        ),
        _ => format!(
            "{ts} DEBUG scheduler tick queue={} lag_ms={}",
            pick(44, 4),
            pick(12, 20)
        ),
    }
}

/// Event `i` of the stream: normal traffic with four incidents of different kinds.
fn event(i: usize) -> String {
    let h = mix(i as u64);
    match i {
        // A new error template among the usual lines.
        2_000..2_150 if h.is_multiple_of(3) => format!(
            "2026-11-22T06:00:{:02}Z ERROR payment gateway timeout after {} ms; retry {} of 3",
            i % 60,
            h % 5_000,
            h % 3
        ),
        // A burst of one template.
        3_500..3_700 => normal(i, h & !(0xF << 32)).replace("http request", "db query"),
        // The cache and auth services fall silent.
        5_000..5_300 => normal(i, h & !(0xF << 32) | (1 << 32)),
        // The format changes to JSON.
        6_500..6_700 => {
            let line = normal(i, h);
            let fields: Vec<String> = line
                .split(' ')
                .map(|w| match w.split_once('=') {
                    Some((k, v)) => format!("\"{k}\": \"{v}\""),
                    None => format!("\"{w}\""),
                })
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        _ => normal(i, h),
    }
}

/// Every verdict on the stream's first `events` events (and the last window's) at `preset`.
fn verdicts(preset: Preset, events: usize) -> Vec<WindowVerdict> {
    let mut d = LogDetector::new(CbadSettings {
        seed: 7,
        ..CbadSettings::preset(preset)
    })
    .unwrap();
    let mut out: Vec<WindowVerdict> = (0..events)
        .filter_map(|i| d.push(&event(i)).unwrap())
        .collect();
    out.extend(d.finish().unwrap());
    out
}

/// A tested window: first and last event, score and p-value as bits, whether an anomaly.
type Tested = (u64, u64, u64, u64, bool);

fn tested(verdicts: &[WindowVerdict]) -> Vec<Tested> {
    verdicts
        .iter()
        .filter_map(|v| {
            let p = v.decision.p_value?;
            Some((
                v.window.first,
                v.window.last,
                v.score.to_bits(),
                p.to_bits(),
                v.is_anomaly,
            ))
        })
        .collect()
}

fn digest(verdicts: &[WindowVerdict]) -> String {
    Sha256::digest(serde_json::to_vec(verdicts).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tested windows at the sensitive preset.
const SENSITIVE_TESTED: &[Tested] = &[
    (2000, 2049, 0x403459e3bfe8663b, 0x3f847ae147ae147b, true), // score 20.351131433714027, p 0.01
    (2050, 2099, 0x403b81c0854cf71c, 0x3f847ae147ae147b, true), // score 27.50684388283763, p 0.01
    (2100, 2149, 0x403d813d27393d88, 0x3f847ae147ae147b, true), // score 29.504839374041268, p 0.01
    (2200, 2249, 0x4032994535b5ca9e, 0x3f847ae147ae147b, true), // score 18.59871230781811, p 0.01
    (2250, 2299, 0x40314211a8199d8e, 0x3f847ae147ae147b, true), // score 17.258081918958446, p 0.01
    (2300, 2349, 0x403210d70a870af5, 0x3f847ae147ae147b, true), // score 18.065781267136988, p 0.01
    (2350, 2399, 0x4032339c9d29561b, 0x3f847ae147ae147b, true), // score 18.20160848864735, p 0.01
    (2400, 2449, 0x4030f7e8d3a5af3a, 0x3f847ae147ae147b, true), // score 16.96839640421897, p 0.01
    (2450, 2499, 0x4031a5822367fbcf, 0x3f847ae147ae147b, true), // score 17.646517002951267, p 0.01
    (2500, 2549, 0x4031fc5f1630e9d9, 0x3f847ae147ae147b, true), // score 17.985825907651677, p 0.01
    (2550, 2599, 0x403203f36625962d, 0x3f847ae147ae147b, true), // score 18.015432724167272, p 0.01
    (2600, 2649, 0x403234a8dfd26595, 0x3f847ae147ae147b, true), // score 18.20570181738511, p 0.01
    (2650, 2699, 0x40320fcbfd98fcf3, 0x3f847ae147ae147b, true), // score 18.06170639977513, p 0.01
    (2700, 2749, 0x40322ff6606957a4, 0x3f847ae147ae147b, true), // score 18.1873531586822, p 0.01
    (2750, 2799, 0x4031501073f587c1, 0x3f847ae147ae147b, true), // score 17.312751052326124, p 0.01
    (3500, 3549, 0x402c11d5afaf165f, 0x3f847ae147ae147b, true), // score 14.034833421824429, p 0.01
    (3550, 3599, 0x402c4ac84ca928bc, 0x3f847ae147ae147b, true), // score 14.146059413575465, p 0.01
    (3600, 3649, 0x402a9db421063ba9, 0x3f847ae147ae147b, true), // score 13.308014900217886, p 0.01
    (3650, 3699, 0x402b73bdc5ed5688, 0x3f847ae147ae147b, true), // score 13.726057229253698, p 0.01
    (3750, 3799, 0x401875ed2688ec4c, 0x3f847ae147ae147b, true), // score 6.115162469966048, p 0.01
    (3800, 3849, 0x401407b7fbae08e8, 0x3f847ae147ae147b, true), // score 5.007537777421227, p 0.01
    (3850, 3899, 0x401e7108f19ad6b9, 0x3f847ae147ae147b, true), // score 7.610385680270775, p 0.01
    (3900, 3949, 0x40154099740351ce, 0x3f847ae147ae147b, true), // score 5.313085377409562, p 0.01
    (3950, 3999, 0x401a099ead9373b2, 0x3f847ae147ae147b, true), // score 6.5093943711516875, p 0.01
    (4000, 4049, 0x40207163b350a6bc, 0x3f847ae147ae147b, true), // score 8.221463779063349, p 0.01
    (4050, 4099, 0x4019135dd51bb278, 0x3f847ae147ae147b, true), // score 6.268912629905223, p 0.01
    (4100, 4149, 0x401c514ffdd84b02, 0x3f847ae147ae147b, true), // score 7.079406706167676, p 0.01
    (4150, 4199, 0x4019c195fc4c39c2, 0x3f847ae147ae147b, true), // score 6.439048711922114, p 0.01
    (4200, 4249, 0x401c1fded0745e05, 0x3f847ae147ae147b, true), // score 7.031123406507963, p 0.01
    (4250, 4299, 0x4024b863942da48b, 0x3f847ae147ae147b, true), // score 10.360134726115822, p 0.01
    (4300, 4349, 0x401acd648e8fddf6, 0x3f847ae147ae147b, true), // score 6.700578906565616, p 0.01
    (5000, 5049, 0x401618557fa27d22, 0x3f847ae147ae147b, true), // score 5.523763651173143, p 0.01
    (5050, 5099, 0x4006d587de5cf994, 0x3f947ae147ae147b, true), // score 2.8542630550502484, p 0.02
    (5100, 5149, 0x4012118919c3f8f8, 0x3f847ae147ae147b, true), // score 4.517124559961523, p 0.01
    (5200, 5249, 0x4007efec0cb600bb, 0x3fa47ae147ae147b, true), // score 2.992149447731291, p 0.04
    (5300, 5349, 0x400b2cf2d111bc92, 0x3fa999999999999a, true), // score 3.3969475110566885, p 0.05
    (5350, 5399, 0x400a5db11ffacd9c, 0x3fb1745d1745d174, false), // score 3.295747995225339, p 0.06818181818181818
    (6500, 6549, 0x40571c58d0bec8d6, 0x3f847ae147ae147b, true),  // score 92.44292086249638, p 0.01
    (6550, 6599, 0x40571c58d0bec8d4, 0x3f847ae147ae147b, true),  // score 92.44292086249635, p 0.01
    (6600, 6649, 0x40571c58d0bec8d5, 0x3f847ae147ae147b, true),  // score 92.44292086249636, p 0.01
    (6650, 6699, 0x40571c58d0bec8d6, 0x3f847ae147ae147b, true),  // score 92.44292086249638, p 0.01
    (6750, 6799, 0x40503c82f67746d4, 0x3f847ae147ae147b, true),  // score 64.94549333236802, p 0.01
    (6800, 6849, 0x405039402c620ce2, 0x3f847ae147ae147b, true),  // score 64.89454183173396, p 0.01
    (6850, 6899, 0x40506a2c75a6b14d, 0x3f847ae147ae147b, true),  // score 65.65896359709332, p 0.01
    (6900, 6949, 0x40504e56922febe0, 0x3f847ae147ae147b, true),  // score 65.22403387718032, p 0.01
    (6950, 6999, 0x40503a8506cc63fb, 0x3f847ae147ae147b, true),  // score 64.91436929664626, p 0.01
    (7000, 7049, 0x405019c256cffc9c, 0x3f847ae147ae147b, true),  // score 64.40248651801306, p 0.01
    (7050, 7099, 0x4050c9ae43d25d3e, 0x3f847ae147ae147b, true),  // score 67.15126128714925, p 0.01
    (7100, 7149, 0x405081686935ebb6, 0x3f847ae147ae147b, true),  // score 66.02199774041841, p 0.01
    (7150, 7199, 0x40509f16557f1d6a, 0x3f847ae147ae147b, true),  // score 66.4857381574017, p 0.01
    (7200, 7249, 0x4050659c3b8a3199, 0x3f847ae147ae147b, true),  // score 65.58766067977412, p 0.01
    (7250, 7299, 0x40502c868234987d, 0x3f847ae147ae147b, true),  // score 64.6957097543363, p 0.01
    (7300, 7349, 0x4050375e8fc379b0, 0x3f847ae147ae147b, true),  // score 64.86514658059491, p 0.01
];

/// The tested windows at the balanced preset.
const BALANCED_TESTED: &[Tested] = &[
    (2000, 2099, 0x404d5d1d9824cb73, 0x3f747ae147ae147b, true), // score 58.727465646711515, p 0.005
    (2100, 2199, 0x404211ee7d105101, 0x3f747ae147ae147b, true), // score 36.14009059235287, p 0.005
    (2400, 2499, 0x40306337748f7040, 0x3f747ae147ae147b, true), // score 16.387564930934104, p 0.005
    (2500, 2599, 0x40324485fb7bdc9f, 0x3f747ae147ae147b, true), // score 18.267669408549974, p 0.005
    (2600, 2699, 0x4031b9a1ab1dda81, 0x3f747ae147ae147b, true), // score 17.725123114384136, p 0.005
    (2700, 2799, 0x40302e6ff7a423ea, 0x3f747ae147ae147b, true), // score 16.181395986150086, p 0.005
    (2800, 2899, 0x403075651953c302, 0x3f747ae147ae147b, true), // score 16.458573897313734, p 0.005
    (2900, 2999, 0x4030430fef2b4873, 0x3f747ae147ae147b, true), // score 16.26196188742365, p 0.005
    (3000, 3099, 0x40334b10061a1d70, 0x3f747ae147ae147b, true), // score 19.29321325433324, p 0.005
    (3100, 3199, 0x4031fe62ffe0fcb8, 0x3f747ae147ae147b, true), // score 17.993698112896453, p 0.005
    (3200, 3299, 0x4031020373df9b95, 0x3f747ae147ae147b, true), // score 17.00786518296407, p 0.005
    (3300, 3399, 0x403142eae8b816bc, 0x3f747ae147ae147b, true), // score 17.261396927779728, p 0.005
    (3400, 3499, 0x4030d50a9f748e76, 0x3f747ae147ae147b, true), // score 16.832193342167066, p 0.005
    (3500, 3599, 0x40460041d36d9626, 0x3f747ae147ae147b, true), // score 44.00200884676842, p 0.005
    (3600, 3699, 0x4033a920d0983301, 0x3f747ae147ae147b, true), // score 19.66065696445276, p 0.005
    (5000, 5099, 0x4011fff5ab6a0050, 0x3f747ae147ae147b, true), // score 4.499960592598725, p 0.005
    (5100, 5199, 0x4012497d71e54f88, 0x3f747ae147ae147b, true), // score 4.571767596837056, p 0.005
    (5200, 5299, 0x401dda55a664c920, 0x3f747ae147ae147b, true), // score 7.463217353726833, p 0.005
    (6500, 6599, 0x4060124b998989b4, 0x3f747ae147ae147b, true), // score 128.571728485707, p 0.005
    (6600, 6699, 0x4060124b998989b4, 0x3f747ae147ae147b, true), // score 128.571728485707, p 0.005
    (6800, 6899, 0x4049b9805a4f41a4, 0x3f747ae147ae147b, true), // score 51.4492295157427, p 0.005
    (6900, 6999, 0x4049de505a30be71, 0x3f747ae147ae147b, true), // score 51.73682715778421, p 0.005
    (7000, 7099, 0x4049b75a10f3bfe7, 0x3f747ae147ae147b, true), // score 51.432436102884644, p 0.005
    (7100, 7199, 0x404aa8ee6f6e0990, 0x3f747ae147ae147b, true), // score 53.319776467065026, p 0.005
    (7200, 7299, 0x4049b1faabd73c96, 0x3f747ae147ae147b, true), // score 51.390462379547145, p 0.005
    (7300, 7399, 0x4049a6862dab9183, 0x3f747ae147ae147b, true), // score 51.300969799779544, p 0.005
    (7400, 7499, 0x4049d0d3c0f1a668, 0x3f747ae147ae147b, true), // score 51.63146220969503, p 0.005
    (7500, 7599, 0x4049dbca9efdbff6, 0x3f747ae147ae147b, true), // score 51.71712100401048, p 0.005
    (7600, 7699, 0x4049f158e92bfe46, 0x3f747ae147ae147b, true), // score 51.88552584312542, p 0.005
    (7700, 7799, 0x4049e036131bf63a, 0x3f747ae147ae147b, true), // score 51.75165022721599, p 0.005
    (7800, 7899, 0x404a2445f66b3d5e, 0x3f747ae147ae147b, true), // score 52.28338508831324, p 0.005
    (7900, 7999, 0x404a15653c0d8003, 0x3f747ae147ae147b, true), // score 52.16715193423445, p 0.005
];

/// Events in the stream: the incidents and the windows after them.
const EVENTS: usize = 8_000;

/// Checks the verdicts at `preset` against the golden set.
fn check(preset: Preset, windows: usize, expected: &[Tested], expected_digest: &str) {
    let v = verdicts(preset, EVENTS);
    assert_eq!(v.len(), windows);
    let got = tested(&v);
    for (g, e) in got.iter().zip(expected) {
        assert_eq!(
            g,
            e,
            "window {}..={}: score {} p {}, expected score {} p {}",
            g.0,
            g.1,
            f64::from_bits(g.2),
            f64::from_bits(g.3),
            f64::from_bits(e.2),
            f64::from_bits(e.3)
        );
    }
    assert_eq!(got.len(), expected.len());
    assert_eq!(digest(&v), expected_digest);
}

#[test]
fn sensitive_verdicts_are_the_golden_ones() {
    check(
        Preset::Sensitive,
        156,
        SENSITIVE_TESTED,
        "888c2c3af7e8602234fb2bdb3f3078b0a215c0ce80fb78a1a68ef0944b80afa7",
    );
}

#[test]
fn balanced_verdicts_are_the_golden_ones() {
    check(
        Preset::Balanced,
        76,
        BALANCED_TESTED,
        "e5830b708b6b065a536e89e1eb05eb4ee1321fbdea91c2e39d4b0a4e80bc52ea",
    );
}

/// What a window's verdict holds that does not depend on the history of earlier windows'
/// measures: its ranges, its measures (bit for bit), its p-value and whether it is an anomaly.
type Measured = (EventRange, EventRange, Measures, Option<f64>, bool);

fn measured(verdicts: &[WindowVerdict]) -> Vec<Measured> {
    verdicts
        .iter()
        .map(|v| {
            (
                v.baseline.clone(),
                v.window.clone(),
                v.measures.clone(),
                v.decision.p_value,
                v.is_anomaly,
            )
        })
        .collect()
}

/// A detector restored from its saved state measures every later window as one that never
/// stopped. The histories of earlier measures go through JSON, which reads some floats back one
/// unit in the last place off (`serde_json` without `float_roundtrip`), so z-scores and scores
/// are left out of the comparison.
#[test]
fn a_restored_detector_measures_every_window_the_same() {
    let settings = CbadSettings {
        seed: 7,
        ..CbadSettings::preset(Preset::Balanced)
    };
    let expected = verdicts(Preset::Balanced, EVENTS);
    let mut first = LogDetector::new(settings).unwrap();
    let mut got: Vec<WindowVerdict> = (0..3_333)
        .filter_map(|i| first.push(&event(i)).unwrap())
        .collect();
    let saved = serde_json::to_string(&first).unwrap();
    let mut resumed: LogDetector = serde_json::from_str(&saved).unwrap();
    got.extend((3_333..EVENTS).filter_map(|i| resumed.push(&event(i)).unwrap()));
    got.extend(resumed.finish().unwrap());
    assert_eq!(measured(&got), measured(&expected));
}
