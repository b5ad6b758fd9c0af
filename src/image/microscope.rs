//! The microscope as a lab uses it: the imperfections between the ideal SE signal of
//! [`super::sem`] and the frame a user saves, each a scenario key under `[readout]` and each
//! switched off by a zero magnitude (or all at once by `imperfections = "ideal"`).
//!
//! **Scan geometry.** A frame of W × H pixels of size p is a raster of H line scans, each of W
//! dwells τ, left to right, top to bottom, with a flyback of [`LINE_FLYBACK_DWELLS`] dwells per
//! line. Pixel (u, v) is recorded at time t(u, v) = (v·(W + n_fb) + u)·τ. Its nominal position
//! relative to the frame centre, (x, y) = ((u + ½)p − Wp/2, (v + ½)p − Hp/2), is moved by
//!
//! - **scan distortion** (deflection non-linearity, barrel/pincushion-like), a cubic warp
//!   x' = x·(1 + a·(x/X)²), y' = y·(1 + a·(y/Y)²) with X, Y the half-widths: the edge of the
//!   frame is displaced by a·X. Published magnitude: ≈ 1–2 % of the field at the frame edges
//!   of an uncorrected SEM (Hitachi S-800, 3rd-order polynomial distortion; Ivanchuk/Mel'nik,
//!   Lviv Polytechnic 2003), 0.5–2 % residual scale error after calibration (NIST-traceable
//!   magnification standards); Sutton et al., Exp. Mech. 47 (2007) 775 measured distortions of
//!   ≈ 1 px over a frame. Default a = 0.005 (a good, calibrated FE-SEM).
//! - **line jitter**: every line is shifted along x by an independent N(0, σ_j²) (vibration and
//!   stray AC fields act as line-synchronous position noise; modelled so in the NIST artificial
//!   SEM image generator, Cizmar, Vladár & Postek, arXiv:1006.0171 (2010)). Default
//!   σ_j = 0.5 nm: below the 1 nm resolution specification of a good FE-SEM at 1–2 kV, which
//!   such jitter would otherwise exceed (estimate).
//! - **drift** of stage and beam at constant velocity v_d along direction φ: displacement
//!   v_d·t(u, v)·(cos φ, sin φ). Published magnitude: a few nm per minute for a settled FE-SEM
//!   stage (Snella, MIT M.Eng. thesis 2010, drift-corrected imaging at ≥ 100 kx; Sutton et al.
//!   2007; charging insulators drift more, Study on image drift induced by charging, JJAP).
//!   Default 2 nm/min = 0.033 nm/s.
//! - **scan rotation and placement** (not imperfections but the user's framing): the raster is
//!   rotated by θ about the field centre and shifted by the offset, so the specimen point
//!   imaged is c + o + R(θ)·(x', y') + drift; outside the written field the surface continues as
//!   the field's edge (unwritten quiet zone). A rotated frame is the bounding box of the rotated
//!   field ([`Microscope::frame_px`]): the operator keeps the whole symbol and its quiet zone in
//!   view, so a rotation never crops a finder pattern.
//!
//! **Signal chain.**
//! - **line gain noise**: every line's signal is multiplied by 1 + g_v, g_v ~ N(0, σ_g²): the
//!   emission-current noise of the gun and the amplifier's low-frequency noise, constant within
//!   one fast line. Schottky field emitters have a short-term current noise below 1 %
//!   (Swanson & Schwind, in *Handbook of Charged Particle Optics*, 2nd ed. 2009); default
//!   σ_g = 0.005.
//! - **excess noise of the SE detector chain**: counts have variance F·λ instead of λ, F the
//!   noise factor of SE emission (non-Poisson statistics of the SE number per primary, Frank,
//!   J. Electron Microsc. 54 (2005) 361; Sakakibara et al., Microscopy 2019) times that of the
//!   Everhart–Thornley scintillator/photomultiplier (Reimer 1998 §4.3; Joy, "Is SEM noise
//!   Gaussian?", Microsc. Microanal. 2008). Drawn as a Gamma variate of mean λ and variance Fλ
//!   (F = 1 is Poisson, drawn as such). Default F = 1.5 (Reimer quotes detective quantum
//!   efficiencies of 0.5–0.8 for E–T/in-lens chains, i.e. F ≈ 1.3–2).
//!
//! **Specimen changes under the beam.**
//! - **charging of insulating surfaces** ([`Material::is_insulating`]): where the total yield
//!   σ = δ + η exceeds 1 (glass at 2 keV) the surface charges positively, and the potential V
//!   rises until it returns enough slow SE that the net current vanishes, δ·F(V) + η = 1
//!   (self-limiting positive charging at a few volts: Cazaux, J. Microsc. 214 (2004) 341;
//!   Reimer 1998 §4.5.2). F(V) is the escaping fraction of the Chung–Everhart spectrum
//!   dN/dE ∝ E/(E + χ)⁴ (Chung & Everhart, J. Appl. Phys. 45 (1974) 707),
//!   F(V) = 3χ²/(V + χ)² − 2χ³/(V + χ)³, χ = [`INSULATOR_SE_BARRIER_EV`]; the steady state is
//!   F_ss = (1 − η)/δ, no free magnitude. The approach to it with dose D (prior dose plus half
//!   the frame dose, the frame's mean) and the discharge into nearby grounded conductors give
//!   F = 1 − s·(1 − e^(−D/D_c))·(1 − F_ss), s = 1 − exp(−d/λ_s), d the distance to the nearest
//!   conducting surface column: the beam makes the glass it excites conductive
//!   (radiation-induced conductivity, Cazaux 2004), so an insulating floor within about one
//!   electron range λ_s of a grounded film discharges into it; λ_s defaults to the column's
//!   Kanaya–Okayama range. D_c: the charge density ε₀ε_r V / d over a depth d ≈ 30 nm at
//!   V ≈ 1 V divided by the net charge per primary (σ − 1 ≈ 0.2), ≈ 1e-6 C/cm² for SiO₂
//!   (estimate from these numbers). Negative charging (σ < 1) is not modelled (its beam
//!   deflection is outside this model).
//! - **hydrocarbon contamination** grows with dose, t_c = k_c·D (nm), and covers every surface
//!   with carbon: the SE yield becomes a·δ_m + (1 − a)·δ_C, a = exp(−t_c/λ_C). Literature rates
//!   vary over orders of magnitude with vacuum and specimen cleanliness (Hirsch, Kässens &
//!   Reimer, Scanning 16 (1994) 101; Hugenschmidt, Müller & Gerthsen, KIT LEM 2020–2023);
//!   default k_c = 5 nm per C/cm² (estimate for a clean, plasma-cleaned FE-SEM chamber: the
//!   default 1.4e-3 C/cm² frame then adds < 0.1 nm, as a lab sees no frame outline after one
//!   scan). λ_C = [`CARBON_SE_ESCAPE_NM`], δ_C from the Lin–Joy curve with
//!   [`CARBON_SE_YIELD_MAX`] at [`CARBON_SE_YIELD_MAX_EV`].
//!
//! All randomness comes from `rng::stream(seed, Stream::ScanNoise, realization)` (line jitter,
//! line gain) and the image-noise stream (counts), so frames are reproducible and independent
//! of the thread count.

