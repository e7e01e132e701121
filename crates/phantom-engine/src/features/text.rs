//! Features of free text.

use std::collections::HashSet;

use super::entropy::shannon_entropy;
use super::options::Keyword;
use super::scan;
use super::sink::FeatureSink;

/// Pushes, in this order: `length` (characters), `word_count` (whitespace-separated),
/// `char_diversity` (distinct characters / length), `digit_ratio`, `upper_ratio`,
/// `special_ratio` (neither alphanumeric nor whitespace; all ratios of the length, 0 for empty
/// text, with Unicode's notions of numeric, upper case and alphanumeric), `entropy` (Shannon, bits per character), `url_count`, `ipv4_count`, `ipv6_count`,
/// `email_count`, `hex_blob_count`, `base64_blob_count` (see the scanners in `scan`), then
/// `keyword.<name>` for each suspicious keyword (case-insensitive, non-overlapping
/// occurrences) and `keyword_total`, their sum.
pub(crate) fn text_features(text: &str, keywords: &[Keyword], field: &str, sink: &mut FeatureSink) {
    let mut length = 0usize;
    let (mut digits, mut upper, mut special) = (0usize, 0usize, 0usize);
    let mut distinct = HashSet::new();
    for c in text.chars() {
        length += 1;
        distinct.insert(c);
        digits += usize::from(c.is_numeric());
        upper += usize::from(c.is_uppercase());
        special += usize::from(!c.is_alphanumeric() && !c.is_whitespace());
    }
    let ratio = |count: usize| {
        if length == 0 {
            0.0
        } else {
            count as f64 / length as f64
        }
    };
    sink.push(field, "length", length as f64);
    sink.push(field, "word_count", text.split_whitespace().count() as f64);
    sink.push(field, "char_diversity", ratio(distinct.len()));
    sink.push(field, "digit_ratio", ratio(digits));
    sink.push(field, "upper_ratio", ratio(upper));
    sink.push(field, "special_ratio", ratio(special));
    sink.push(field, "entropy", shannon_entropy(text));
    let (ipv4, ipv6) = scan::count_ips(text);
    sink.push(field, "url_count", scan::count_urls(text) as f64);
    sink.push(field, "ipv4_count", ipv4 as f64);
    sink.push(field, "ipv6_count", ipv6 as f64);
    sink.push(field, "email_count", scan::count_emails(text) as f64);
    sink.push(field, "hex_blob_count", scan::count_hex_blobs(text) as f64);
    sink.push(
        field,
        "base64_blob_count",
        scan::count_base64_blobs(text) as f64,
    );
    let lower = text.to_lowercase();
    let mut total = 0usize;
    for keyword in keywords {
        let count = lower.matches(keyword.needle.as_str()).count();
        total += count;
        sink.push(field, &format!("keyword.{}", keyword.name), count as f64);
    }
    sink.push(field, "keyword_total", total as f64);
}

#[cfg(test)]
mod tests {
    use super::super::options::compile_keywords;
    use super::*;

    fn features(text: &str, keywords: &[&str]) -> Vec<(String, f64)> {
        let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
        let mut sink = FeatureSink::default();
        text_features(
            text,
            &compile_keywords(&keywords).unwrap(),
            "body",
            &mut sink,
        );
        sink.into_pairs()
    }

    #[test]
    fn counts_by_hand() {
        // 28 characters: 4 digits, 14 upper case, 1 special (!), 4 words.
        let f = features(
            "URGENT verify PASSWORD 1234!",
            &["password", "verify", "urgent", "cmd.exe"],
        );
        let get = |name: &str| f.iter().find(|(n, _)| n == name).map(|(_, v)| *v).unwrap();
        assert_eq!(get("body.length"), 28.0);
        assert_eq!(get("body.word_count"), 4.0);
        assert_eq!(get("body.digit_ratio"), 4.0 / 28.0);
        assert_eq!(get("body.upper_ratio"), 14.0 / 28.0);
        assert_eq!(get("body.special_ratio"), 1.0 / 28.0);
        assert_eq!(get("body.keyword.password"), 1.0);
        assert_eq!(get("body.keyword.cmd_exe"), 0.0);
        assert_eq!(get("body.keyword_total"), 3.0);
        let distinct: HashSet<char> = "URGENT verify PASSWORD 1234!".chars().collect();
        assert_eq!(get("body.char_diversity"), distinct.len() as f64 / 28.0);
    }

    #[test]
    fn feature_order_is_fixed() {
        let names: Vec<String> = features("", &["wget"])
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let expected: Vec<String> = [
            "length",
            "word_count",
            "char_diversity",
            "digit_ratio",
            "upper_ratio",
            "special_ratio",
            "entropy",
            "url_count",
            "ipv4_count",
            "ipv6_count",
            "email_count",
            "hex_blob_count",
            "base64_blob_count",
            "keyword.wget",
            "keyword_total",
        ]
        .iter()
        .map(|s| format!("body.{s}"))
        .collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn empty_text_has_zero_ratios() {
        assert!(features("", &[]).iter().all(|(_, v)| *v == 0.0));
    }

    #[test]
    fn indicators_and_keywords_in_a_phishing_line() {
        let f = features(
            "Urgent: login at http://192.0.2.7/verify?u=alice@example.com or mail admin@example.org; run powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA",
            &["login", "powershell", "verify", "urgent"],
        );
        let get = |name: &str| f.iter().find(|(n, _)| n == name).map(|(_, v)| *v).unwrap();
        assert_eq!(get("body.url_count"), 1.0);
        assert_eq!(get("body.ipv4_count"), 1.0);
        assert_eq!(get("body.email_count"), 2.0);
        assert_eq!(get("body.base64_blob_count"), 1.0);
        assert_eq!(get("body.keyword_total"), 4.0);
    }
}
