//! `millage run SCENARIO`: write, image and decode one scenario, save its results and print
//! what happened. The physics is `pipeline`'s, the files and reports are `output`'s; this
//! module parses, builds the pool, shows progress, saves and prints.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;

use super::progress::{Spinner, TableBar};
use crate::config;
use crate::error::Result;
use crate::output::{self, bca_cache, manifest, report};
use crate::pipeline::{self, bca_tables};

/// Arguments of `millage run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. sims/record.toml.
    pub scenario: PathBuf,
    /// Results directory to write (default: results/<name>-<UTC time>-s<seed>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed (overrides run.seed of the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Materials library directory (default: sims/materials next to the scenario's sims/,
    /// else the bundled one).
    #[arg(long)]
    pub materials: Option<PathBuf>,
}

/// Runs `millage run`.
pub fn run(args: &RunArgs) -> Result<()> {
    let t0 = Instant::now();
    let library = config::library_for(&args.scenario, args.materials.as_deref());
    let scenario = config::load_scenario(&args.scenario, &library)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let t_load = t0.elapsed().as_secs_f64();

    let pool = super::thread_pool(args.threads)?;
    let t_tables = Instant::now();
    let cache = bca_cache::DiskCache {
        root: output::default_results_root(),
    };
    let bar = TableBar::default();
    let responses =
        pool.install(|| bca_tables::responses(&scenario, &cache, &|event| bar.on(event)))?;
    let t_tables = t_tables.elapsed().as_secs_f64();
    let progress = indicatif::ProgressBar::new_spinner();
    progress.set_message(format!("{}: writing, imaging and decoding", scenario.name));
    progress.enable_steady_tick(std::time::Duration::from_millis(120));
    let t1 = Instant::now();
    let mut spinner = Spinner {
        bar: &progress,
        name: &scenario.name,
    };
    let products =
        pool.install(|| pipeline::run_observed(&scenario, seed, &responses, &mut spinner))?;
    let t_physics = t1.elapsed().as_secs_f64();
    progress.set_message("saving results");

    let out = args.out.clone().unwrap_or_else(|| {
        output::default_results_root().join(output::run_id(&scenario.name, seed))
    });
    let t2 = Instant::now();
    let timings = manifest::RunTimings {
        load: t_load,
        bca_tables: t_tables,
        physics: t_physics,
        stages: products.stage_seconds,
    };
    let manifest = manifest::run_manifest(
        &scenario,
        &library,
        seed,
        pool.current_num_threads(),
        timings,
    )?;
    let lifetime_section = products
        .lifetime
        .as_ref()
        .map(lifetime_markdown)
        .unwrap_or_default();
    let summary_md = report::summary::summary_markdown(&scenario, &products, &lifetime_section);
    let dir = output::run::save(&out, &scenario, &products, &manifest, &summary_md)?;
    let t_save = t2.elapsed().as_secs_f64();
    progress.finish_and_clear();

    for line in report::summary::run_lines(&products.record) {
        println!("{line}");
    }
    if let Some(life) = &products.lifetime {
        print_lifetime(life);
    }
    println!(
        "  results: {}  ({:.2} s physics, {:.2} s saving)",
        dir.display(),
        t_physics,
        t_save
    );
    Ok(())
}

fn yr(x: Option<f64>, status: &str) -> String {
    match x {
        Some(v) => format!("{v:.3e} yr"),
        None => status.replace('_', " "),
    }
}

/// "rescaled" or "real time: mechanisms; probes d/i" of one lifetime row.
fn path_label(
    a: &pipeline::lifetime::LifetimeAnalysis,
    r: &pipeline::lifetime::LifetimeRow,
) -> String {
    let active = a
        .paths
        .iter()
        .find(|p| p.temperature_k == r.temperature_k)
        .map(|p| {
            if p.active.is_empty() {
                "nothing acts within the horizon".to_string()
            } else {
                p.active.join(" + ")
            }
        })
        .unwrap_or_default();
    if r.search_path == "real_time" {
        format!(
            "real time: {active}; {}/{} probes",
            r.decoder_probes, r.information_probes
        )
    } else {
        format!("rescaled in s: {active}")
    }
}