use rand::RngExt;
use rand_distr::{Distribution, Normal};

use crate::rng::StreamRng;

/// Flyback of the fast scan, in dwell times per line (the beam returns to the left edge).
/// Typical SEM line flyback is 5–10 % of the line time; 10 % of a 300-px line (estimate).
pub const LINE_FLYBACK_DWELLS: f64 = 30.0;

/// SE surface barrier of an insulator for the Chung–Everhart spectrum [eV]: the electron
/// affinity of SiO₂, ≈ 0.9 eV (Williams, Phys. Rev. 140 (1965) A569).
pub const INSULATOR_SE_BARRIER_EV: f64 = 0.9;

/// SE escape depth of amorphous (contamination) carbon [nm]: between metals (≈ 1 nm) and
/// insulators (≈ 10 nm) (Seiler, J. Appl. Phys. 54 (1983) R1); 3 nm (estimate).
pub const CARBON_SE_ESCAPE_NM: f64 = 3.0;

/// δ_max of amorphous carbon (Joy's database of electron–solid interactions: 0.8–1.0).
pub const CARBON_SE_YIELD_MAX: f64 = 0.9;

/// E_max of amorphous carbon [eV] (Joy's database: 250–300 eV).
pub const CARBON_SE_YIELD_MAX_EV: f64 = 280.0;

