//! Slow-recoil physics: the electronic loss and the nuclear stopping of 1–100 eV atoms, the
//! bottom of every heavy-target cascade (issue 20 item 2; audit `reviews/bca_mill.md` §1.2).
//! Pure functions, no I/O; the cascade calls them under [`super::ElectronicStopping::ValenceLocal`].
//!
//! # Electronic loss: valence-electron friction plus local (Oen–Robinson) loss
//!
//! Lindhard–Scharff (LS) writes the slow-ion stopping of *all* target electrons (Thomas–Fermi)
//! as a friction, dE/dx = n k √E = γ_LS v (Lindhard & Scharff, Phys. Rev. 124 (1961) 128; valid
//! for v < v₀ Z₁^(2/3), so formally at every energy of interest). Its physical content at the
//! lowest velocities is questionable: a 5–100 eV atom never penetrates the partner's electron
//! shells (head-on R₀ ≳ 0.1 nm ≈ 12–20 screening lengths below 1 keV for Au–Au), so the
//! core-electron excitation by electron promotion, which the LS/Firsov picture averages over
//! impact parameters, does not happen. What remains at every distance is the conduction
//! (valence) electron gas, whose friction on a slow atom is Q v with
//! Q = n_e v_F σ_tr(v_F) (Echenique, Nieminen & Ritchie, Solid State Commun. 37 (1981) 779;
//! nonlinear density-functional values: Echenique, Nieminen, Ashley & Ritchie, Phys. Rev. A 33
//! (1986) 897; valid for v < v_F, i.e. every velocity of a 30 keV cascade).
//!
//! Model ([`ValenceLocalSplit`]): per projectile Z₁ in a layer,
//! - **nonlocal**, on every free path: the valence-electron friction
//!   dE/dx = c_val √E with c_val = Q(Z₁, r_s) · (E_h/a₀) / √(E_v₀ M₁)
//!   ([`friction_coef_ev_sqrt_per_nm`]), capped at the LS value (share w = c_val/c_LS ≤ 1);
//! - **local**, at each collision: Oen–Robinson with weight 1 − w, ΔE = (1 − w) c_OR √E
//!   exp(−0.3 R₀/a) (Oen & Robinson, NIM 132 (1976) 647; [`super::stopping::oen_robinson_prefactor`]).
//!
//! This is Eckstein's local/nonlocal split (Eckstein 1991 §5.2; TRIM.SP KDEE = 3 and SDTrimSP
//! INEL0 = 3 use w = ½) with the nonlocal share fixed by the physics of the conduction
//! electrons instead of by ½. Limits: at high energy (R₀ → p) the impact-parameter integral of
//! the local term tends to (1 − w) k√E, so the total tends to LS (test
//! `total_tends_to_lindhard_scharff_at_high_energy_and_to_valence_at_low`); at 1–100 eV the
//! local term falls to a small part of itself (Si–Si at 10 eV: 13 % of its high-energy value;
//! Au–Au less, R₀/a ≳ 20) and the loss is essentially the valence friction. There is no switch
//! energy, hence no discontinuity. Q comes from the density-functional friction coefficients of
//! Gerrits, Juaristi & Meyer, Phys. Rev. B 102 (2020) 155130, tabulated for Z₁ = 1…92 at
//! r_s = 1.5, 2, 2.5, 3.5, 5 a₀ ([`jellium_friction_au`]); r_s comes from the valence-electron
//! density ([`valence_electrons`], [`wigner_seitz_radius_bohr`]).
//!
//! Numbers (a.u. of friction, ħ/a₀² … force per velocity): Au in Au γ_LS = 12.7 but Q = 0.091
//! (r_s = 3.01), so w = 0.008 and a 50 eV Au atom loses 0.04 eV per λ instead of 5.35 eV (LS) or
//! 2.7 eV (equipartition); Si in Si γ_LS = 1.40, Q = 0.58 (r_s = 2.00), w = 0.41, close to ½.
//! That this late, slow-atom friction is what decides the effect of electronic loss on sputter
//! yields is the finding of "Inelastic energy losses in cascades and atom ejection" (TRIM.SP
//! vs the multiple-interaction code QDYN: "losses by low energy atoms, late in the cascade,
//! significantly reduce the ejected atom yield") and of the MD study "The role of electronic
//! friction of low-energy recoils in atomic collision cascades" (abstracts read through the
//! search tool, papers not re-read).
//!
//! For insulators (SiO₂, Al₂O₃) and semiconductors the free-electron value is an upper bound
//! (band-gap threshold effects lower the friction of slow projectiles), stated, not corrected.
//!
//! # Nuclear stopping lost to the p_max cut
//!
//! With the constant free path λ = n^(−1/3) and p_max = λ/√π (one atom per λ³; Biersack &
//! Haggmark, NIM 174 (1980) 257; Eckstein 1991 §7.2) the nuclear stopping cross-section per path
//! is S_n(p_max) = ∫₀^p_max T(p) 2πp dp instead of S_n(∞). [`nuclear_stopping_ev_nm2`] computes it
//! with the engine's own scattering integral; [`kept_fraction`] and
//! [`pmax_recovered_fraction`] give the shares kept with K weak simultaneous collisions in the
//! annuli p_max √k … p_max √(k+1) (TRIM.SP KK0/KK0R = 0…4, SDTrimSP `iwc`/`iwcr`, default 2 —
//! Mutzke et al., IPP Report 2019-02, Table 13, as quoted in other codes' documentation; TRIDYN
//! up to 3, Möller & Eckstein IPP 9/64 (1988)). Default recommended:
//! [`DEFAULT_WEAK_COLLISIONS`] = 2.

use super::Potential;
use super::scattering;
use crate::units::{BOHR_RADIUS_NM, COULOMB_EV_NM, ELECTRON_MASS_AMU};

/// Hartree energy E_h = e²/(4πε₀ a₀) [eV] (27.211 eV, from CODATA 2018 constants).
pub const HARTREE_EV: f64 = COULOMB_EV_NM / BOHR_RADIUS_NM;

/// Atomic unit of force E_h/a₀ expressed in eV/nm (514.2 eV/nm).
pub const ATOMIC_FORCE_EV_PER_NM: f64 = HARTREE_EV / BOHR_RADIUS_NM;

