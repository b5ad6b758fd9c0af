//! Invariant and fast validation tests of the BCA cascade (slow validations are in
//! `tests/bca_validation.rs`, run by `scripts/validate_bca.sh`). An integration test so that the
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
            for free_flight in [FreeFlight::Constant, FreeFlight::Gas] {
                let options = Options {
                    potential,
                    stopping,
                    free_flight,
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
                        "{potential:?} {stopping:?} {free_flight:?}: {err}"
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
    // tests/bca_validation.rs). Fast version of the validation: 400 ions.
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
fn bad_inputs_are_rejected_with_the_flag_name() {
    let target = Target::from_material(&material("Si"));
    let beam = IonBeam {
        element: by_symbol("Ga").unwrap(),
        energy_ev: 30_000.0,
        angle_deg: 0.0,
    };
    let err = |beam: IonBeam, options: Options| {
        Simulation::new(target.clone(), beam, options)
            .unwrap_err()
            .to_string()
    };
    assert!(
        err(
            IonBeam {
                energy_ev: 0.0,
                ..beam
            },
            Options::default()
        )
        .contains("--energy-kev")
    );
    assert!(
        err(
            IonBeam {
                angle_deg: 90.0,
                ..beam
            },
            Options::default()
        )
        .contains("--angle-deg")
    );
    let neg = Options {
        cutoff_override_ev: Some(-1.0),
        ..Options::default()
    };
    assert!(err(beam, neg).contains("--cutoff-ev"));
    let magic_kr_c = Options {
        potential: Potential::KrC,
        scattering: ScatteringIntegral::Magic,
        ..Options::default()
    };
    assert!(err(beam, magic_kr_c).contains("MAGIC"));
}