/// Charging of insulating surfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charging {
    /// Positive charging towards the steady state δ·F(V) + η = 1.
    SteadyState,
    /// No charging (a coated specimen, or charge compensation).
    Off,
}
crate::choices!(Charging { Charging::SteadyState => "steady-state", Charging::Off => "off" });

/// How the raster sits on the specimen below one pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Each frame lands at an independent uniform sub-pixel offset: no stage or beam shift
    /// places a specimen to a fraction of a nanometre, so the phase of the pixel grid against
    /// the module grid is arbitrary from frame to frame.
    Random,
    /// The pixel grid sits exactly where the framing puts it (a module edge on a pixel edge
    /// at 8 px per module: the best case for the reader).
    Exact,
}
crate::choices!(Registration { Registration::Random => "random", Registration::Exact => "exact" });

/// Which imperfections apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imperfections {
    /// A good field-emission SEM as a lab uses it: the configured magnitudes.
    Lab,
    /// The ideal instrument: every imperfection off (rotation and placement stay).
    Ideal,
}
crate::choices!(Imperfections { Imperfections::Lab => "lab", Imperfections::Ideal => "ideal" });

/// The microscope's imperfections and the framing of the symbol, in internal units.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Microscope {
    /// Scan rotation θ of the raster about the field centre [deg].
    pub rotation_deg: f64,
    /// Placement of the field centre in the frame, x [nm].
    pub offset_x_nm: f64,
    /// Placement of the field centre in the frame, y [nm].
    pub offset_y_nm: f64,
    /// Sub-pixel registration of each frame on the specimen.
    pub registration: Registration,
    /// Drift speed v_d [nm/s].
    pub drift_nm_per_s: f64,
    /// Drift direction φ from +x towards +y [deg].
    pub drift_direction_deg: f64,
    /// Cubic scan distortion a: the frame edge is displaced by a × half-width.
    pub scan_distortion_fraction: f64,
    /// RMS line-to-line position jitter σ_j [nm].
    pub line_jitter_nm: f64,
    /// RMS relative gain noise per line σ_g.
    pub line_gain_noise: f64,
    /// Excess noise factor F of the SE detector chain (variance / mean; 1 = Poisson).
    pub se_excess_noise_factor: f64,
    /// Charging of insulating surfaces.
    pub charging: Charging,
    /// Dose D_c at which charging reaches 1 − 1/e of V_sat [C/cm²].
    pub charging_dose_c_per_cm2: f64,
    /// Discharge length λ_s of charged insulating areas into grounded conductors [nm];
    /// `None`: the electron range of the column.
    pub charging_screening_nm: Option<f64>,
    /// Hydrocarbon contamination growth k_c [nm per C/cm²] (0: off).
    pub contamination_nm_per_c_per_cm2: f64,
    /// Dose the field received before the frame (focusing, stigmation) [C/cm²].
    pub prior_dose_c_per_cm2: f64,
}

impl Microscope {
    /// The ideal instrument with the symbol centred, unrotated.
    pub fn ideal() -> Microscope {
        Microscope {
            rotation_deg: 0.0,
            offset_x_nm: 0.0,
            offset_y_nm: 0.0,
            registration: Registration::Exact,
            drift_nm_per_s: 0.0,
            drift_direction_deg: 0.0,
            scan_distortion_fraction: 0.0,
            line_jitter_nm: 0.0,
            line_gain_noise: 0.0,
            se_excess_noise_factor: 1.0,
            charging: Charging::Off,
            charging_dose_c_per_cm2: 1.0e-6,
            charging_screening_nm: None,
            contamination_nm_per_c_per_cm2: 0.0,
            prior_dose_c_per_cm2: 0.0,
        }
    }

    /// The same framing with every imperfection switched off.
    pub fn without_imperfections(&self) -> Microscope {
        Microscope {
            rotation_deg: self.rotation_deg,
            offset_x_nm: self.offset_x_nm,
            offset_y_nm: self.offset_y_nm,
            ..Microscope::ideal()
        }
    }

