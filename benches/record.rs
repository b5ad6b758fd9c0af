//! The record scenario with the ideal write (sims/record_ideal.toml: ideal write, SEM image, both decoders, information criterion) at t = 0.
//! Issue target: ≤ 5 s on 2 cores for the whole `millage run`. Results in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use millage::config::{self, MaterialLibrary};
use millage::pipeline;

fn record(c: &mut Criterion) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenario = config::load_scenario(
        &root.join("sims/record_ideal.toml"),
        &MaterialLibrary::bundled(),
    )
    .expect("record scenario loads");
    let mut group = c.benchmark_group("record_t0");
    group.sample_size(10);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(format!("pipeline_{threads}_threads"), |b| {
            b.iter(|| pool.install(|| pipeline::run(&scenario, 1, &[]).expect("runs")))
        });
    }
    group.finish();
}

criterion_group!(benches, record);
criterion_main!(benches);
