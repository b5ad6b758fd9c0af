//! Invariant and fast validation tests of the BCA cascade (slow validations are in
//! `tests/validation/bca.rs`, run by `scripts/validate_bca.sh`). An integration test so that the
//! `bca` module itself never imports `config` (layering).

use millage::bca::*;
use millage::config::MaterialLibrary;
use millage::material::Material;
use millage::material::element::by_symbol;

fn material(name: &str) -> Material {
    MaterialLibrary::bundled().load(name, "test", None).unwrap()
}

fn sim(ion: &str, energy_ev: f64, angle_deg: f64, target: Target, options: Options) -> Simulation {
    let beam = IonBeam {
        element: by_symbol(ion).unwrap(),
        energy_ev,
        angle_deg,
    };
    Simulation::new(target, beam, options).unwrap()
}

/// Norgett–Robinson–Torrens damage energy ν(E) = E/(1 + k g(ε)) with
/// g(ε) = 3.4008 ε^(1/6) + 0.40244 ε^(3/4) + ε, ε = E/E_L,
/// E_L = 30.724 Z₁Z₂(Z₁^(2/3)+Z₂^(2/3))^(1/2)(M₁+M₂)/M₂ eV, k = 0.1337 Z₁^(1/6)(Z₁/M₁)^(1/2)
/// (Norgett, Robinson & Torrens, Nucl. Eng. Des. 33 (1975) 50; Robinson 1970).
fn nrt_damage_energy_ev(e: f64, z1: f64, m1: f64, z2: f64, m2: f64) -> f64 {
    let el = 30.724 * z1 * z2 * (z1.powf(2.0 / 3.0) + z2.powf(2.0 / 3.0)).sqrt() * (m1 + m2) / m2;
    let eps = e / el;
    let g = 3.4008 * eps.powf(1.0 / 6.0) + 0.40244 * eps.powf(0.75) + eps;
    let k = 0.1337 * z1.powf(1.0 / 6.0) * (z1 / m1).sqrt();
    e / (1.0 + k * g)
}

#[test]
fn energy_partition_balances_for_every_model_on_a_layered_target() {
    let crn = material("CrN");
    let si = material("Si");
    let target = Target::layered(&[(&crn, 3.0), (&si, f64::INFINITY)]);
    for potential in Potential::ALL {
        for stopping in [
            ElectronicStopping::LindhardScharff,
            ElectronicStopping::OenRobinson,
            ElectronicStopping::Equipartition,
        ] {
            for (free_flight, weak_collisions) in [
                (FreeFlight::Constant, 0),
                (FreeFlight::Gas, 0),
                (FreeFlight::Constant, 2),
            ] {
                let options = Options {
                    potential,
                    stopping,
                    free_flight,
                    weak_collisions,
                    surface_binding: SurfaceBinding::TargetAveraged,
                    ..Options::default()
                };
                let s = sim("Ga", 5_000.0, 30.0, target.clone(), options);
                let mut ws = Workspace::default();
                for i in 0..8 {
                    let mut rng = millage::rng::stream(7, millage::rng::Stream::BcaIon, i);
                    let o = s.run_ion(&mut rng, &mut ws);
                    let err = ((o.energy_sum_ev() - o.energy_ev) / o.energy_ev).abs();
                    assert!(
                        err < 1e-9,
                        "{potential:?} {stopping:?} {free_flight:?} K={weak_collisions}: {err}"
                    );
                    assert!(o.electronic_ev >= 0.0 && o.nuclear_ev >= 0.0);
                    assert!(o.collisions > 0);
                    // exactly one fate for the ion
                    assert!(o.implanted_nm.is_some() != o.reflected_ev.is_some());
                    for a in &o.sputtered {
                        assert!(a.dir[2] < 0.0 && a.energy_ev > 0.0);
                    }
                }
            }
        }
    }
}

#[test]
fn same_seed_same_ion_and_thread_count_does_not_matter() {
    let s = sim(
        "Ar",
        2_000.0,
        45.0,
        Target::from_material(&material("Si")),
        Options::default(),
    );
    let run = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let summary = pool.install(|| s.run(3, 300, &|_| {})).summary();
        serde_json::to_string(&summary).unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(4));
    // and a different seed gives a different result
    let other = serde_json::to_string(&s.run(4, 300, &|_| {}).summary()).unwrap();
    assert_ne!(one, other);
}

