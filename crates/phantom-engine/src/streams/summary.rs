//! One line for people about each anomaly.

use phantom_detect::series::online::OnlinePoint;
use phantom_detect::text::WindowVerdict;

/// `events 400-499: NCD 0.412 (z 6.1 over 3.5), p = 0.005; new: "ERROR <num> refused" ×37`.
pub(crate) fn cbad(v: &WindowVerdict, offset: u64) -> String {
    let mut line = format!(
        "events {}-{}: NCD {:.3} (z {:.1}, threshold {:.3})",
        offset + v.window.first,
        offset + v.window.last,
        v.measures.ncd,
        v.decision.ncd_z,
        v.decision.ncd_threshold,
    );
    if let Some(p) = v.decision.p_value {
        line.push_str(&format!(", p = {p:.4}"));
    }
    if let Some(changes) = &v.changes {
        if let Some(t) = changes.new_templates.first() {
            line.push_str(&format!("; new: \"{}\" ×{}", clip(&t.text), t.count));
        } else if let Some(t) = changes.vanished_templates.first() {
            line.push_str(&format!("; vanished: \"{}\" ×{}", clip(&t.text), t.count));
        }
    }
    line
}

/// `spike: 950 against median 100.0 ± 5.0 (score 12.3 over 3.5)`.
pub(crate) fn series(p: &OnlinePoint) -> String {
    let kind = p
        .kind
        .map(|k| {
            serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .unwrap_or_else(|| "anomaly".into());
    format!(
        "{}: {} against median {:.4} ± {:.4} (score {:.1} over {:.1})",
        kind.replace('_', " "),
        p.value,
        p.median,
        p.scale,
        p.score,
        p.threshold
    )
}

fn clip(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(MAX).collect();
        s.push('…');
        s
    }
}