/// Prints the lifetime table (cli is the only layer that prints).
fn print_lifetime(life: &pipeline::lifetime::LifetimeProducts) {
    let a = &life.analysis;
    let probes: Vec<String> = a
        .searches
        .iter()
        .map(|s| format!("{:?} {} probes", s.criterion, s.search.probes))
        .collect();
    println!(
        "  lifetime (horizon {} yr; surface diffusion alone in s: {}; {} age+image+decode probes run, {} of them real-time{}):",
        output::aging::time_label(life.rows.first().map(|r| r.horizon_yr).unwrap_or(0.0)),
        probes.join(", "),
        a.unique_probes,
        a.real_time_probes,
        a.frontier
            .as_ref()
            .map(|f| format!(", + {} frontier probes", f.probes))
            .unwrap_or_default()
    );
    for r in &life.rows {
        let u = life
            .uncertainty
            .iter()
            .find(|u| u.temperature_k == r.temperature_k)
            .map(|u| {
                format!(
                    "; B50 {}, B5 {}",
                    yr(u.b50_yr, "beyond_horizon"),
                    yr(u.b5_yr, "beyond_horizon")
                )
            })
            .unwrap_or_default();
        println!(
            "    {:>6.1} °C: decoder {}, information {}{} [{}]",
            r.temperature_c,
            yr(r.decoder_failure_yr, &r.decoder_status),
            yr(r.information_failure_yr, &r.information_status),
            u,
            path_label(a, r)
        );
    }
    for ar in &a.arrhenius {
        println!(
            "    {:?}: lifetime = target at {}; fitted Ea {}",
            ar.criterion,
            ar.temperature_for_target_c
                .map(|t| format!("{t:.1} °C"))
                .unwrap_or_else(|| "– (outside 50–5000 K)".into()),
            ar.fit
                .map(|f| format!("{:.3} eV ({} points)", f.ea_ev, f.points))
                .unwrap_or_else(|| "– (< 2 lifetimes within the horizon)".into())
        );
    }
    if let Some(d) = &a.test_design {
        println!(
            "    accelerated test: {} h at {} demonstrates {} yr at {:.0} °C{}",
            d.test_duration_h,
            d.bake_temperature_c
                .map(|t| format!("{t:.1} °C"))
                .unwrap_or_else(|| "–".into()),
            d.target_yr,
            d.use_temperature_c,
            match d.code_survives_bake {
                Some(false) => " (the code does not survive it: lifetime at use < target)",
                _ => "",
            }
        );
    }
    if let Some(f) = &a.frontier {
        let c = &f.claim_49nm;
        println!(
            "    49 nm on A4: raw {:.2} TB ({}), tiled {} {:.2} TB ({}) vs the \"> 2 TB\" claim",
            c.density.raw_tb_per_a4,
            if c.raw_exceeds_2tb {
                "> 2 TB"
            } else {
                "< 2 TB"
            },
            c.tiled_symbol,
            c.density.tiled_tb_per_a4,
            if c.tiled_exceeds_2tb {
                "> 2 TB"
            } else {
                "< 2 TB"
            }
        );
    }
}

