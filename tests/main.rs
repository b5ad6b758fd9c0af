//! The one integration-test binary (ripgrep's layout: one link step for every integration test).
//! Fixtures live in `util`; the golden regression tier in `golden`; the long validation runs in
//! `validation` are `#[ignore]` and run by `scripts/validate_*.sh`.

mod util;

mod bca_cli;
mod bca_physics;
mod bca_rustbca;
mod cli_aging;
mod cli_calibrate;
mod cli_lifetime;
mod cli_run;
mod cli_sweep;
mod examples;
mod golden;
mod layers;
mod lifetime_rescaling;
mod sem_grid;

mod validation {
    mod bca;
    mod magic;
    mod mill;
}