#[test]
fn normal_incidence_emission_is_centred_and_oblique_is_mirror_symmetric_in_y() {
    // The kernel's standard errors count ions, not atoms (the atoms of one cascade are
    // correlated; `tally::RatioAcc`), so a 4σ window is a 4σ window: an asymmetry of a few
    // tenths of a nm (10–20 % of σ_y) fails.
    let target = Target::from_material(&material("Si"));
    let s = sim("Ar", 3_000.0, 0.0, target.clone(), Options::default());
    let k = s.run(11, 400, &|_| {}).summary().emission_kernel;
    assert!(
        k.mean_x_nm.mean.abs() < 4.0 * k.mean_x_nm.stderr + 1e-9,
        "{k:?}"
    );
    assert!(
        k.mean_y_nm.mean.abs() < 4.0 * k.mean_y_nm.stderr + 1e-9,
        "{k:?}"
    );
    let s = sim("Ar", 3_000.0, 60.0, target, Options::default());
    let k = s.run(12, 400, &|_| {}).summary().emission_kernel;
    assert!(
        k.mean_y_nm.mean.abs() < 4.0 * k.mean_y_nm.stderr + 1e-9,
        "{k:?}"
    );
}

#[test]
fn ga_range_in_si_and_sigmund_recoil_count() {
    // Validation: projected range of 30 keV Ga in Si ≈ 26 nm (SRIM-2013 tables give 27 nm;
    // the brief asks ±15 %), and the number of atoms set in motion above 25 eV within 20 % of
    // Sigmund's N(>E) = Γ_m ν/E with m → 0, Γ₀ = 6/π² (Sigmund, Phys. Rev. 184 (1969) 383),
    // ν from the NRT/Robinson partition.
    let si = material("Si");
    let s = sim(
        "Ga",
        30_000.0,
        0.0,
        Target::from_material(&si),
        Options::default(),
    );
    let summary = s.run(1, 300, &|_| {}).summary();
    let depth = summary.range.depth_mean_nm;
    assert!((depth - 26.0).abs() < 0.15 * 26.0, "range {depth} nm");
    let nu = nrt_damage_energy_ev(30_000.0, 31.0, 69.723, 14.0, 28.085);
    let sigmund = 6.0 / std::f64::consts::PI.powi(2) * nu / 25.0;
    let counted = summary.cascade.recoils_above_threshold_per_ion.mean;
    assert!(
        (counted - sigmund).abs() < 0.2 * sigmund,
        "recoils above 25 eV: {counted} vs Sigmund {sigmund}"
    );
    assert!(summary.energy_partition.max_relative_error_per_ion < 1e-9);
}

#[test]
fn ga_on_si_yield_is_within_30_percent_of_yamamura_tawara() {
    // Yamamura & Tawara, ADNDT 62 (1996) 149, with Table I parameters: 2.37 atoms/ion
    // (../shared/validation/sputter_yields.csv; the formula is evaluated in
    // tests/validation/bca.rs). Fast version of the validation: 400 ions.
    let s = sim(
        "Ga",
        30_000.0,
        0.0,
        Target::from_material(&material("Si")),
        Options::default(),
    );
    let y = s.run(1, 400, &|_| {}).summary().sputter_yield.total;
    assert!(
        (y.mean - 2.37).abs() < 0.3 * 2.37,
        "Y = {} ± {}",
        y.mean,
        y.stderr
    );
}

#[test]
fn table_magic_and_quadrature_cascades_agree_within_statistics() {
    let target = Target::from_material(&material("Si"));
    let run = |scattering| {
        let options = Options {
            scattering,
            ..Options::default()
        };
        sim("Ar", 1_000.0, 0.0, target.clone(), options)
            .run(5, 300, &|_| {})
            .summary()
    };
    let t = run(ScatteringIntegral::Table);
    for other in [ScatteringIntegral::Quadrature, ScatteringIntegral::Magic] {
        let o = run(other);
        let (a, b) = (t.sputter_yield.total, o.sputter_yield.total);
        let sigma = (a.stderr.powi(2) + b.stderr.powi(2)).sqrt();
        assert!(
            (a.mean - b.mean).abs() < 4.0 * sigma,
            "{other:?}: {a:?} vs {b:?}"
        );
        let (da, db) = (t.range.depth_mean_nm, o.range.depth_mean_nm);
        let sd =
            (t.range.depth_mean_stderr_nm.powi(2) + o.range.depth_mean_stderr_nm.powi(2)).sqrt();
        assert!((da - db).abs() < 4.0 * sd, "{other:?}: depth {da} vs {db}");
    }
}

