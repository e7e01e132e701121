//! RFC 8785 canonical JSON, checked on the RFC's own examples.

use phantom_evidence::canonical_json;
use serde_json::{Value, json};

fn canonical_text(json_text: &str) -> String {
    let value: Value = serde_json::from_str(json_text).expect("valid JSON");
    String::from_utf8(canonical_json(&value)).expect("UTF-8")
}

/// RFC 8785 section 3.2.2: numbers, string escapes, literals and key order.
#[test]
fn rfc8785_sample() {
    let input = r#"{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"#;
    assert_eq!(
        canonical_text(input),
        r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
    );
}

/// RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so the emoji (a surrogate pair,
/// D83D DE00) sorts before U+FB33, unlike in UTF-8 or code point order.
#[test]
fn rfc8785_key_order() {
    let input = r#"{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"#;
    let value: Value = serde_json::from_str(input).expect("valid JSON");
    let canonical: Value = serde_json::from_slice(&canonical_json(&value)).expect("JSON");
    let text = String::from_utf8(canonical_json(&value)).expect("UTF-8");
    let order: Vec<usize> = [
        "\\r",
        "1",
        "\u{80}",
        "\u{f6}",
        "\u{20ac}",
        "\u{1f600}",
        "\u{fb33}",
    ]
    .iter()
    .map(|key| text.find(&format!("\"{key}\"")).expect("key present"))
    .collect();
    assert!(order.is_sorted(), "{text}");
    assert_eq!(canonical, value);
}

#[test]
fn layout_and_member_order_do_not_matter() {
    let a = canonical_text("{\n  \"b\": [1, 2.0, {\"y\": 1, \"x\": 2}],\n  \"a\": \"t\"\n}");
    let b = canonical_text(r#"{"a":"t","b":[1,2,{"x":2,"y":1}]}"#);
    assert_eq!(a, b);
    assert_eq!(a, r#"{"a":"t","b":[1,2,{"x":2,"y":1}]}"#);
}

#[test]
fn control_characters_use_the_short_escapes_or_lowercase_hex() {
    let value = json!({"s": "\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}\u{2028}"});
    assert_eq!(
        String::from_utf8(canonical_json(&value)).expect("UTF-8"),
        "{\"s\":\"\\b\\f\\n\\r\\t\\u0001\\u001f\u{7f}\u{2028}\"}"
    );
}

#[test]
fn large_integers_are_written_as_the_double_javascript_reads() {
    assert_eq!(canonical_text("[9007199254740993]"), "[9007199254740992]");
    assert_eq!(
        canonical_text("[18446744073709551615]"),
        "[18446744073709552000]"
    );
    assert_eq!(canonical_text("[-0.0, 1e21, 1e-7]"), "[0,1e+21,1e-7]");
}