/// Kinetic energy per amu of an atom moving at the Bohr velocity v₀: ½ m_u v₀² = ½ E_h m_u/m_e
/// [eV/amu] (24.80 keV/amu).
pub const BOHR_VELOCITY_EV_PER_AMU: f64 = 0.5 * HARTREE_EV / ELECTRON_MASS_AMU;

/// Recommended number K of weak simultaneous collisions per free path: SDTrimSP's default for
/// projectiles and recoils (`iwc` = `iwcr` = 2; Mutzke et al., SDTrimSP 6.00, IPP Report 2019-02,
/// Table 13 — as quoted in another code's documentation, not re-read). With K = 2 the kept
/// nuclear stopping rises from 47–73 % to 89–99 % of the untruncated value at 5–50 eV for Au–Au
/// (module docs).
pub const DEFAULT_WEAK_COLLISIONS: u32 = 2;

/// Velocity in atomic units (v/v₀) of an atom of `mass_amu` with kinetic energy `energy_ev`:
/// v/v₀ = √(E / (M · 24.80 keV)).
pub fn velocity_au(energy_ev: f64, mass_amu: f64) -> f64 {
    (energy_ev / (mass_amu * BOHR_VELOCITY_EV_PER_AMU)).sqrt()
}

/// Wigner–Seitz radius r_s [a₀] of an electron gas of density n_e [nm⁻³]:
/// r_s = (3/(4π n_e))^(1/3) / a₀.
pub fn wigner_seitz_radius_bohr(electron_density_per_nm3: f64) -> f64 {
    (3.0 / (4.0 * std::f64::consts::PI * electron_density_per_nm3)).cbrt() / BOHR_RADIUS_NM
}

/// Fermi velocity v_F [a.u.] of an electron gas with Wigner–Seitz radius r_s [a₀]:
/// v_F = (9π/4)^(1/3) / r_s (Ashcroft & Mermin, Solid State Physics (1976), eq. 2.22–2.25).
/// The linear friction law Q v holds for v < v_F (Echenique et al. 1986).
pub fn fermi_velocity_au(rs_bohr: f64) -> f64 {
    (9.0 * std::f64::consts::PI / 4.0).cbrt() / rs_bohr
}

/// Conduction (valence) electrons per atom in the free-electron picture, or `None` for an element
/// without a stated count.
///
/// Convention (Ashcroft & Mermin 1976, Table 1.1, whose r_s it reproduces: Cu 2.67, Au 3.01,
/// Al 2.07, Ga 2.19, Nb 3.07, Fe 2.12): sp elements give their group valence (B 3, C 4, N 5,
/// O 6, Al 3, Si 4, Ga 3, …); d-block metals give only the s electrons of the free-atom ground
/// state (Ti 2, Cr 1, Ni 2, Cu 1, Mo 1, Ta 2, W 2, Pt 1, Au 1). For N and O in nitrides and
/// oxides, and for Si, this is the electron count of the valence band (estimated: the
/// free-electron friction is then an upper bound, module docs). Noble gases: 0.
pub fn valence_electrons(z: u8) -> Option<f64> {
    let n = match z {
        1 => 1.0,
        2 | 10 | 18 | 36 | 54 => 0.0,
        3 | 11 | 19 | 37 | 55 => 1.0,
        4 | 12 | 20 | 38 | 56 => 2.0,
        5 | 13 | 31 | 49 | 81 => 3.0,
        6 | 14 | 32 | 50 | 82 => 4.0,
        7 | 15 | 33 | 51 | 83 => 5.0,
        8 | 16 | 34 | 52 => 6.0,
        9 | 17 | 35 | 53 => 7.0,
        // 3d: Sc 4s², Ti 4s², V 4s², Cr 4s¹, Mn 4s², Fe 4s², Co 4s², Ni 4s², Cu 4s¹, Zn 4s²
        21..=23 | 25..=28 | 30 => 2.0,
        24 | 29 => 1.0,
        // 4d: Y 5s², Zr 5s², Nb 5s¹, Mo 5s¹, Tc 5s², Ru 5s¹, Rh 5s¹, Pd 5s⁰ (→ 0), Ag 5s¹, Cd 5s²
        39 | 40 | 43 | 48 => 2.0,
        41 | 42 | 44 | 45 | 47 => 1.0,
        46 => 0.0,
        // 5d: Hf 6s², Ta 6s², W 6s², Re 6s², Os 6s², Ir 6s², Pt 6s¹, Au 6s¹, Hg 6s²
        72..=77 | 80 => 2.0,
        78 | 79 => 1.0,
        _ => return None,
    };
    Some(n)
}

/// Valence-electron density n_e = n Σ cⱼ Z_v,j [nm⁻³] of a layer with atom density
/// `number_density_per_nm3` and composition (Z, atomic fraction); `None` if an element has no
/// [`valence_electrons`] count.
pub fn valence_electron_density_per_nm3(
    number_density_per_nm3: f64,
    composition: &[(u8, f64)],
) -> Option<f64> {
    let mut zv = 0.0;
    for &(z, c) in composition {
        zv += c * valence_electrons(z)?;
    }
    Some(number_density_per_nm3 * zv)
}

/// r_s nodes [a₀] of [`GERRITS_FRICTION_AU`].
pub const GERRITS_RS_BOHR: [f64; 5] = [1.5, 2.0, 2.5, 3.5, 5.0];