#[test]
fn recoil_cutoff_below_surface_binding_does_not_change_the_yield() {
    // An atom below Es can never cross a planar barrier, so any cutoff < Es is unbiased for
    // sputtering; a cutoff of 4 eV (< Es = 4.63 eV) vs 1 eV must agree within statistics.
    let target = Target::from_material(&material("Si"));
    let run = |cutoff| {
        let options = Options {
            cutoff_override_ev: Some(cutoff),
            ..Options::default()
        };
        sim("Ar", 2_000.0, 0.0, target.clone(), options)
            .run(9, 500, &|_| {})
            .summary()
            .sputter_yield
            .total
    };
    let (a, b) = (run(1.0), run(4.0));
    let sigma = (a.stderr.powi(2) + b.stderr.powi(2)).sqrt();
    assert!((a.mean - b.mean).abs() < 4.0 * sigma, "{a:?} vs {b:?}");
}

#[test]
fn bad_inputs_are_rejected_naming_the_field() {
    let target = Target::from_material(&material("Si"));
    let beam = IonBeam {
        element: by_symbol("Ga").unwrap(),
        energy_ev: 30_000.0,
        angle_deg: 0.0,
    };
    let err = |beam: IonBeam, options: Options| {
        Simulation::new(target.clone(), beam, options).unwrap_err()
    };
    let zero = IonBeam {
        energy_ev: 0.0,
        ..beam
    };
    assert_eq!(err(zero, Options::default()).field, BcaField::Energy);
    let grazing = IonBeam {
        angle_deg: 90.0,
        ..beam
    };
    assert_eq!(err(grazing, Options::default()).field, BcaField::Angle);
    let neg = Options {
        cutoff_override_ev: Some(-1.0),
        ..Options::default()
    };
    assert_eq!(err(beam, neg).field, BcaField::Cutoff);
    let magic_kr_c = Options {
        potential: Potential::KrC,
        scattering: ScatteringIntegral::Magic,
        ..Options::default()
    };
    let e = err(beam, magic_kr_c);
    assert_eq!(e.field, BcaField::Scattering);
    assert!(e.to_string().contains("MAGIC"));
}

/// ZBL universal reduced nuclear stopping fit, valid for ε ≤ 30 (Ziegler, Biersack & Littmark
/// 1985, eq. 2-90): s_n = ln(1 + 1.1383ε) / (2(ε + 0.01321ε^0.21226 + 0.19593ε^0.5)).
fn zbl_sn(eps: f64) -> f64 {
    (1.0 + 1.1383 * eps).ln() / (2.0 * (eps + 0.01321 * eps.powf(0.21226) + 0.19593 * eps.sqrt()))
}

/// ε ∫₀^{b_max} sin²(Θ/2) d(b²) by the trapezoid rule in ln b: the reduced nuclear stopping the
/// cascade samples when impact parameters are cut at b_max = p_max/a.
fn table_sn(table: &ScatteringTable, eps: f64, b_max: f64) -> f64 {
    let (n, lo, hi) = (3000, (1e-5f64).ln(), b_max.ln());
    let h = (hi - lo) / n as f64;
    (0..=n)
        .map(|i| {
            let b = (lo + h * i as f64).exp();
            let w = if i == 0 || i == n { 0.5 } else { 1.0 };
            w * table.lookup(eps, b).0 * 2.0 * b * b * h
        })
        .sum::<f64>()
        * eps
}

