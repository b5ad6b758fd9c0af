//! Aging solvers. Issue 6 targets: linear propagation of a 2048² grid to any horizon ≤ 0.5 s
//! on 2 cores; the nonlinear solver's cost per simulated decade reported. Results in
//! BENCHMARKS.md ("Aging").

use criterion::{Criterion, criterion_group, criterion_main};
use millage::age::spectral::Spectral2d;
use millage::age::surface::{self, Capillary, NonlinearSettings};
use millage::config::MaterialLibrary;

/// A field of square pits: 20 nm deep, 48 nm modules on 2 nm cells, every other module milled
/// in a checkerboard (the record's cell and depth).
fn pits(n: usize) -> Vec<f64> {
    (0..n * n)
        .map(|k| {
            let (i, j) = (k % n, k / n);
            if ((i / 24) + (j / 24)) % 2 == 0 {
                -20.0
            } else {
                0.0
            }
        })
        .collect()
}

fn linear(c: &mut Criterion) {
    let n = 2048;
    let field = pits(n);
    let spectral = Spectral2d::new(n, n);
    let mut group = c.benchmark_group("age_linear_2048");
    group.sample_size(10);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        // Any horizon costs the same: ∫B dt enters only the multiplier.
        group.bench_function(format!("propagate_{threads}_threads"), |b| {
            b.iter(|| {
                let mut h = field.clone();
                pool.install(|| {
                    surface::propagate_linear(
                        &spectral,
                        &mut h,
                        2.0,
                        &Capillary::surface_only(1.0e6),
                    )
                });
                h
            })
        });
    }
    group.finish();
}

fn nonlinear(c: &mut Criterion) {
    // One simulated decade at 300 °C with CrN's B on a 192² patch (4 × 4 modules of 48 nm,
    // 80° walls ≈ 1/20 of the record's field), from the sharp as-written state.
    let crn = MaterialLibrary::bundled()
        .load("CrN", "bench", None)
        .unwrap();
    let b = surface::mullins_b_nm4_per_s(crn.surface.as_ref().unwrap(), 573.15);
    let tau = b * 10.0 * millage::units::SECONDS_PER_YEAR;
    let n = 192;
    let d = 2.0;
    let field: Vec<f64> = (0..n * n)
        .map(|k| {
            let (i, j) = (k % n, k / n);
            // Slope 5.7 walls (80°) between pits and plateau.
            let s = ((i % 48) as f64 - 24.0)
                .abs()
                .max(((j % 48) as f64 - 24.0).abs());
            -20.0 * ((12.0 - s) * d / 3.5).clamp(0.0, 1.0)
        })
        .collect();
    let spectral = Spectral2d::new(n, n);
    let mobility = vec![1.0; n * n];
    let mut group = c.benchmark_group("age_nonlinear_decade_300c_192");
    group.sample_size(10);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    group.bench_function("decade_2_threads", |bch| {
        bch.iter(|| {
            let mut h = field.clone();
            let mut first = 0.0;
            pool.install(|| {
                surface::integrate_nonlinear(
                    &spectral,
                    &mut h,
                    &mobility,
                    d,
                    tau,
                    &NonlinearSettings::default(),
                    &mut first,
                )
                .unwrap()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, linear, nonlinear);
criterion_main!(benches);