fn lifetime_markdown(life: &pipeline::lifetime::LifetimeProducts) -> String {
    let a = &life.analysis;
    let mut s = String::from("\n## Lifetime\n\n");
    s += &format!("Method: {}\n\n", a.method);
    s += "| T / °C | decoder failure | information failure | B50 | B5 | 95 % lower bound on B5 | σ(ln t) | search |\n|---|---|---|---|---|---|---|---|\n";
    for r in &life.rows {
        let u = life
            .uncertainty
            .iter()
            .find(|u| u.temperature_k == r.temperature_k);
        let q = |f: fn(&pipeline::lifetime::UncertaintyRow) -> Option<f64>| {
            u.map(|u| yr(f(u), "beyond horizon"))
                .unwrap_or_else(|| "–".into())
        };
        s += &format!(
            "| {:.1} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.temperature_c,
            yr(r.decoder_failure_yr, &r.decoder_status),
            yr(r.information_failure_yr, &r.information_status),
            q(|u| u.b50_yr),
            q(|u| u.b5_yr),
            q(|u| u.lower_95_yr),
            u.map(|u| format!("{:.2}", u.sigma_ln))
                .unwrap_or_else(|| "–".into()),
            path_label(a, r)
        );
    }
    for b in &a.uncertainty_basis {
        if b.basis != "exact rescaling" {
            s += &format!(
                "\nUncertainty at {:.1} °C: {} (anchor ln A = {:.3}{}).",
                crate::units::kelvin_to_celsius(b.temperature_k),
                b.basis,
                b.ln_anchor,
                if b.anchored {
                    ", from the real-time lifetime"
                } else {
                    ", not anchored: the real-time lifetime lies beyond the horizon"
                }
            );
        }
    }
    s += "\n";
    s += &format!(
        "\nHorizon {} yr: later failures are reported as beyond the horizon, not as numbers. B50/B5 are quantiles of the Monte Carlo distribution over the kinetic-parameter uncertainty (credible quantiles); the lower bound is the distribution-free 95 % bound on B5 from the order statistics.\n\n",
        output::aging::time_label(life.rows.first().map(|r| r.horizon_yr).unwrap_or(0.0))
    );
    for sr in &a.searches {
        s += &format!(
            "- search {:?}: {} probes, converged {}, s_fail = {} nm⁴\n",
            sr.criterion,
            sr.search.probes,
            sr.search.converged,
            sr.s_fail_nm4
                .map(|x| format!("{x:.4e}"))
                .unwrap_or_else(|| "–".into())
        );
    }
    if let Some(o) = &a.oxidation_search {
        s += &format!(
            "- search {:?} of oxidation alone ({}) in u = ∫rate dt: {} probes, {}\n",
            o.criterion,
            o.material,
            o.search.probes,
            match o.u_fail {
                Some(u) => format!("u_fail = {u:.4e}"),
                None => format!(
                    "no failure up to u = {:.4e} (the whole film oxidized): oxidation alone does not break the read",
                    o.u_max
                ),
            }
        );
    }
    for r in &a.real_time_searches {
        s += &format!(
            "- real-time search {:?} at {:.1} °C: {} probes (≤ 40), converged {}, first probe {:.3e} s, t_fail = {}\n",
            r.criterion,
            crate::units::kelvin_to_celsius(r.temperature_k),
            r.search.probes,
            r.search.converged,
            r.clock_min_s,
            r.t_fail_yr
                .map(|x| format!("{x:.4e} yr"))
                .unwrap_or_else(|| "–".into())
        );
    }
    for ar in &a.arrhenius {
        s += &format!(
            "- {:?}: lifetime = target at {}; T(1 h) = {}, T(1000 h) = {}; fitted Ea = {}; model Ea = {}\n",
            ar.criterion,
            c(ar.temperature_for_target_c),
            c(ar.temperature_for_1h_c),
            c(ar.temperature_for_1000h_c),
            ar.fit
                .map(|f| format!("{:.3} eV", f.ea_ev))
                .unwrap_or_else(|| "–".into()),
            ar.model_ea_ev
                .map(|e| format!("{e:.3} eV"))
                .unwrap_or_else(|| "–".into())
        );
    }
    if let Some(d) = &a.test_design {
        s += &format!(
            "- accelerated test: {} h at {} demonstrates {} yr at {:.1} °C ({}); code survives: {}\n",
            d.test_duration_h,
            c(d.bake_temperature_c),
            d.target_yr,
            d.use_temperature_c,
            d.model,
            d.code_survives_bake
                .map(|b| b.to_string())
                .unwrap_or_else(|| "unknown".into())
        );
    }
    if let Some(f) = &a.frontier {
        let cl = &f.claim_49nm;
        s += &format!(
            "- density at 49 nm on A4: raw {:.3} TB, tiled {} {:.3} TB (claim \"> 2 TB\": raw {}, tiled {}); temperature for the target lifetime at 49 nm: {}\n",
            cl.density.raw_tb_per_a4,
            cl.tiled_symbol,
            cl.density.tiled_tb_per_a4,
            cl.raw_exceeds_2tb,
            cl.tiled_exceeds_2tb,
            cl.temperature_for_target_c
                .iter()
                .map(|(n, t)| format!("{n} {}", c(*t)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        s += &format!("- frontier: {}\n", f.note);
    }
    s
}

fn c(t: Option<f64>) -> String {
    t.map(|t| format!("{t:.1} °C"))
        .unwrap_or_else(|| "– (outside 50–5000 K)".into())
}