/// Θ by an evaluator independent of the engine's: bisection for R₀ and composite 8-point
/// Gauss–Legendre on Θ = π − (2b/R₀) ∫₀¹ 2t dt / √F(R₀/(1 − t²)) (u = R₀/R = 1 − t² removes
/// the endpoint singularity; F(R) = 1 − φ(R)/(Rε) − b²/R²).
fn theta_gauss_legendre(pot: Potential, eps: f64, b: f64) -> f64 {
    let g = |r: f64| r * r - r * pot.phi(r) / eps - b * b;
    let (mut lo, mut hi) = (b.max(1e-12), 1.0 / eps + b + 1.0);
    for _ in 0..200 {
        let m = 0.5 * (lo + hi);
        if g(m) > 0.0 { hi = m } else { lo = m }
    }
    let r0 = 0.5 * (lo + hi);
    let x = [
        0.183_434_642_495_649_8,
        0.525_532_409_916_329,
        0.796_666_477_413_626_7,
        0.960_289_856_497_536_3,
    ];
    let w = [
        0.362_683_783_378_362,
        0.313_706_645_877_887_3,
        0.222_381_034_453_374_5,
        0.101_228_536_290_376_3,
    ];
    let panels = 400;
    let mut sum = 0.0;
    for k in 0..panels {
        let (m, h) = ((k as f64 + 0.5) / panels as f64, 0.5 / panels as f64);
        for i in 0..4 {
            for t in [m - h * x[i], m + h * x[i]] {
                let r = r0 / (1.0 - t * t);
                let f = 1.0 - pot.phi(r) / (r * eps) - b * b / (r * r);
                sum += w[i] * h * 2.0 * t / f.sqrt();
            }
        }
    }
    std::f64::consts::PI - 2.0 * b / r0 * sum
}

#[test]
fn nuclear_stopping_seen_by_the_cascade_matches_zbl() {
    // The heavy-target yield deficit with Lindhard–Scharff stopping was first suspected to be a
    // scattering error at the low ε of the cascade tail (Au–Au: ε ≈ 4.8·10⁻⁷ per eV). It is not:
    // 1. the universal table agrees with an independent Gauss–Legendre quadrature to < 1 % (ZBL)
    //    and < 2 % (Kr–C) in sin²(Θ/2) for ε = 3·10⁻⁷…1, b = 0.05…100 (measured worst 0.7 % and
    //    1.4 %, at ε ≈ 10⁻⁶, b ≈ 40);
    // 2. its untruncated s_n(ε) agrees with the ZBL fit within 5 % for ε = 10⁻⁶…10 (measured
    //    worst −4.2 % at 10⁻⁶, the edge of the fit's accuracy);
    // 3. what the cascade does lose is the p_max truncation, documented here: for Au–Au
    //    (b_max = p_max/a = 16.9) it keeps 40 % of s_n at ε = 10⁻⁶ (2 eV), 62 % at 10⁻⁵ and 88 %
    //    at 10⁻⁴; two weak collisions (Options::weak_collisions) bring that above 80 %.
    for pot in [Potential::Zbl, Potential::KrC] {
        let table = ScatteringTable::shared(pot);
        let tol = if pot == Potential::Zbl { 0.01 } else { 0.02 };
        for ie in 0..=15 {
            let eps = 10f64.powf(-6.5 + 0.4 * ie as f64);
            for ib in 0..=20 {
                let b = 10f64.powf(-1.3 + 0.165 * ib as f64);
                let s = (0.5 * theta_gauss_legendre(pot, eps, b)).sin().powi(2);
                if s < 1e-10 {
                    continue;
                }
                let st = table.lookup(eps, b).0;
                assert!(
                    ((st - s) / s).abs() < tol,
                    "{pot:?} ε={eps:e} b={b}: {st} vs {s}"
                );
            }
        }
    }
    let table = ScatteringTable::shared(Potential::Zbl);
    for ie in 0..=14 {
        let eps = 10f64.powf(-6.0 + 0.5 * ie as f64);
        let full = table_sn(table, eps, 2000.0);
        let fit = zbl_sn(eps);
        assert!(
            ((full - fit) / fit).abs() < 0.05,
            "ε={eps:e}: {full} vs ZBL fit {fit}"
        );
    }
    let kept =
        |eps: f64, k: f64| table_sn(table, eps, 16.9 * k.sqrt()) / table_sn(table, eps, 2000.0);
    assert!((kept(1e-6, 1.0) - 0.40).abs() < 0.03, "{}", kept(1e-6, 1.0));
    assert!((kept(1e-5, 1.0) - 0.62).abs() < 0.03, "{}", kept(1e-5, 1.0));
    assert!(kept(1e-6, 3.0) > 0.8, "{}", kept(1e-6, 3.0));
}

