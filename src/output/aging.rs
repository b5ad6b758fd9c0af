//! Aging tables: `aging.csv` (one row per snapshot, units in the headers) and the timescale
//! report as markdown; file labels of snapshot times.

use crate::choice::Choice;
use crate::decode::Decoder;
use crate::pipeline::{AgingRecord, DecoderRecord};

/// A snapshot time as a file label: `0`, `1000`, `2.5`, `0.001`, `1e-06` (≤ 4 significant
/// digits, no trailing zeros; scientific below 10⁻³ and from 10⁶).
pub fn time_label(time_yr: f64) -> String {
    if time_yr == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e6).contains(&time_yr) {
        let s = format!("{time_yr:.3e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = m.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e{e}");
    }
    let digits = (4 - 1 - time_yr.log10().floor() as i32).max(0) as usize;
    let s = format!("{time_yr:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn decoded(d: Option<&DecoderRecord>) -> &'static str {
    match d {
        Some(d) if d.payload_matches => "1",
        Some(_) => "0",
        None => "",
    }
}

fn num(x: f64) -> String {
    format!("{x:.6e}")
}

/// `aging.csv`: one row per snapshot.
pub fn aging_csv(aging: &AgingRecord) -> String {
    let decoder_columns: Vec<String> = Decoder::NAMES
        .iter()
        .map(|d| format!("{d}_decoded"))
        .collect();
    let mut s = format!(
        "time_yr,pit_depth_nm,edge_width_nm,rms_roughness_nm,oxide_mean_nm,oxide_max_nm,film_consumed_nm,surface_ga_per_nm2,{},max_block_error_ratio,module_errors,michelson_contrast\n",
        decoder_columns.join(",")
    );
    for snap in &aging.snapshots {
        let m = &snap.metrics;
        s += &format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            num(snap.time_yr),
            num(m.pit_depth_nm),
            m.edge_width_nm.map(num).unwrap_or_default(),
            num(m.rms_roughness_nm),
            num(m.oxide_mean_nm),
            num(m.oxide_max_nm),
            num(m.film_consumed_nm),
            num(m.surface_ga_per_nm2),
            Decoder::VARIANTS
                .iter()
                .map(|&d| decoded(snap.decoded.get(d)))
                .collect::<Vec<_>>()
                .join(","),
            num(snap.max_block_error_ratio),
            snap.module_errors,
            num(snap.michelson_contrast),
        );
    }
    s
}

/// The timescale report as a markdown table.
pub fn timescales_markdown(rows: &[crate::age::timescale::TimescaleRow]) -> String {
    use crate::output::report::timescale::{format_years, mechanism};
    let mut s = String::from(
        "| material | mechanism | T / °C | time for a 10 % change | T for 1,000 yr / °C |\n|---|---|---|---|---|\n",
    );
    for r in rows {
        s += &format!(
            "| {} | {} | {:.0} | {} | {} |\n",
            r.material,
            mechanism(&r.process),
            r.temperature_c,
            format_years(r.log10_time_to_10pct_yr),
            r.temperature_for_1000yr_c
                .map(|t| format!("{t:.0}"))
                .unwrap_or_else(|| "outside 50–5000 K".into())
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_labels_are_short_and_unambiguous() {
        assert_eq!(time_label(0.0), "0");
        assert_eq!(time_label(1000.0), "1000");
        assert_eq!(time_label(2.5), "2.5");
        assert_eq!(time_label(0.001), "0.001");
        assert_eq!(time_label(1e-6), "1e-6");
        assert_eq!(time_label(123456.0), "123456");
        assert_eq!(time_label(3.0e7), "3e7");
    }
}
