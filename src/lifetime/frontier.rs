//! Density–lifetime frontier: module pitch → bits per area → TB per A4 sheet → lifetime.
//!
//! Density (milling_imaging_qr.md §0, "[calc]"):
//! - raw: one bit per module, ρ_raw = 1/p² [bit/nm²];
//! - tiled QR: symbols of n × n modules abutting without quiet zones, each carrying its data
//!   codewords (8 bit each): ρ_QR = 8·N_data / (n p)² — for V3-L (N_data = 55, n = 29) at 49 nm
//!   1.70 TB per A4, the figure of the research notes;
//! - A4 = 210 mm × 297 mm = 6.237 × 10¹⁶ nm²; TB = 10¹² bytes.
//!
//! Lifetime at pitch p: t(p, T) = s_fail(p) / B(T) with s_fail(p) the failure equivalent time of
//! surface diffusion. The pipeline simulates s_fail(p) per pitch ([`frontier_row`]); the
//! self-similar scaling s_fail(p) = s_fail(p₀)·(p/p₀)⁴ (a mode decays as exp(−B k⁴ t), aging.md
//! §2.1, T1) is [`frontier`], kept as the reference it departs from (the film thickness, SEM
//! probe and escape depth do not scale with p).

use serde::Serialize;

use super::rate::SurfaceRateModel;
use super::stats::temperature_for_lifetime_k;

/// Area of an A4 sheet [nm²] (210 mm × 297 mm, ISO 216).
pub const A4_AREA_NM2: f64 = 210.0e6 * 297.0e6;
/// Bits per terabyte (10¹² bytes).
pub const BITS_PER_TB: f64 = 8.0e12;

/// Storage density of one pitch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Density {
    /// Module pitch p [nm].
    pub pitch_nm: f64,
    /// Raw bits per µm²: 10⁶/p².
    pub raw_bits_per_um2: f64,
    /// Raw TB per A4 sheet.
    pub raw_tb_per_a4: f64,
    /// Payload bits per µm² of abutting QR symbols: 8·N_data·10⁶/(n p)².
    pub tiled_bits_per_um2: f64,
    /// Payload TB per A4 of abutting QR symbols.
    pub tiled_tb_per_a4: f64,
}

/// Density at pitch p [nm] for symbols of `modules_per_side` n and `data_codewords` N_data.
pub fn density(pitch_nm: f64, modules_per_side: usize, data_codewords: usize) -> Density {
    let raw_per_nm2 = 1.0 / (pitch_nm * pitch_nm);
    let side = modules_per_side as f64 * pitch_nm;
    let tiled_per_nm2 = 8.0 * data_codewords as f64 / (side * side);
    Density {
        pitch_nm,
        raw_bits_per_um2: raw_per_nm2 * 1e6,
        raw_tb_per_a4: raw_per_nm2 * A4_AREA_NM2 / BITS_PER_TB,
        tiled_bits_per_um2: tiled_per_nm2 * 1e6,
        tiled_tb_per_a4: tiled_per_nm2 * A4_AREA_NM2 / BITS_PER_TB,
    }
}

/// The lifetime a pitch implies for one surface (a library material, or the simulated stack).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontierLifetime {
    /// Surface: a material name, or "simulated stack" for the area-weighted model.
    pub surface: String,
    /// Temperature [K].
    pub temperature_k: f64,
    /// Lifetime [yr]; `null` beyond the horizon.
    pub lifetime_yr: Option<f64>,
    /// Whether the lifetime lies beyond the horizon.
    pub beyond_horizon: bool,
}

/// One row of the frontier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontierRow {
    /// Density at this pitch.
    #[serde(flatten)]
    pub density: Density,
    /// Lifetimes per surface and temperature.
    pub lifetimes: Vec<FrontierLifetime>,
    /// Per surface, the temperature [K] at which the lifetime equals the target (`null` outside
    /// 50–5000 K).
    pub temperature_for_target_k: Vec<(String, Option<f64>)>,
    /// Failure equivalent time at this pitch [nm⁴] (`null` if not found).
    pub s_fail_nm4: Option<f64>,
    /// How the row's failure equivalent time was obtained.
    pub status: FrontierStatus,
}