/// Lindhard's integral equation (Lindhard, Nielsen, Scharff & Thomsen, Mat. Fys. Medd. Dan.
/// Vid. Selsk. 33 no. 10 (1963)) for the energy η(E) a self-ion cascade (M₁ = M₂, so T = E sin²(Θ/2))
/// eventually gives to electrons, with continuous nonlocal loss S_e = k√E and the BCA's own
/// cross-section, impact parameters up to `b_max`:
/// S_e (1 − η′) = ∫ dσ [η(E) − η(E − T) − η(T)], η = 0 below the cutoff `ec` (atoms that stop
/// and transfers below Ec go to the lattice, as in the cascade). Solved upward on a geometric
/// grid, implicitly in η(E). Returns η(e_max)/e_max.
fn lindhard_electronic_fraction(
    z: f64,
    m: f64,
    n_per_nm3: f64,
    e_max: f64,
    ec: f64,
    truncated: bool,
) -> f64 {
    let table = ScatteringTable::shared(Potential::Zbl);
    let a = Potential::Zbl.screening_length_nm(z, z);
    let eps_per_ev = a * 0.5 / (z * z * millage::units::COULOMB_EV_NM);
    let k = millage::bca::stopping::lindhard_scharff_k(z, m, z);
    let b_max = if truncated {
        n_per_nm3.powf(-1.0 / 3.0) / std::f64::consts::PI.sqrt() / a
    } else {
        2000.0
    };
    let r = 1.004f64;
    let mut es = vec![ec];
    while *es.last().unwrap() < e_max {
        let l = *es.last().unwrap();
        es.push(l * r);
    }
    let mut eta = vec![0.0f64; es.len()];
    let at = |eta: &[f64], e: f64| -> f64 {
        if e <= ec {
            return 0.0;
        }
        let i = ((e / ec).ln() / r.ln()).floor() as usize;
        let f = (e - es[i]) / (es[i + 1] - es[i]);
        eta[i] * (1.0 - f) + eta[i + 1] * f
    };
    let nb = 600;
    let (lo, hi) = ((1e-4f64).ln(), b_max.ln());
    let h = (hi - lo) / nb as f64;
    for i in 1..es.len() {
        let (e, de) = (es[i], es[i] - es[i - 1]);
        let se = k * e.sqrt();
        // ∫dσ[η(E) − η(E−T) − η(T)] = ca·x + cb, x = η(E_i) unknown
        let (mut ca, mut cb) = (0.0, 0.0);
        for ib in 0..=nb {
            let b = (lo + h * ib as f64).exp();
            let w = if ib == 0 || ib == nb { 0.5 } else { 1.0 };
            let dsig = w * 2.0 * std::f64::consts::PI * b * b * h * a * a;
            let t = e * table.lookup(e * eps_per_ev, b).0;
            let rest = e - t;
            let (xa, xb) = if rest > es[i - 1] {
                let f = (rest - es[i - 1]) / de;
                (f, eta[i - 1] * (1.0 - f))
            } else {
                (0.0, at(&eta, rest))
            };
            ca += dsig * (1.0 - xa);
            cb -= dsig * (xb + at(&eta, t));
        }
        eta[i] = (se + se * eta[i - 1] / de - cb) / (ca + se / de);
    }
    eta[es.len() - 1] / es[es.len() - 1]
}

#[test]
fn lindhard_scharff_cascade_energy_partition_matches_lindhards_equation_for_the_same_model() {
    // The electronic share of a Lindhard–Scharff cascade is what Lindhard's integral equation
    // gives for the same cross-sections (ZBL, p_max-truncated, LS, Ec = 1 eV) — the engine's
    // bookkeeping is right and the large share is the model's (see bca::stopping docs).
    // Measured: Si→Si 1 keV cascade 0.546 vs equation 0.513 (untruncated 0.344); Au→Au 1 keV
    // cascade 0.825 vs 0.785 (untruncated 0.471). The remaining +0.03…0.04 is the discreteness
    // of the free path (loss charged per path λ, not continuously; audit
    // ../shared/reviews/bca_mill.md §2: 0.033–0.040), so the tolerance is 0.05. NRT/Robinson ν
    // gives 0.22 and 0.14: its Thomas–Fermi s_n is 3× the ZBL value at ε = 10⁻⁵.
    // (That the truncated model is far from the untruncated one is a property of the model,
    // not asserted here: weak collisions, the default since issue 20, recover most of it.)
    for (sym, z, n, ions) in [("Si", 14.0, 49.94, 300), ("Au", 79.0, 59.0, 150)] {
        let m = by_symbol(sym).unwrap().mass_amu;
        let options = Options {
            stopping: ElectronicStopping::LindhardScharff,
            cutoff_override_ev: Some(1.0),
            weak_collisions: 0,
            ..Options::default()
        };
        let target = Target::from_material(&material(sym));
        let n_model = target.layers[0].number_density_per_nm3;
        assert!((n_model - n).abs() < 0.5, "{sym}: n = {n_model}");
        let s = sim(sym, 1_000.0, 0.0, target, options);
        let mc = s
            .run(2, ions, &|_| {})
            .summary()
            .energy_partition
            .electronic
            .mean;
        let eq = lindhard_electronic_fraction(z, m, n_model, 1_000.0, 1.0, true);
        assert!(
            (mc - eq).abs() < 0.05,
            "{sym}: cascade {mc} vs equation {eq}"
        );
    }
}

