//! Number formatting shared by the reports and captions (one rule per kind of number, so the
//! same quantity prints with the same digits everywhere).

/// A number with at most four significant decimals and no trailing zeros (for captions).
pub fn short(x: f64) -> String {
    let text = format!("{:.4}", x);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    format!(
        "{}",
        trimmed
            .parse::<f64>()
            .map(|v| (v * 1e4).round() / 1e4)
            .unwrap_or(x)
    )
}