/// How a frontier row's failure equivalent time was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontierStatus {
    /// A failure search at this pitch found it.
    Simulated,
    /// The code at this pitch does not decode as written (no lifetime).
    FailsAsWritten,
    /// The search at this pitch found no failure within its range.
    BeyondSearchRange,
    /// The probe budget ran out before the search bracketed a failure or reached its range end.
    BudgetExhausted,
    /// Interpolated between simulated neighbours.
    Interpolated,
    /// Not simulated and no neighbours to interpolate from.
    NotSimulated,
    /// The self-similar p⁴ scaling from the record pitch.
    P4Scaled,
}

crate::choices!(FrontierStatus {
    FrontierStatus::Simulated => "simulated",
    FrontierStatus::FailsAsWritten => "fails_as_written",
    FrontierStatus::BeyondSearchRange => "beyond_search_range",
    FrontierStatus::BudgetExhausted => "budget_exhausted",
    FrontierStatus::Interpolated => "interpolated",
    FrontierStatus::NotSimulated => "not_simulated",
    FrontierStatus::P4Scaled => "p4_scaled",
});

/// One frontier row from the failure equivalent time ln s_fail(p) [ln nm⁴] at this pitch
/// (`None`: no failure known, every lifetime `null`) and the rate models of the surfaces.
#[allow(clippy::too_many_arguments)]
pub fn frontier_row(
    pitch_nm: f64,
    ln_s_fail: Option<f64>,
    surfaces: &[(String, SurfaceRateModel)],
    temperatures_k: &[f64],
    horizon_s: f64,
    target_s: f64,
    modules_per_side: usize,
    data_codewords: usize,
) -> FrontierRow {
    let year = crate::units::SECONDS_PER_YEAR;
    let mut lifetimes = Vec::new();
    let mut targets = Vec::new();
    for (name, model) in surfaces {
        for &t_k in temperatures_k {
            let ln_t = ln_s_fail.map(|l| l - model.ln_b(t_k));
            let beyond = ln_t.is_some_and(|l| l > horizon_s.ln());
            lifetimes.push(FrontierLifetime {
                surface: name.clone(),
                temperature_k: t_k,
                lifetime_yr: ln_t.filter(|_| !beyond).map(|l| l.exp() / year),
                beyond_horizon: beyond,
            });
        }
        targets.push((
            name.clone(),
            ln_s_fail.and_then(|l| temperature_for_lifetime_k(l, target_s, |t| model.ln_b(t))),
        ));
    }
    FrontierRow {
        density: density(pitch_nm, modules_per_side, data_codewords),
        lifetimes,
        temperature_for_target_k: targets,
        s_fail_nm4: ln_s_fail.map(f64::exp),
        status: FrontierStatus::P4Scaled,
    }
}

/// The frontier rows for `pitches_nm`, from the simulated failure equivalent time s_fail(p₀)
/// [nm⁴] at the simulated pitch p₀ and the rate models of the surfaces (name, model).
#[allow(clippy::too_many_arguments)]
pub fn frontier(
    pitches_nm: &[f64],
    simulated_pitch_nm: f64,
    s_fail_nm4: f64,
    surfaces: &[(String, SurfaceRateModel)],
    temperatures_k: &[f64],
    horizon_s: f64,
    target_s: f64,
    modules_per_side: usize,
    data_codewords: usize,
) -> Vec<FrontierRow> {
    pitches_nm
        .iter()
        .map(|&p| {
            let ln_s = s_fail_nm4.ln() + 4.0 * (p / simulated_pitch_nm).ln();
            frontier_row(
                p,
                Some(ln_s),
                surfaces,
                temperatures_k,
                horizon_s,
                target_s,
                modules_per_side,
                data_codewords,
            )
        })
        .collect()
}
