//! Verification of the engine against RustBCA at equal conventions (issue 20): under
//! `Convention::RustBca` the step ordering is RustBCA 2.9's and everything else is the engine's
//! own, so the two codes must agree within statistics.
//!
//! Reference (issue 20, measured by the session with RustBCA 2.9.0, Mendenhall–Weller
//! scattering, Newton tolerance 1e-3, 15,000 ions pooled): 30 keV Ga → Si at 0°, Kr–C, Lindhard–
//! Scharff nonlocal, Es 4.72 eV, Ec 1.5 eV (Ga: Ec 1.0 eV, Es 2.82 eV), constant free path:
//! Y = 2.581 ± 0.027 atoms/ion, ≈ 24,400 binary collisions/ion (≈ 17,400 moving recoils).
//! Acceptance (issue 20): yield within 3σ(combined) + 3 %, collisions/ion within 5 %.
//! Not fitted: no parameter of the engine is adjusted to these numbers; the convention is
//! learned from RustBCA's source (see `millage::bca::Convention::RustBca`).

use millage::bca::*;
use millage::config::MaterialLibrary;
use millage::material::element::by_symbol;

const RUSTBCA_YIELD: f64 = 2.581;
const RUSTBCA_YIELD_STDERR: f64 = 0.027;
const RUSTBCA_COLLISIONS_PER_ION: f64 = 24_400.0;

fn si_case(convention: Convention, angle_deg: f64) -> Simulation {
    let si = MaterialLibrary::bundled().load("Si", "test", None).unwrap();
    let options = Options {
        potential: Potential::KrC,
        stopping: ElectronicStopping::LindhardScharff,
        surface_binding_override_ev: Some(4.72),
        cutoff_override_ev: Some(1.5),
        // RustBCA's default weak-collision order (0); the engine's default is 2
        weak_collisions: 0,
        convention,
        ..Options::default()
    };
    let beam = IonBeam {
        element: by_symbol("Ga").unwrap(),
        energy_ev: 30_000.0,
        angle_deg,
    };
    Simulation::new(Target::from_material(&si), beam, options).unwrap()
}

#[test]
fn rustbca_convention_reproduces_rustbca_for_30kev_ga_on_si() {
    // 2,000 ions: σ(Y) ≈ 0.07, so the yield window 3σ_comb + 3 % ≈ ±0.30 atoms/ion resolves a
    // 12 % gap; ≈ 10 s per thread in release.
    let s = si_case(Convention::RustBca, 0.0)
        .run(20, 2_000, &|_| {})
        .summary();
    let y = s.sputter_yield.total;
    let window =
        3.0 * (y.stderr.powi(2) + RUSTBCA_YIELD_STDERR.powi(2)).sqrt() + 0.03 * RUSTBCA_YIELD;
    assert!(
        (y.mean - RUSTBCA_YIELD).abs() < window,
        "Y = {:.3} ± {:.3}, RustBCA {RUSTBCA_YIELD} ± {RUSTBCA_YIELD_STDERR} (window ±{window:.3})",
        y.mean,
        y.stderr
    );
    let c = s.cascade.collisions_per_ion.mean;
    assert!(
        (c / RUSTBCA_COLLISIONS_PER_ION - 1.0).abs() < 0.05,
        "{c:.0} collisions/ion, RustBCA ≈ {RUSTBCA_COLLISIONS_PER_ION}"
    );
    assert!(s.energy_partition.max_relative_error_per_ion < 1e-9);
}

#[test]
fn the_conventions_differ_where_the_audit_says() {
    // The default (TRIM-order) engine charges every recoil's first flight and the escape
    // flight: fewer collisions and a lower yield than under RustBCA's order on the same
    // physics (issue 20: 14,890 collisions/ion and Y = 2.11 ± 0.08). A sanity check that the
    // switch does something, and in the documented direction, not a pin of either value.
    let ours = si_case(Convention::Millage, 0.0)
        .run(21, 300, &|_| {})
        .summary();
    let theirs = si_case(Convention::RustBca, 0.0)
        .run(21, 300, &|_| {})
        .summary();
    let (a, b) = (
        ours.cascade.collisions_per_ion.mean,
        theirs.cascade.collisions_per_ion.mean,
    );
    assert!(
        b > 1.3 * a,
        "collisions/ion: millage {a:.0}, rustbca {b:.0}"
    );
    assert!(
        theirs.energy_partition.electronic.mean < ours.energy_partition.electronic.mean,
        "RustBCA's order charges less electronic loss"
    );
}

#[test]
fn rustbca_convention_balances_energy_and_is_thread_count_identical() {
    // layered target, oblique incidence, weak collisions: every branch of the surface logic
    let lib = MaterialLibrary::bundled();
    let crn = lib.load("CrN", "test", None).unwrap();
    let si = lib.load("Si", "test", None).unwrap();
    let target = Target::layered(&[(&crn, 2.0), (&si, f64::INFINITY)]);
    for (angle_deg, weak_collisions) in [(0.0, 0), (60.0, 0), (80.0, 2)] {
        let options = Options {
            convention: Convention::RustBca,
            weak_collisions,
            ..Options::default()
        };
        let beam = IonBeam {
            element: by_symbol("Ga").unwrap(),
            energy_ev: 5_000.0,
            angle_deg,
        };
        let s = Simulation::new(target.clone(), beam, options).unwrap();
        let mut ws = Workspace::default();
        for i in 0..16 {
            let mut rng = millage::rng::stream(5, millage::rng::Stream::BcaIon, i);
            let o = s.run_ion(&mut rng, &mut ws);
            let err = ((o.energy_sum_ev() - o.energy_ev) / o.energy_ev).abs();
            assert!(err < 1e-9, "{angle_deg}° K={weak_collisions}: {err}");
            assert!(o.implanted_nm.is_some() != o.reflected_ev.is_some());
            for a in &o.sputtered {
                assert!(a.dir[2] < 0.0 && a.energy_ev > 0.0, "{a:?}");
            }
        }
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            serde_json::to_string(&pool.install(|| s.run(9, 96, &|_| {})).summary()).unwrap()
        };
        assert_eq!(run(1), run(2), "{angle_deg}°");
    }
}