#[test]
fn energy_partition_of_30kev_ga_in_au_by_stopping_model() {
    // Electronic fraction of 30 keV Ga → Au. Lindhard/NRT partition ν(ε) (Lindhard et al. 1963;
    // Robinson's fit, Norgett, Robinson & Torrens 1975) gives 1 − ν/E = 0.26; SRIM puts ≈ 20–25 %
    // into ionisation. The default (valence-electron friction for slow atoms, issue 20) must
    // land in Lindhard's band 0.26 ± 0.10, as must local Oen–Robinson; more nonlocal weight
    // means more loss (OR < equipartition < LS) whatever the values. No band is asserted for
    // LS or equipartition: their high shares are the slow-recoil artefact of the audit
    // (../shared/reviews/bca_mill.md §1.2), not physics to protect.
    let nu = nrt_damage_energy_ev(30_000.0, 31.0, 69.723, 79.0, 196.967) / 30_000.0;
    let lindhard = 1.0 - nu;
    assert!(
        (lindhard - 0.26).abs() < 0.01,
        "NRT electronic fraction {lindhard}"
    );
    let au = Target::from_material(&material("Au"));
    let frac = |stopping, weak_collisions| {
        let options = Options {
            stopping,
            weak_collisions,
            ..Options::default()
        };
        sim("Ga", 30_000.0, 0.0, au.clone(), options)
            .run(4, 60, &|_| {})
            .summary()
            .energy_partition
            .electronic
            .mean
    };
    let default = frac(ElectronicStopping::ValenceLocal, 2);
    let or = frac(ElectronicStopping::OenRobinson, 0);
    let eq = frac(ElectronicStopping::Equipartition, 0);
    let ls = frac(ElectronicStopping::LindhardScharff, 0);
    assert!(
        (default - lindhard).abs() < 0.10,
        "default {default} vs Lindhard {lindhard}"
    );
    assert!(
        (or - lindhard).abs() < 0.10,
        "Oen–Robinson {or} vs Lindhard {lindhard}"
    );
    assert!(or < eq && eq < ls, "OR {or}, equipartition {eq}, LS {ls}");
}

#[test]
fn ga_on_au_yield_against_yamamura_tawara() {
    // Y–T 1996 (Table I parameters): 17.48 atoms/ion at 30 keV; FIB milling rates give an
    // effective 14.2–17.0 (../shared/validation/sputter_yields.csv). The ±30 % band of the
    // data about Y–T applies above; below, the default is known to stay short (issue 20 report:
    // ≈ −35 %, heavy-target spike yield and the ZBL tail, not fitted away), so the lower bound
    // is 0.6·Y–T. Lindhard–Scharff friction on slow recoils (7.2) or equipartition (10.3) fails.
    let s = sim(
        "Ga",
        30_000.0,
        0.0,
        Target::from_material(&material("Au")),
        Options {
            stopping: ElectronicStopping::ValenceLocal,
            weak_collisions: millage::bca::slow_recoil::DEFAULT_WEAK_COLLISIONS,
            ..Options::default()
        },
    );
    let y = s.run(1, 200, &|_| {}).summary().sputter_yield.total;
    assert!(
        (0.6 * 17.48..=1.3 * 17.48).contains(&y.mean),
        "Y = {} ± {}",
        y.mean,
        y.stderr
    );
}
