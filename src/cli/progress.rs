//! Progress on the terminal (indicatif): the BCA table bar, the run's spinner and the sweep's
//! point bar. The layers below report progress through closures and observer traits; only
//! here does it reach the screen.

use std::sync::{Mutex, OnceLock};

use indicatif::{ProgressBar, ProgressStyle};

use crate::pipeline::bca_tables::TableProgress;
use crate::sweep::executor::SweepObserver;

/// A bar per BCA table being computed.
#[derive(Debug, Default)]
pub struct TableBar {
    bar: Mutex<Option<ProgressBar>>,
}

impl TableBar {
    /// Shows one progress event.
    pub fn on(&self, event: TableProgress<'_>) {
        let mut bar = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            TableProgress::Started {
                material,
                angles,
                ions_per_angle,
            } => {
                let b = ProgressBar::new(angles as u64);
                b.set_style(
                    ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} angles, ETA {eta}")
                        .expect("valid template"),
                );
                b.set_message(format!(
                    "BCA table for {material} ({ions_per_angle} ions/angle)"
                ));
                *bar = Some(b);
            }
            TableProgress::Angles(done) => {
                if let Some(b) = bar.as_ref() {
                    b.set_position(done as u64);
                }
            }
            TableProgress::Finished => {
                if let Some(b) = bar.take() {
                    b.finish_and_clear();
                }
            }
        }
    }
}

/// The run's spinner; shows aging progress (the solver itself never prints).
pub struct Spinner<'a> {
    /// The spinner.
    pub bar: &'a ProgressBar,
    /// Scenario name.
    pub name: &'a str,
}

impl crate::age::AgeObserver for Spinner<'_> {
    fn on_progress(&mut self, time_s: f64, horizon_s: f64) {
        self.bar.set_message(format!(
            "{}: aging, {:.1} % of {} yr",
            self.name,
            100.0 * time_s / horizon_s,
            crate::output::aging::time_label(crate::units::seconds_to_years(horizon_s))
        ));
    }
}

/// The sweep's progress: shared-write notice on stderr, a bar over the points, table bars.
pub struct SweepBar {
    name: String,
    points: OnceLock<ProgressBar>,
    tables: TableBar,
}

impl SweepBar {
    /// The progress of the sweep (or comparison) `name`.
    pub fn new(name: &str) -> Self {
        SweepBar {
            name: name.to_string(),
            points: OnceLock::new(),
            tables: TableBar::default(),
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(b) = self.points.get() {
            b.finish_and_clear();
        }
    }
}

impl SweepObserver for SweepBar {
    fn shared_writes(&self, specimens: usize, points: usize) {
        eprintln!(
            "{}: {specimens} shared written specimen(s) reused by {points} points",
            self.name
        );
    }

    fn points_started(&self, todo: usize) {
        let bar = ProgressBar::new(todo as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} {bar:30} {pos}/{len} points, elapsed {elapsed}, ETA {eta}",
            )
            .expect("valid template"),
        );
        bar.set_message(self.name.clone());
        let _ = self.points.set(bar);
    }

    fn point_done(&self) {
        if let Some(b) = self.points.get() {
            b.inc(1);
        }
    }

    fn table(&self, event: TableProgress<'_>) {
        self.tables.on(event);
    }
}
