//! BCA throughput: 30 keV Ga → Si at normal incidence, Kr–C, Lindhard–Scharff, Es = 4.72 eV,
//! recoil cutoff 1.5 eV, full cascades, no weak collisions — the settings of the RustBCA 2.9.0
//! reference — at equal conventions (`Convention::RustBca`, issue 20: RustBCA 2.9.0 runs this
//! case at 41 ions/s on one thread, 300 ions in 7.3 s).
//! Run: `cargo bench --bench bca`. Results go in BENCHMARKS.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use millage::bca::{
    Convention, ElectronicStopping, IonBeam, Options, Potential, Simulation, Target,
};
use millage::config::MaterialLibrary;
use millage::material::element::by_symbol;

fn reference_simulation() -> Simulation {
    let si = MaterialLibrary::bundled()
        .load("Si", "bench", None)
        .unwrap();
    let options = Options {
        potential: Potential::KrC,
        stopping: ElectronicStopping::LindhardScharff,
        cutoff_override_ev: Some(1.5),
        surface_binding_override_ev: Some(4.72),
        weak_collisions: 0,
        convention: Convention::RustBca,
        ..Options::default()
    };
    let beam = IonBeam {
        element: by_symbol("Ga").unwrap(),
        energy_ev: 30_000.0,
        angle_deg: 0.0,
    };
    Simulation::new(Target::from_material(&si), beam, options).unwrap()
}

fn bench(c: &mut Criterion) {
    let sim = reference_simulation();
    let ions = 64u64;
    let mut group = c.benchmark_group("bca_ga30kev_si_krc");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ions));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(format!("{threads}_threads_{ions}_ions"), |b| {
            b.iter(|| pool.install(|| std::hint::black_box(sim.run(1, ions, &|_| {}))))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