/// Friction coefficients η(Z₁, r_s) [a.u.: (E_h/a₀)/(a₀ E_h/ħ), so F = η v with v in a.u.] of an
/// atom Z₁ = 1…92 (column Z₁ − 1) in a homogeneous electron gas, from density-functional
/// phase shifts: Gerrits, Juaristi & Meyer, Phys. Rev. B 102 (2020) 155130, as tabulated in
/// NQCD/NQCDynamics.jl `src/Models/friction/LDFA/ldfa.txt` (data transcribed, NaN where the
/// source has no value). The oscillation with Z₁ is the known Z₁ oscillation of slow-ion
/// stopping (Echenique et al. 1986).
// Data, not constants: 0.318 is a tabulated friction, not 1/π.
#[allow(clippy::approx_constant)]
pub const GERRITS_FRICTION_AU: [[f64; 92]; 5] = [
    // r_s = 1.5
    [
        0.311,
        0.758,
        0.913,
        1.106,
        1.408,
        1.69,
        1.785,
        1.643,
        1.357,
        1.053,
        0.815,
        0.684,
        0.685,
        0.833,
        1.127,
        1.519,
        1.954,
        2.384,
        2.773,
        3.084,
        3.259,
        3.24,
        2.995,
        2.55,
        1.988,
        1.421,
        0.949,
        0.627,
        0.459,
        f64::NAN,
        0.495,
        0.657,
        0.896,
        1.195,
        1.538,
        1.905,
        2.269,
        2.588,
        2.813,
        2.894,
        2.809,
        2.569,
        2.223,
        1.835,
        1.465,
        1.152,
        0.918,
        0.757,
        0.687,
        0.685,
        0.749,
        0.874,
        1.053,
        1.278,
        1.555,
        1.91,
        2.386,
        2.95,
        3.541,
        4.086,
        4.509,
        4.742,
        4.738,
        4.494,
        4.065,
        3.564,
        3.126,
        2.855,
        2.777,
        f64::NAN,
        f64::NAN,
        f64::NAN,
        2.808,
        2.629,
        2.383,
        2.109,
        1.843,
        1.612,
        1.406,
        1.308,
        1.253,
        1.262,
        1.341,
        1.499,
        1.748,
        2.106,
        2.586,
        3.173,
        3.809,
        4.401,
        4.836,
        5.023,
    ],
    // r_s = 2.0
    [
        f64::NAN,
        0.429,
        0.44,
        0.557,
        0.746,
        0.878,
        0.831,
        0.643,
        0.643,
        0.269,
        0.183,
        0.199,
        0.332,
        0.579,
        0.848,
        1.066,
        1.223,
        1.367,
        1.549,
        1.772,
        1.974,
        2.058,
        1.955,
        1.661,
        1.241,
        0.81,
        0.471,
        0.28,
        0.226,
        0.276,
        0.405,
        0.584,
        0.782,
        0.976,
        1.167,
        1.37,
        1.586,
        1.788,
        1.914,
        1.901,
        1.722,
        1.41,
        1.045,
        0.712,
        0.466,
        0.319,
        f64::NAN,
        0.272,
        0.343,
        0.459,
        0.608,
        0.779,
        0.966,
        1.16,
        1.338,
        1.451,
        1.474,
        1.535,
        1.701,
        1.937,
        2.222,
        2.528,
        f64::NAN,
        3.005,
        3.009,
        2.754,
        2.329,
        1.938,
        1.774,
        f64::NAN,
        f64::NAN,
        1.901,
        1.718,
        1.42,
        1.082,
        0.778,
        0.548,
        0.401,
        0.327,
        0.317,
        0.354,
        0.429,
        0.534,
        0.66,
        0.802,
        0.949,
        1.085,
        1.202,
        1.355,
        1.62,
        2.037,
        2.503,
    ],
    // r_s = 2.5
    [
        0.208,
        0.24,
        0.223,
        0.308,
        0.449,
        0.519,
        0.447,
        0.3,
        0.17,
        0.086,
        0.062,
        f64::NAN,
        0.286,
        0.469,
        0.58,
        0.594,
        0.564,
        0.559,
        0.635,
        0.82,
        1.059,
        1.243,
        1.283,
        1.144,
        0.865,
        0.538,
        0.275,
        0.138,
        0.123,
        0.197,
        0.326,
        f64::NAN,
        0.562,
        0.617,
        0.66,
        0.735,
        0.87,
        1.056,
        1.225,
        1.286,
        1.183,
        0.938,
        0.634,
        0.37,
        0.201,
        0.13,
        f64::NAN,
        0.194,
        0.297,
        0.418,
        0.536,
        0.646,
        0.759,
        0.889,
        1.03,
        1.141,
        1.131,
        1.08,
        1.076,
        1.12,
        1.21,
        1.256,
        1.263,
        1.265,
        1.26,
        1.251,
        1.237,
        1.221,
        1.2,
        1.176,
        1.211,
        1.282,
        1.175,
        0.926,
        0.63,
        0.381,
        0.225,
        0.156,
        0.154,
        0.205,
        0.291,
        0.394,
        0.501,
        0.605,
        0.722,
        0.846,
        0.968,
        1.051,
        1.05,
        1.037,
        1.136,
        1.36,
    ],
    // r_s = 3.5
    [
        0.127,
        0.079,
        0.063,
        0.134,
        0.233,
        0.257,
        0.194,
        0.11,
        0.053,
        0.016,
        0.022,
        0.094,
        0.199,
        0.258,
        0.233,
        0.168,
        0.107,
        0.065,
        0.055,
        0.116,
        0.283,
        0.48,
        0.614,
        0.634,
        0.525,
        0.333,
        0.152,
        0.061,
        f64::NAN,
        0.127,
        0.21,
        0.256,
        0.239,
        0.189,
        0.144,
        0.12,
        0.139,
        0.242,
        0.428,
        0.596,
        0.639,
        0.532,
        0.337,
        0.153,
        0.052,
        0.029,
        f64::NAN,
        0.119,
        0.202,
        0.258,
        0.268,
        0.252,
        0.244,
        0.274,
        0.362,
        0.498,
        0.523,
        f64::NAN,
        f64::NAN,
        0.561,
        0.522,
        0.48,
        0.439,
        0.398,
        0.362,
        0.323,
        0.289,
        0.256,
        0.23,
        0.202,
        0.406,
        0.592,
        0.638,
        0.521,
        0.318,
        0.141,
        0.052,
        f64::NAN,
        0.06,
        0.123,
        0.201,
        0.258,
        0.277,
        0.278,
        0.291,
        0.341,
        0.44,
        0.556,
        0.6,
        0.492,
        0.427,
        0.432,
    ],
    // r_s = 5.0
    [
        0.06,
        0.019,
        0.023,
        0.084,
        0.131,
        0.135,
        0.095,
        0.052,
        0.027,
        0.002,
        0.019,
        0.073,
        0.121,
        0.127,
        0.093,
        0.057,
        0.028,
        0.005,
        0.008,
        0.029,
        0.079,
        0.191,
        0.3,
        0.348,
        0.322,
        f64::NAN,
        f64::NAN,
        0.058,
        0.057,
        0.087,
        0.127,
        0.128,
        0.094,
        0.058,
        0.029,
        0.006,
        0.005,
        0.022,
        0.105,
        0.242,
        0.338,
        0.324,
        0.227,
        0.107,
        0.037,
        0.04,
        0.049,
        0.081,
        0.12,
        0.125,
        0.098,
        0.067,
        0.04,
        0.021,
        0.027,
        0.098,
        f64::NAN,
        0.162,
        0.112,
        0.087,
        0.061,
        0.045,
        0.026,
        0.019,
        0.026,
        0.023,
        0.022,
        0.021,
        0.021,
        f64::NAN,
        0.099,
        0.261,
        0.342,
        0.322,
        0.215,
        0.096,
        0.035,
        0.04,
        0.049,
        0.081,
        0.119,
        0.125,
        0.101,
        0.072,
        0.047,
        0.035,
        0.055,
        0.144,
        0.214,
        f64::NAN,
        0.098,
        f64::NAN,
    ],
];