    /// Frame size [px] for a field of `field_w_px` × `field_h_px` pixels: the field itself
    /// without rotation, else the bounding box of the rotated field, W' = W|cos θ| + H|sin θ|,
    /// H' = W|sin θ| + H|cos θ| (rounded up), so the whole symbol with its quiet zone stays in
    /// the frame at any rotation, as an operator frames a rotated scan.
    pub fn frame_px(&self, field_w_px: usize, field_h_px: usize) -> (usize, usize) {
        let turn = self.rotation_deg.rem_euclid(360.0);
        if turn == 0.0 {
            return (field_w_px, field_h_px);
        }
        let (sin_t, cos_t) = turn.to_radians().sin_cos();
        let (w, h) = (field_w_px as f64, field_h_px as f64);
        // The 1e-9 keeps 90° from growing by one pixel through cos 90° ≈ 6e-17.
        let fit = |a: f64| ((a - 1e-9).ceil() as usize).max(1);
        (
            fit(w * cos_t.abs() + h * sin_t.abs()),
            fit(w * sin_t.abs() + h * cos_t.abs()),
        )
    }

    /// This framing displaced by the frame's registration offset, and that offset (δx, δy)
    /// [nm]: with [`Registration::Random`] uniform in [−p/2, p/2)² for pixel size p, drawn
    /// from `rng` (two numbers); with [`Registration::Exact`] the framing itself and (0, 0),
    /// drawing nothing.
    pub fn registered(&self, pixel_nm: f64, rng: &mut StreamRng) -> (Microscope, (f64, f64)) {
        match self.registration {
            Registration::Exact => (self.clone(), (0.0, 0.0)),
            Registration::Random => {
                let dx = (rng.random::<f64>() - 0.5) * pixel_nm;
                let dy = (rng.random::<f64>() - 0.5) * pixel_nm;
                let placed = Microscope {
                    offset_x_nm: self.offset_x_nm + dx,
                    offset_y_nm: self.offset_y_nm + dy,
                    registration: Registration::Exact,
                    ..self.clone()
                };
                (placed, (dx, dy))
            }
        }
    }

    /// Whether the raster maps pixels exactly onto the field (no rotation, offset, drift,
    /// distortion or jitter): then the image is the plain pixel-centre sampling.
    pub fn is_geometrically_ideal(&self) -> bool {
        self.rotation_deg.rem_euclid(360.0) == 0.0
            && self.offset_x_nm == 0.0
            && self.offset_y_nm == 0.0
            && self.drift_nm_per_s == 0.0
            && self.scan_distortion_fraction == 0.0
            && self.line_jitter_nm == 0.0
    }

    /// Specimen position [nm, field coordinates] imaged at each pixel of a `width` × `height`
    /// frame of `pixel_nm` pixels over a field of `field_w_nm` × `field_h_nm`, row-major;
    /// `dwell_s` per pixel. Line jitter is drawn from `rng` (one normal per line, in line order).
    #[allow(clippy::too_many_arguments)]
    pub fn scan_positions(
        &self,
        width: usize,
        height: usize,
        pixel_nm: f64,
        field_w_nm: f64,
        field_h_nm: f64,
        dwell_s: f64,
        rng: &mut StreamRng,
    ) -> Vec<(f64, f64)> {
        let (half_w, half_h) = (
            0.5 * width as f64 * pixel_nm,
            0.5 * height as f64 * pixel_nm,
        );
        let (sin_t, cos_t) = self.rotation_deg.to_radians().sin_cos();
        let (sin_d, cos_d) = self.drift_direction_deg.to_radians().sin_cos();
        let jitter = Normal::new(0.0, self.line_jitter_nm.max(0.0)).expect("σ ≥ 0");
        let a = self.scan_distortion_fraction;
        let mut out = Vec::with_capacity(width * height);
        for v in 0..height {
            let jx = if self.line_jitter_nm > 0.0 {
                jitter.sample(rng)
            } else {
                0.0
            };
            let y = (v as f64 + 0.5) * pixel_nm - half_h;
            let yd = y * (1.0 + a * (y / half_h).powi(2));
            for u in 0..width {
                let x = (u as f64 + 0.5) * pixel_nm - half_w;
                let xd = x * (1.0 + a * (x / half_w).powi(2)) + jx;
                let t = (v as f64 * (width as f64 + LINE_FLYBACK_DWELLS) + u as f64) * dwell_s;
                let drift = self.drift_nm_per_s * t;
                let px =
                    0.5 * field_w_nm + self.offset_x_nm + cos_t * xd - sin_t * yd + drift * cos_d;
                let py =
                    0.5 * field_h_nm + self.offset_y_nm + sin_t * xd + cos_t * yd + drift * sin_d;
                out.push((px, py));
            }
        }
        out
    }