/// Friction coefficient Q(Z₁, r_s) [a.u.] of a slow atom Z₁ in an electron gas of Wigner–Seitz
/// radius r_s [a₀] ([`GERRITS_FRICTION_AU`]).
///
/// Interpolation: linear in (ln r_s, ln Q) between the tabulated r_s nodes that have a value
/// for this Z₁ (missing cells are skipped, not filled); clamped to the end nodes outside
/// 1.5–5.0 a₀ (dense nitrides and oxides reach r_s ≈ 1.6–1.7, so clamping is rarely used).
/// `None` for Z₁ outside 1…92.
pub fn jellium_friction_au(z1: u8, rs_bohr: f64) -> Option<f64> {
    if z1 == 0 || z1 > 92 || !rs_bohr.is_finite() || rs_bohr <= 0.0 {
        return None;
    }
    let col = z1 as usize - 1;
    let nodes: Vec<(f64, f64)> = GERRITS_RS_BOHR
        .iter()
        .zip(GERRITS_FRICTION_AU.iter())
        .filter(|(_, row)| row[col].is_finite() && row[col] > 0.0)
        .map(|(&rs, row)| (rs.ln(), row[col].ln()))
        .collect();
    let (first, last) = (*nodes.first()?, *nodes.last()?);
    let x = rs_bohr.ln();
    if x <= first.0 {
        return Some(first.1.exp());
    }
    if x >= last.0 {
        return Some(last.1.exp());
    }
    let i = nodes.windows(2).position(|w| x <= w[1].0)?;
    let ((x0, y0), (x1, y1)) = (nodes[i], nodes[i + 1]);
    Some((y0 + (y1 - y0) * (x - x0) / (x1 - x0)).exp())
}

/// Converts a friction coefficient η [a.u.] on an atom of mass `mass_amu` to the engine's
/// nonlocal coefficient c [eV^½/nm] with dE/dx = c √E (E in eV):
/// dE/dx = η v · E_h/a₀ and v = √(E/(M E_v₀)), so c = η (E_h/a₀) / √(M E_v₀),
/// E_h/a₀ = 514.2 eV/nm, E_v₀ = 24.80 keV/amu.
pub fn friction_coef_ev_sqrt_per_nm(friction_au: f64, mass_amu: f64) -> f64 {
    friction_au * ATOMIC_FORCE_EV_PER_NM / (mass_amu * BOHR_VELOCITY_EV_PER_AMU).sqrt()
}

/// Inverse of [`friction_coef_ev_sqrt_per_nm`]: the friction γ [a.u.] of a stopping law
/// dE/dx = c √E [c in eV^½/nm] (for LS, c = n Σ cⱼ kⱼ: Au in Au gives 12.7 a.u., audit §1.2).
pub fn friction_au_from_coef(coef_ev_sqrt_per_nm: f64, mass_amu: f64) -> f64 {
    coef_ev_sqrt_per_nm * (mass_amu * BOHR_VELOCITY_EV_PER_AMU).sqrt() / ATOMIC_FORCE_EV_PER_NM
}

/// Electronic loss [eV] over a free path of `path_nm` for an atom entering it with `energy_ev`,
/// for dE/dx = c √E (c = `coef_ev_sqrt_per_nm`), integrated exactly: √E(x) = √E − c x/2, so the
/// loss is E − (√E − cL/2)², or all of E if the atom stops within the path (the same law as
/// the kernel's nonlocal loss; Lindhard & Scharff 1961 for the √E form).
pub fn electronic_loss_ev(energy_ev: f64, path_nm: f64, coef_ev_sqrt_per_nm: f64) -> f64 {
    let h = 0.5 * coef_ev_sqrt_per_nm * path_nm;
    let s = energy_ev.max(0.0).sqrt();
    if h >= s {
        energy_ev.max(0.0)
    } else {
        energy_ev - (s - h) * (s - h)
    }
}

/// The electronic-loss split of one projectile kind in one layer (module docs, "valence
/// friction plus local loss").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValenceLocalSplit {
    /// Wigner–Seitz radius of the layer's valence electrons [a₀].
    pub rs_bohr: f64,
    /// Friction coefficient Q(Z₁, r_s) [a.u.] before the cap.
    pub friction_au: f64,
    /// Nonlocal coefficient [eV^½/nm] to charge on every free path (dE/dx = this · √E):
    /// min(c_val, c_LS).
    pub nonlocal_ev_sqrt_per_nm: f64,
    /// Weight 1 − w of the Oen–Robinson local loss at each collision, w = nonlocal/c_LS.
    pub local_weight: f64,
}