    /// Relative gain 1 + g_v of each of `height` lines, g_v ~ N(0, σ_g²) from `rng` (clamped
    /// at 0).
    pub fn line_gains(&self, height: usize, rng: &mut StreamRng) -> Vec<f64> {
        if self.line_gain_noise <= 0.0 {
            return vec![1.0; height];
        }
        let normal = Normal::new(0.0, self.line_gain_noise).expect("σ > 0");
        (0..height)
            .map(|_| (1.0 + normal.sample(rng)).max(0.0))
            .collect()
    }

    /// SE escape factor F of an insulating surface column with SE yield `delta` and
    /// backscatter coefficient `eta` at dose `dose_c_per_cm2`, `distance_nm` from the nearest
    /// grounded conductor, discharge length `screening_nm` (1 where σ ≤ 1 or charging is off).
    pub fn charging_escape_factor(
        &self,
        delta: f64,
        eta: f64,
        dose_c_per_cm2: f64,
        distance_nm: f64,
        screening_nm: f64,
    ) -> f64 {
        if self.charging == Charging::Off || delta + eta <= 1.0 || delta <= 0.0 {
            return 1.0;
        }
        let steady = ((1.0 - eta) / delta).clamp(0.0, 1.0);
        let s = if distance_nm.is_infinite() {
            1.0
        } else {
            1.0 - (-distance_nm / screening_nm).exp()
        };
        let progress = 1.0 - (-dose_c_per_cm2 / self.charging_dose_c_per_cm2).exp();
        1.0 - s * progress * (1.0 - steady)
    }

    /// Contamination thickness [nm] after `dose_c_per_cm2`.
    pub fn contamination_nm(&self, dose_c_per_cm2: f64) -> f64 {
        self.contamination_nm_per_c_per_cm2 * dose_c_per_cm2
    }
}

/// Distance [nm] from every cell to the nearest cell where `conducting` holds (infinite when
/// none does): two-pass chamfer transform with weights 1 and √2 (error < 8 % of the distance,
/// Borgefors, CVGIP 34 (1986) 344).
pub fn distance_to_conductor_nm(
    conducting: &[bool],
    nx: usize,
    ny: usize,
    cell_nm: f64,
) -> Vec<f64> {
    let mut d: Vec<f64> = conducting
        .iter()
        .map(|c| if *c { 0.0 } else { f64::INFINITY })
        .collect();
    let diag = std::f64::consts::SQRT_2;
    for j in 0..ny {
        for i in 0..nx {
            let k = j * nx + i;
            let mut best = d[k];
            if i > 0 {
                best = best.min(d[k - 1] + 1.0);
            }
            if j > 0 {
                best = best.min(d[k - nx] + 1.0);
                if i > 0 {
                    best = best.min(d[k - nx - 1] + diag);
                }
                if i + 1 < nx {
                    best = best.min(d[k - nx + 1] + diag);
                }
            }
            d[k] = best;
        }
    }
    for j in (0..ny).rev() {
        for i in (0..nx).rev() {
            let k = j * nx + i;
            let mut best = d[k];
            if i + 1 < nx {
                best = best.min(d[k + 1] + 1.0);
            }
            if j + 1 < ny {
                best = best.min(d[k + nx] + 1.0);
                if i + 1 < nx {
                    best = best.min(d[k + nx + 1] + diag);
                }
                if i > 0 {
                    best = best.min(d[k + nx - 1] + diag);
                }
            }
            d[k] = best;
        }
    }
    d.into_iter().map(|v| v * cell_nm).collect()
}