/// Why [`valence_local_split`] could not split.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SlowRecoilError {
    /// An element of the layer has no valence-electron count.
    #[error("no valence-electron count for Z = {0} (slow_recoil::valence_electrons)")]
    NoValenceCount(u8),
    /// The projectile has no tabulated friction coefficient.
    #[error("no electron-gas friction coefficient for Z = {0} (Gerrits et al. 2020 covers 1–92)")]
    NoFriction(u8),
    /// The layer has no valence electrons (noble-gas solid).
    #[error("the layer has no valence electrons")]
    NoElectrons,
}

/// The split for a projectile (Z₁, M₁) in a layer of atom density `number_density_per_nm3` and
/// composition (Z, atomic fraction), given the layer's LS nonlocal coefficient
/// `ls_coef_ev_sqrt_per_nm` = n Σ cⱼ kⱼ [eV^½/nm] (as the kernel computes it for weight 1).
pub fn valence_local_split(
    z1: u8,
    m1_amu: f64,
    number_density_per_nm3: f64,
    composition: &[(u8, f64)],
    ls_coef_ev_sqrt_per_nm: f64,
) -> Result<ValenceLocalSplit, SlowRecoilError> {
    for &(z, _) in composition {
        valence_electrons(z).ok_or(SlowRecoilError::NoValenceCount(z))?;
    }
    let ne = valence_electron_density_per_nm3(number_density_per_nm3, composition)
        .ok_or(SlowRecoilError::NoElectrons)?;
    if ne <= 0.0 {
        return Err(SlowRecoilError::NoElectrons);
    }
    let rs = wigner_seitz_radius_bohr(ne);
    let q = jellium_friction_au(z1, rs).ok_or(SlowRecoilError::NoFriction(z1))?;
    let c_val = friction_coef_ev_sqrt_per_nm(q, m1_amu);
    let nonlocal = c_val.min(ls_coef_ev_sqrt_per_nm);
    let w = if ls_coef_ev_sqrt_per_nm > 0.0 {
        nonlocal / ls_coef_ev_sqrt_per_nm
    } else {
        1.0
    };
    Ok(ValenceLocalSplit {
        rs_bohr: rs,
        friction_au: q,
        nonlocal_ev_sqrt_per_nm: nonlocal,
        local_weight: 1.0 - w,
    })
}

/// A projectile–target pair for the cross-section integrals below.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairSpec {
    /// Interatomic potential.
    pub potential: Potential,
    /// Projectile atomic number.
    pub z1: f64,
    /// Projectile mass [amu].
    pub m1_amu: f64,
    /// Target atomic number.
    pub z2: f64,
    /// Target mass [amu].
    pub m2_amu: f64,
}

impl PairSpec {
    /// Screening length a [nm] of the potential.
    pub fn screening_nm(&self) -> f64 {
        self.potential.screening_length_nm(self.z1, self.z2)
    }

    /// Reduced energy ε per eV of lab energy: a M₂/((M₁+M₂) Z₁Z₂ e²).
    pub fn eps_per_ev(&self) -> f64 {
        self.screening_nm() * self.m2_amu
            / ((self.m1_amu + self.m2_amu) * self.z1 * self.z2 * COULOMB_EV_NM)
    }

    /// Kinematic factor γ = 4M₁M₂/(M₁+M₂)².
    pub fn gamma(&self) -> f64 {
        4.0 * self.m1_amu * self.m2_amu / ((self.m1_amu + self.m2_amu).powi(2))
    }
}

/// Gauss–Mehler nodes used for the cross-section integrals (more than the kernel's 32, since
/// small deflections at large b carry the truncated part).
const SN_QUADRATURE_POINTS: usize = 128;
/// Reduced impact parameters of the integration grid: b from 10⁻⁴ to `B_INFINITY` (ZBL's
/// slowest exponent e^(−0.2 b) makes T b² negligible there).
const B_MIN: f64 = 1e-4;
const B_INFINITY: f64 = 400.0;
/// Simpson intervals in ln b (even).
const SN_INTERVALS: usize = 1200;

/// ∫₀^P f(p) 2πp dp [nm² × unit of f] by Simpson's rule in ln p (dp·p = p² d ln p) with
/// f = `f(eps, b)` evaluated at reduced impact parameter b = p/a.
fn impact_integral(pair: &PairSpec, pmax_nm: f64, f: impl Fn(f64) -> f64) -> f64 {
    let a = pair.screening_nm();
    let b_hi = if pmax_nm.is_finite() {
        pmax_nm / a
    } else {
        B_INFINITY
    };
    if b_hi <= B_MIN {
        return 0.0;
    }
    let (u0, u1) = (B_MIN.ln(), b_hi.ln());
    let n = SN_INTERVALS;
    let h = (u1 - u0) / n as f64;
    let mut sum = 0.0;
    for i in 0..=n {
        let b = (u0 + i as f64 * h).exp();
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        sum += w * f(b) * b * b;
    }
    2.0 * std::f64::consts::PI * a * a * sum * h / 3.0
}

/// sin²(Θ/2) and R₀/a by Gauss–Mehler quadrature with [`SN_QUADRATURE_POINTS`] nodes.
fn scatter(pair: &PairSpec, eps: f64, b: f64) -> (f64, f64) {
    let theta = scattering::theta_quadrature_n(pair.potential, eps, b, SN_QUADRATURE_POINTS);
    let s = (0.5 * theta).sin();
    (s * s, scattering::closest_approach(pair.potential, eps, b))
}

/// Nuclear stopping cross-section S_n(E; P) = ∫₀^P T(p) 2πp dp [eV·nm²] of the pair at lab
/// energy `energy_ev`, truncated at impact parameter `pmax_nm` (`f64::INFINITY`: untruncated),
/// with T = γ E sin²(Θ/2) from the engine's Gauss–Mehler scattering integral (Eckstein 1991
/// eq. 6.2). Multiply by n for dE/dx.
pub fn nuclear_stopping_ev_nm2(pair: &PairSpec, energy_ev: f64, pmax_nm: f64) -> f64 {
    let eps = energy_ev * pair.eps_per_ev();
    let te = pair.gamma() * energy_ev;
    impact_integral(pair, pmax_nm, |b| te * scatter(pair, eps, b).0)
}