/// The surface potential [V] at which the escaping fraction is `fraction` (inverse of
/// [`se_escape_fraction`], by bisection; 0 for fraction ≥ 1).
pub fn potential_for_escape_fraction(fraction: f64, chi_ev: f64) -> f64 {
    if fraction >= 1.0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0e4);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if se_escape_fraction(mid, chi_ev) > fraction {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Fraction of the Chung–Everhart SE spectrum with barrier `chi_ev` that escapes a positive
/// surface potential `potential_v`: F(V) = 3χ²/(V + χ)² − 2χ³/(V + χ)³ (F(0) = 1).
pub fn se_escape_fraction(potential_v: f64, chi_ev: f64) -> f64 {
    if potential_v <= 0.0 {
        return 1.0;
    }
    let r = chi_ev / (potential_v + chi_ev);
    3.0 * r * r - 2.0 * r * r * r
}

/// SE yield of contamination carbon at `beam_energy_ev` (Lin–Joy universal curve, as
/// [`crate::material::Material::se_yield`]).
pub fn carbon_se_yield(beam_energy_ev: f64) -> f64 {
    let x = beam_energy_ev / CARBON_SE_YIELD_MAX_EV;
    CARBON_SE_YIELD_MAX * 1.28 * x.powf(-0.67) * (1.0 - (-1.614 * x.powf(1.67)).exp())
}

/// Dose per frame [C/cm²]: I τ per pixel area p².
pub fn frame_dose_c_per_cm2(probe_current_a: f64, dwell_s: f64, pixel_nm: f64) -> f64 {
    let pixel_cm = pixel_nm * 1e-7;
    probe_current_a * dwell_s / (pixel_cm * pixel_cm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{self, Stream};

    #[test]
    fn escape_fraction_is_one_at_zero_and_falls_with_potential() {
        assert_eq!(se_escape_fraction(0.0, 0.9), 1.0);
        let f2 = se_escape_fraction(2.0, 0.9);
        let f5 = se_escape_fraction(5.0, 0.9);
        assert!(f2 < 1.0 && f5 < f2 && f5 > 0.0, "{f2} {f5}");
        // Direct integration of E/(E+χ)⁴ above V against the closed form.
        let chi: f64 = 0.9;
        let v = 2.0;
        let spectrum = |e: f64| e / (e + chi).powi(4);
        let integrate = |a: f64| {
            let n = 200_000;
            let h = (400.0 - a) / n as f64;
            (0..n)
                .map(|k| spectrum(a + (k as f64 + 0.5) * h) * h)
                .sum::<f64>()
        };
        let numeric = integrate(v) / integrate(0.0);
        assert!((numeric - f2).abs() < 1e-3, "{numeric} vs {f2}");
    }

    #[test]
    fn random_registration_lands_within_half_a_pixel_and_differs_by_frame() {
        let lab = Microscope {
            offset_x_nm: 3.0,
            offset_y_nm: -2.0,
            registration: Registration::Random,
            ..Microscope::ideal()
        };
        let pixel_nm = 6.0;
        let frame =
            |r: u64| lab.registered(pixel_nm, &mut rng::stream(5, Stream::FrameRegistration, r));
        let offsets: Vec<(f64, f64)> = (0..200)
            .map(|r| {
                let (m, offset) = frame(r);
                assert_eq!(
                    m.registration,
                    Registration::Exact,
                    "a registered frame is placed"
                );
                assert_eq!(
                    (m.offset_x_nm, m.offset_y_nm),
                    (3.0 + offset.0, -2.0 + offset.1)
                );
                offset
            })
            .collect();
        for &(dx, dy) in &offsets {
            assert!(dx.abs() <= 3.0 && dy.abs() <= 3.0, "({dx}, {dy})");
        }
        // Uniform over the pixel: mean ≈ 0 (σ of the mean 6/√12/√200 = 0.12 nm), both halves hit.
        let mean_x = offsets.iter().map(|o| o.0).sum::<f64>() / 200.0;
        assert!(mean_x.abs() < 0.5, "{mean_x}");
        assert!(offsets.iter().any(|o| o.0 > 1.5) && offsets.iter().any(|o| o.0 < -1.5));
        assert_eq!(frame(7), frame(7), "reproducible per realization");
        assert_ne!(frame(7), frame(8));
        // Exact registration draws nothing and keeps the framing.
        let exact = Microscope {
            registration: Registration::Exact,
            ..lab.clone()
        };
        let mut r = rng::stream(5, Stream::FrameRegistration, 0);
        assert_eq!(
            exact.registered(pixel_nm, &mut r),
            (exact.clone(), (0.0, 0.0))
        );
        assert_eq!(
            r.random::<u64>(),
            rng::stream(5, Stream::FrameRegistration, 0).random::<u64>()
        );
    }

    #[test]
    fn ideal_raster_is_the_pixel_centre_grid() {
        let m = Microscope::ideal();
        let mut r = rng::stream(1, Stream::ScanNoise, 0);
        let pos = m.scan_positions(4, 3, 2.0, 8.0, 6.0, 1e-6, &mut r);
        assert_eq!(pos[0], (1.0, 1.0));
        assert_eq!(pos[4 + 3], (7.0, 3.0));
    }

    #[test]
    fn rotation_by_90_degrees_maps_x_onto_y() {
        let m = Microscope {
            rotation_deg: 90.0,
            ..Microscope::ideal()
        };
        let mut r = rng::stream(1, Stream::ScanNoise, 0);
        let pos = m.scan_positions(2, 2, 1.0, 2.0, 2.0, 1e-6, &mut r);
        // Pixel (1, 0) sits at (+½, −½) from the centre; rotated by 90° it images (+½, +½).
        let (x, y) = pos[1];
        assert!(
            (x - 1.5).abs() < 1e-12 && (y - 1.5).abs() < 1e-12,
            "{x} {y}"
        );
    }

    #[test]
    fn rotated_frame_holds_the_whole_field() {
        let field = (100usize, 60usize);
        for deg in [0.0, 90.0, 180.0, 270.0, 360.0, -90.0] {
            let m = Microscope {
                rotation_deg: deg,
                ..Microscope::ideal()
            };
            let quarter = (deg / 90.0f64).round() as i64 % 2 != 0;
            let expect = if quarter { (60, 100) } else { (100, 60) };
            assert_eq!(m.frame_px(field.0, field.1), expect, "{deg}°");
        }
        // At any angle the frame's rotated raster covers every corner of the field.
        for deg in [15.0, 30.0, 45.0, 137.0, 333.0] {
            let m = Microscope {
                rotation_deg: deg,
                ..Microscope::ideal()
            };
            let (w, h) = m.frame_px(field.0, field.1);
            let geometry = crate::image::FrameGeometry {
                field_nm: (field.0 as f64, field.1 as f64),
                frame_px: (w, h),
                pixel_nm: 1.0,
                rotation_deg: deg,
                offset_nm: (0.0, 0.0),
            };
            for (a, b) in [(0.0, 0.0), (100.0, 0.0), (0.0, 60.0), (100.0, 60.0)] {
                let (u, v) = geometry.field_px_to_frame(a, b);
                assert!(
                    (-1e-9..=w as f64 + 1e-9).contains(&u)
                        && (-1e-9..=h as f64 + 1e-9).contains(&v),
                    "{deg}°: corner ({a}, {b}) at ({u}, {v}) outside {w}×{h}"
                );
            }
            // Tight: one pixel less would cut a corner.
            let area = |deg: f64| {
                let (s, c) = deg.to_radians().sin_cos();
                100.0 * c.abs() + 60.0 * s.abs()
            };
            assert!((w as f64) < area(deg) + 1.0, "{deg}°: {w}");
        }
    }

    #[test]
    fn frame_geometry_inverts_the_nominal_scan() {
        let m = Microscope {
            rotation_deg: 37.0,
            offset_x_nm: 3.0,
            offset_y_nm: -2.0,
            ..Microscope::ideal()
        };
        let (fw, fh) = (40usize, 30usize);
        let (w, h) = m.frame_px(fw, fh);
        let pixel_nm = 2.0;
        let mut r = rng::stream(1, Stream::ScanNoise, 0);
        let pos = m.scan_positions(
            w,
            h,
            pixel_nm,
            fw as f64 * pixel_nm,
            fh as f64 * pixel_nm,
            1e-6,
            &mut r,
        );
        let geometry = crate::image::FrameGeometry {
            field_nm: (fw as f64 * pixel_nm, fh as f64 * pixel_nm),
            frame_px: (w, h),
            pixel_nm,
            rotation_deg: 37.0,
            offset_nm: (3.0, -2.0),
        };
        for &k in &[0usize, 7, w * h / 2 + 3, w * h - 1] {
            let (x, y) = pos[k];
            let (u, v) = geometry.field_px_to_frame(x / pixel_nm, y / pixel_nm);
            let (u0, v0) = ((k % w) as f64 + 0.5, (k / w) as f64 + 0.5);
            assert!(
                (u - u0).abs() < 1e-9 && (v - v0).abs() < 1e-9,
                "{k}: ({u}, {v})"
            );
        }
    }

    #[test]
    fn drift_moves_the_last_pixel_by_speed_times_frame_time() {
        let m = Microscope {
            drift_nm_per_s: 10.0,
            ..Microscope::ideal()
        };
        let mut r = rng::stream(1, Stream::ScanNoise, 0);
        let (w, h, dwell) = (10, 10, 1e-3);
        let pos = m.scan_positions(w, h, 1.0, 10.0, 10.0, dwell, &mut r);
        let t_last = (9.0 * (10.0 + LINE_FLYBACK_DWELLS) + 9.0) * dwell;
        assert!((pos[99].0 - (9.5 + 10.0 * t_last)).abs() < 1e-9);
        assert!((pos[99].1 - 9.5).abs() < 1e-12);
    }

    #[test]
    fn distortion_displaces_the_frame_edge_by_the_fraction() {
        let m = Microscope {
            scan_distortion_fraction: 0.01,
            ..Microscope::ideal()
        };
        let mut r = rng::stream(1, Stream::ScanNoise, 0);
        let n = 1000;
        let pos = m.scan_positions(n, 1, 1.0, n as f64, 1.0, 1e-6, &mut r);
        let x_last = pos[n - 1].0 - 500.0; // 499.5 nominal
        let expected = 499.5 * (1.0 + 0.01 * (499.5f64 / 500.0).powi(2));
        assert!((x_last - expected).abs() < 1e-9);
    }

    #[test]
    fn line_jitter_has_the_configured_rms_and_is_reproducible() {
        let m = Microscope {
            line_jitter_nm: 2.0,
            ..Microscope::ideal()
        };
        let draw = || {
            let mut r = rng::stream(7, Stream::ScanNoise, 3);
            m.scan_positions(1, 20_000, 1.0, 1.0, 20_000.0, 1e-6, &mut r)
        };
        let (a, b) = (draw(), draw());
        assert_eq!(a, b);
        let rms = (a.iter().map(|p| (p.0 - 0.5).powi(2)).sum::<f64>() / a.len() as f64).sqrt();
        assert!((rms - 2.0).abs() < 0.05, "{rms}");
    }

    #[test]
    fn frame_dose_of_the_record_settings() {
        // 50 pA × 10 µs over (6.06 nm)²: 1.36e-3 C/cm².
        let d = frame_dose_c_per_cm2(50e-12, 10e-6, 6.06);
        assert!((d - 1.36e-3).abs() < 0.01e-3, "{d}");
    }

    #[test]
    fn chamfer_distance_of_a_line_conductor() {
        let (nx, ny) = (20, 5);
        let conducting: Vec<bool> = (0..nx * ny).map(|k| k % nx == 0).collect();
        let d = distance_to_conductor_nm(&conducting, nx, ny, 2.0);
        assert_eq!(d[2 * nx + 7], 14.0);
        assert!(distance_to_conductor_nm(&[false; 4], 2, 2, 1.0)[0].is_infinite());
    }

    #[test]
    fn charging_reaches_unit_total_yield_far_from_conductors() {
        let m = Microscope {
            charging: Charging::SteadyState,
            ..Microscope::ideal()
        };
        // Glass at 2 keV: δ = 1.04, η = 0.125 → δ·F + η = 1 in steady state.
        let (delta, eta) = (1.04, 0.125);
        let far = m.charging_escape_factor(delta, eta, 1.0, f64::INFINITY, 50.0);
        assert!((delta * far + eta - 1.0).abs() < 1e-9, "{far}");
        let near = m.charging_escape_factor(delta, eta, 1.0, 5.0, 50.0);
        assert!(near > far && near < 1.0, "{near}");
        assert_eq!(
            m.charging_escape_factor(0.5, 0.2, 1.0, f64::INFINITY, 50.0),
            1.0
        );
        assert!(m.charging_escape_factor(delta, eta, 1e-9, f64::INFINITY, 50.0) > 0.999);
        let v = potential_for_escape_fraction(far, INSULATOR_SE_BARRIER_EV);
        assert!((se_escape_fraction(v, INSULATOR_SE_BARRIER_EV) - far).abs() < 1e-9);
        assert!(v > 0.0 && v < 1.0, "{v} V");
    }

    #[test]
    fn carbon_yield_at_two_kev() {
        let d = carbon_se_yield(2000.0);
        assert!((0.25..0.45).contains(&d), "{d}");
    }
}