/// Share S_n(E; p_max)/S_n(E; ∞) of the nuclear stopping a constant-path BCA keeps with one
/// collision per path (Au–Au: 47 % at 5 eV, 73 % at 50 eV, audit §1.2).
pub fn kept_fraction(pair: &PairSpec, energy_ev: f64, pmax_nm: f64) -> f64 {
    pmax_recovered_fraction(pair, energy_ev, pmax_nm, 0)
}

/// Share of the untruncated nuclear stopping kept with `weak` weak simultaneous collisions per
/// path, i.e. with partners sampled out to p_max √(K+1): S_n(p_max √(K+1)) / S_n(∞). The K
/// annuli p_max √k … p_max √(k+1) each hold one atom per path (n λ π p_max² = 1), so this is
/// exactly what the kernel's `weak_collisions = K` samples on average.
pub fn pmax_recovered_fraction(pair: &PairSpec, energy_ev: f64, pmax_nm: f64, weak: u32) -> f64 {
    let full = nuclear_stopping_ev_nm2(pair, energy_ev, f64::INFINITY);
    let kept = nuclear_stopping_ev_nm2(pair, energy_ev, pmax_nm * ((weak + 1) as f64).sqrt());
    kept / full
}

/// Mean electronic stopping cross-section [eV·nm²] of the valence–local model at lab energy
/// `energy_ev`: w k√E (nonlocal, all impact parameters) + (1 − w) ∫₀^P c_OR √E e^(−0.3 R₀/a)
/// 2πp dp (local, sampled out to `pmax_nm`), where k is the LS coefficient [eV^½ nm²] of the
/// pair and w = 1 − `local_weight`. With `local_weight` = ½ it is the engine's equipartition.
pub fn mean_electronic_cross_section_ev_nm2(
    pair: &PairSpec,
    energy_ev: f64,
    pmax_nm: f64,
    ls_k: f64,
    local_weight: f64,
) -> f64 {
    let eps = energy_ev * pair.eps_per_ev();
    let c_or = super::stopping::oen_robinson_prefactor(ls_k, pair.screening_nm());
    let se = energy_ev.sqrt();
    let local = impact_integral(pair, pmax_nm, |b| {
        let r0 = scattering::closest_approach(pair.potential, eps, b);
        c_or * se * (-0.3 * r0).exp()
    });
    (1.0 - local_weight) * ls_k * se + local_weight * local
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bca::stopping::lindhard_scharff_k;

    const AU: (f64, f64) = (79.0, 196.966_57);
    const SI: (f64, f64) = (14.0, 28.085);
    /// Au: 19.29 g/cm³ (sims/materials/Au.toml) → n = 58.98 nm⁻³; Si: 2.329 g/cm³ → 49.94 nm⁻³.
    const N_AU: f64 = 58.98;
    const N_SI: f64 = 49.94;

    fn pair(p: (f64, f64), t: (f64, f64)) -> PairSpec {
        PairSpec {
            potential: Potential::Zbl,
            z1: p.0,
            m1_amu: p.1,
            z2: t.0,
            m2_amu: t.1,
        }
    }

    fn pmax(n: f64) -> f64 {
        n.powf(-1.0 / 3.0) / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn atomic_unit_conversions() {
        assert!(
            (ATOMIC_FORCE_EV_PER_NM - 514.22).abs() < 0.01,
            "{ATOMIC_FORCE_EV_PER_NM}"
        );
        assert!(
            (BOHR_VELOCITY_EV_PER_AMU - 24_802.0).abs() < 5.0,
            "{BOHR_VELOCITY_EV_PER_AMU}"
        );
        // 25 keV protons move at ≈ v₀ (1.0073 amu).
        assert!((velocity_au(24_802.0 * 1.00728, 1.00728) - 1.0).abs() < 1e-3);
        // round trip
        let c = friction_coef_ev_sqrt_per_nm(0.3, 69.72);
        assert!((friction_au_from_coef(c, 69.72) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn lindhard_scharff_friction_of_au_in_au_is_12_7_au() {
        // Audit §1.2 (independent script): γ_LS(Au in Au) = 12.7 a.u.; Si in Si 1.4.
        let k = lindhard_scharff_k(AU.0, AU.1, AU.0);
        let g = friction_au_from_coef(N_AU * k, AU.1);
        assert!((g - 12.7).abs() < 0.1, "{g}");
        let k = lindhard_scharff_k(SI.0, SI.1, SI.0);
        let g = friction_au_from_coef(N_SI * k, SI.1);
        assert!((g - 1.4).abs() < 0.05, "{g}");
    }

    #[test]
    fn wigner_seitz_radii_match_ashcroft_mermin() {
        // Ashcroft & Mermin Table 1.1: Au 3.01, Cu 2.67, Al 2.07 (n from their lattice data).
        for (z, n, want) in [(79u8, N_AU, 3.01), (29, 84.9, 2.67), (13, 60.26, 2.07)] {
            let ne = valence_electron_density_per_nm3(n, &[(z, 1.0)]).unwrap();
            let rs = wigner_seitz_radius_bohr(ne);
            assert!((rs - want).abs() < 0.02, "Z {z}: {rs}");
        }
        // Si, 4 valence electrons: r_s = 2.00.
        let rs = wigner_seitz_radius_bohr(4.0 * N_SI);
        assert!((rs - 2.00).abs() < 0.02, "{rs}");
        assert!((fermi_velocity_au(2.0) - 0.9596).abs() < 1e-3);
    }

    #[test]
    fn friction_table_reproduces_its_nodes_and_interpolates_between() {
        // Nodes (Gerrits et al. 2020): Si at r_s = 2.0: 0.579; Au at 2.5: 0.154, at 3.5: 0.06.
        assert!((jellium_friction_au(14, 2.0).unwrap() - 0.579).abs() < 1e-12);
        assert!((jellium_friction_au(79, 2.5).unwrap() - 0.154).abs() < 1e-12);
        let q = jellium_friction_au(79, 3.01).unwrap();
        assert!(q < 0.154 && q > 0.06, "{q}");
        // clamped outside the table
        assert_eq!(jellium_friction_au(79, 1.0), jellium_friction_au(79, 1.5));
        assert_eq!(jellium_friction_au(79, 9.0), jellium_friction_au(79, 5.0));
        // missing cells are skipped: Z = 1 has no r_s = 2.0 value
        let q = jellium_friction_au(1, 2.0).unwrap();
        assert!(q < 0.311 && q > 0.208, "{q}");
        assert!(jellium_friction_au(0, 2.0).is_none() && jellium_friction_au(93, 2.0).is_none());
        // every element 1–92 has at least two nodes
        for z in 1..=92u8 {
            assert!(
                jellium_friction_au(z, 3.0).is_some_and(|q| q > 0.0),
                "Z {z}"
            );
        }
    }

    #[test]
    fn proton_friction_is_near_the_linear_response_value_in_aluminium() {
        // Independent check of the table's scale: for protons the nonlinear DFT friction at
        // r_s ≈ 2 is close to (within 2× of) the linear-response (Lindhard/Ritchie) value
        // Q = (2/3π)[ln(1 + π/(α r_s)) − 1/(1 + α r_s/π)], α = (4/9π)^(1/3)
        // (Ritchie, Phys. Rev. 114 (1959) 644; the nonlinear value exceeds it,
        // Echenique et al. 1986).
        let rs: f64 = 2.07;
        let alpha = (4.0 / (9.0 * std::f64::consts::PI)).cbrt();
        let x = alpha * rs / std::f64::consts::PI;
        let lin = 2.0 / (3.0 * std::f64::consts::PI) * ((1.0 + 1.0 / x).ln() - 1.0 / (1.0 + x));
        let q = jellium_friction_au(1, rs).unwrap();
        assert!(q > lin && q < 2.0 * lin, "{q} vs linear response {lin}");
    }

    #[test]
    fn electronic_loss_integrates_the_sqrt_law_exactly() {
        let c = 0.8;
        // small path: first order c √E L
        let l = 1e-6;
        assert!((electronic_loss_ev(100.0, l, c) - c * 10.0 * l).abs() < 1e-12);
        // two half paths = one full path
        let e = 50.0;
        let half = electronic_loss_ev(e, 0.5, c);
        let two = half + electronic_loss_ev(e - half, 0.5, c);
        assert!((two - electronic_loss_ev(e, 1.0, c)).abs() < 1e-12);
        // stops within the path
        assert_eq!(electronic_loss_ev(1.0, 100.0, c), 1.0);
        assert_eq!(electronic_loss_ev(1.0, 0.0, c), 0.0);
    }

    #[test]
    fn au_in_au_valence_share_is_below_one_percent_and_si_near_half() {
        let k = lindhard_scharff_k(AU.0, AU.1, AU.0);
        let s = valence_local_split(79, AU.1, N_AU, &[(79, 1.0)], N_AU * k).unwrap();
        assert!((s.rs_bohr - 3.01).abs() < 0.02);
        let w = 1.0 - s.local_weight;
        assert!(w > 0.003 && w < 0.012, "{w} {s:?}");
        // a 50 eV Au atom loses < 0.1 eV per λ; LS: c√E λ = 5.35 eV to first order (audit §1.2),
        // 5.21 eV integrated exactly (less by c²λ²/4 = 0.14 eV)
        let lambda = N_AU.powf(-1.0 / 3.0);
        let ls = electronic_loss_ev(50.0, lambda, N_AU * k);
        assert!((N_AU * k * 50f64.sqrt() * lambda - 5.35).abs() < 0.02);
        assert!((ls - 5.21).abs() < 0.02, "{ls}");
        let val = electronic_loss_ev(50.0, lambda, s.nonlocal_ev_sqrt_per_nm);
        assert!(val < 0.1, "{val}");
        let k = lindhard_scharff_k(SI.0, SI.1, SI.0);
        let s = valence_local_split(14, SI.1, N_SI, &[(14, 1.0)], N_SI * k).unwrap();
        let w = 1.0 - s.local_weight;
        assert!(w > 0.3 && w < 0.5, "{w}");
    }

    #[test]
    fn nonlocal_share_is_capped_at_lindhard_scharff() {
        // an absurdly small LS coefficient: the valence friction is capped, local weight 0
        let s = valence_local_split(14, SI.1, N_SI, &[(14, 1.0)], 1e-6).unwrap();
        assert_eq!(s.nonlocal_ev_sqrt_per_nm, 1e-6);
        assert_eq!(s.local_weight, 0.0);
        assert_eq!(
            valence_local_split(14, SI.1, N_SI, &[(99, 1.0)], 1.0),
            Err(SlowRecoilError::NoValenceCount(99))
        );
        assert_eq!(
            valence_local_split(14, SI.1, N_SI, &[(18, 1.0)], 1.0),
            Err(SlowRecoilError::NoElectrons)
        );
    }

    #[test]
    fn truncated_nuclear_stopping_matches_the_audit_for_au_in_au() {
        // Audit §1.2 (independent Gauss–Mehler solver): s_n kept by the p_max cut for Au in Au
        // (p_max = 0.145 nm): 47 % at 5 eV, 62 % at 20 eV, 73 % at 50 eV, 98 % at 1 keV.
        let p = pair(AU, AU);
        let pm = pmax(N_AU);
        for (e, want) in [(5.0, 0.47), (20.0, 0.62), (50.0, 0.73), (1000.0, 0.98)] {
            let f = kept_fraction(&p, e, pm);
            assert!((f - want).abs() < 0.03, "{e} eV: {f} vs {want}");
        }
    }

    #[test]
    fn untruncated_nuclear_stopping_matches_the_zbl_universal_formula() {
        // ZBL 1985 universal reduced nuclear stopping (eq. 2-90, ε < 30):
        // s_n(ε) = ln(1 + 1.1383 ε) / (2 (ε + 0.01321 ε^0.21226 + 0.19593 ε^0.5)),
        // S_n = s_n · π a² γ E/ε. It is a fit to ZBL-potential cross-sections (a few % at
        // ε ≥ 10⁻³; larger below, where it was not fitted).
        let p = pair(SI, SI);
        let a = p.screening_nm();
        for e in [1_000.0, 10_000.0, 50_000.0] {
            let eps = e * p.eps_per_ev();
            let sn = (1.0 + 1.1383 * eps).ln()
                / (2.0 * (eps + 0.01321 * eps.powf(0.21226) + 0.19593 * eps.sqrt()));
            let want = sn * std::f64::consts::PI * a * a * p.gamma() * e / eps;
            let got = nuclear_stopping_ev_nm2(&p, e, f64::INFINITY);
            assert!((got / want - 1.0).abs() < 0.05, "{e} eV: {got} vs {want}");
        }
    }

    #[test]
    fn weak_collisions_recover_nuclear_stopping_monotonically() {
        let p = pair(AU, AU);
        let pm = pmax(N_AU);
        for e in [5.0, 20.0, 50.0] {
            let f: Vec<f64> = (0..=3)
                .map(|k| pmax_recovered_fraction(&p, e, pm, k))
                .collect();
            assert!(f.windows(2).all(|w| w[1] > w[0]), "{e} eV: {f:?}");
            assert!(f[3] < 1.0 + 1e-9, "{f:?}");
            assert!(f[2] > 0.75, "{e} eV K=2: {f:?}");
        }
    }

    #[test]
    fn total_tends_to_lindhard_scharff_at_high_energy_and_to_valence_at_low() {
        // Si in Si: high ε (≈ 4.5 at 200 keV) → R₀ ≈ p, so the local term integrates to
        // (1 − w) k√E; at 10 eV the local term has vanished and only w k√E is left. The local
        // loss is sampled out to p_max √(K+1) (K = 2 weak collisions): with p_max alone
        // (b = 12) the Oen–Robinson integral keeps only 1 − e^(−3.6)·4.6 = 87 % of itself.
        let p = pair(SI, SI);
        let k = lindhard_scharff_k(SI.0, SI.1, SI.0);
        let pm = pmax(N_SI) * 3f64.sqrt();
        let s = valence_local_split(14, SI.1, N_SI, &[(14, 1.0)], N_SI * k).unwrap();
        let high = 200_000.0;
        let r = mean_electronic_cross_section_ev_nm2(&p, high, pm, k, s.local_weight)
            / (k * high.sqrt());
        assert!(r > 0.95 && r < 1.0 + 1e-9, "{r}");
        let low = 10.0;
        let r =
            mean_electronic_cross_section_ev_nm2(&p, low, pm, k, s.local_weight) / (k * low.sqrt());
        let w = 1.0 - s.local_weight;
        // the local share has fallen below a quarter of its high-energy value (measured: 13 %;
        // R₀ ≫ p at ε = 2·10⁻⁴)
        assert!(r >= w && r - w < 0.25 * (1.0 - w), "{r} vs w {w}");
        // continuous in energy: no step between neighbouring energies across 10 eV – 100 keV
        let mut last = None;
        for i in 0..=40 {
            let e = 10f64 * 10f64.powf(i as f64 / 10.0);
            let r =
                mean_electronic_cross_section_ev_nm2(&p, e, pm, k, s.local_weight) / (k * e.sqrt());
            if let Some(l) = last {
                assert!(r >= l - 1e-9 && r - l < 0.05, "{e} eV: {l} → {r}");
            }
            last = Some(r);
        }
    }

    /// The design numbers of the module docs (run with
    /// `cargo test --release --lib bca::slow_recoil::tests::design_numbers -- --ignored --nocapture`).
    #[test]
    #[ignore = "prints the design-note tables"]
    fn design_numbers() {
        // (symbol, Z, M, n [nm⁻³]) — densities from sims/materials (Au, Si) and handbook values.
        let el = [
            ("Si", 14.0, 28.085, N_SI),
            ("Ti", 22.0, 47.867, 56.6),
            ("Cr", 24.0, 51.996, 83.3),
            ("Cu", 29.0, 63.546, 84.9),
            ("W", 74.0, 183.84, 63.2),
            ("Au", AU.0, AU.1, N_AU),
        ];
        println!("nuclear stopping kept, S_n(p_max sqrt(K+1))/S_n(inf), ZBL, K = 0..3");
        for &(s, z, m, n) in &el {
            let p = pair((z, m), (z, m));
            for e in [5.0, 10.0, 20.0, 50.0, 100.0] {
                let f: Vec<String> = (0..=3)
                    .map(|k| format!("{:.3}", pmax_recovered_fraction(&p, e, pmax(n), k)))
                    .collect();
                println!("{s}-{s} {e:>5} eV: {}", f.join(" "));
            }
        }
        println!(
            "valence split (projectile in target): r_s, Q, gamma_LS, w, LS/valence loss per λ at 20 eV"
        );
        let ga = ("Ga", 31.0, 69.723);
        for &(s, z, m, n) in &el {
            for (ps, pz, pm) in [(s, z, m), ga] {
                let k = lindhard_scharff_k(pz, pm, z);
                let sp = valence_local_split(pz as u8, pm, n, &[(z as u8, 1.0)], n * k).unwrap();
                let lam = n.powf(-1.0 / 3.0);
                println!(
                    "{ps} in {s}: r_s {:.2} Q {:.3} gamma_LS {:.2} w {:.4} loss/λ@20eV LS {:.3} eq {:.3} val {:.4}",
                    sp.rs_bohr,
                    sp.friction_au,
                    friction_au_from_coef(n * k, pm),
                    1.0 - sp.local_weight,
                    electronic_loss_ev(20.0, lam, n * k),
                    electronic_loss_ev(20.0, lam, 0.5 * n * k),
                    electronic_loss_ev(20.0, lam, sp.nonlocal_ev_sqrt_per_nm)
                );
            }
        }
        let p = pair(SI, SI);
        let k = lindhard_scharff_k(SI.0, SI.1, SI.0);
        for e in [10.0, 100.0, 1e3, 1e4, 3e4, 2e5] {
            let r0 =
                mean_electronic_cross_section_ev_nm2(&p, e, pmax(N_SI), k, 1.0) / (k * e.sqrt());
            let r2 = mean_electronic_cross_section_ev_nm2(&p, e, pmax(N_SI) * 3f64.sqrt(), k, 1.0)
                / (k * e.sqrt());
            println!("Si-Si {e} eV: OR local / LS, K=0 {r0:.3}, K=2 {r2:.3}");
        }
    }
}
