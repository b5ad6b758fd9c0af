//! The file names of a run's results directory, in one place: [`RunLayout`] is used by
//! `output::run::save` (which writes them) and by `millage plot` (which redraws from them).
//!
//! Where figures go: a run draws its figures beside its tables, in the directory itself;
//! `millage plot DIR` redraws them into `DIR/figures/` ([`RunLayout::figures_dir`]), so a redraw
//! never overwrites what the run wrote and the two can be compared byte for byte.

use std::path::{Path, PathBuf};

/// Every table a figure is drawn from, in any results directory (run, sweep, compare,
/// `bca-table --out`, the BCA validation): `millage plot` refuses a directory with none.
pub const PLOTTABLE_TABLES: [&str; 10] = [
    "points.csv",
    PROFILE_CSV,
    DEGRADATION_CSV,
    LIFETIME_CSV,
    AGING_CSV,
    FRONTIER_CSV,
    "compare.csv",
    "yield_vs_angle.csv",
    "bca_yields.csv",
    super::robustness::ROBUSTNESS_CSV,
];

const PROFILE_CSV: &str = "profile.csv";
const DEGRADATION_CSV: &str = "degradation.csv";
const LIFETIME_CSV: &str = "lifetime.csv";
const AGING_CSV: &str = "aging.csv";
const FRONTIER_CSV: &str = "frontier.csv";

/// The paths of one run's results directory. Figure *stems* have no extension: the figure
/// functions add `.png` and `.svg`.
#[derive(Debug, Clone)]
pub struct RunLayout {
    dir: PathBuf,
}

impl RunLayout {
    /// The layout of the directory `dir` (the final directory, or the partial one being
    /// written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        RunLayout { dir: dir.into() }
    }

    /// The directory itself (tables and the run's figures).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Redrawn figures (`millage plot`).
    pub fn figures_dir(&self) -> PathBuf {
        self.file("figures")
    }

    /// The run record.
    pub fn summary_json(&self) -> PathBuf {
        self.file("summary.json")
    }

    /// The provenance record.
    pub fn manifest_json(&self) -> PathBuf {
        self.file("manifest.json")
    }

    /// The markdown report.
    pub fn summary_md(&self) -> PathBuf {
        self.file("summary.md")
    }

    /// Height map after the write (figure stem).
    pub fn height_stem(&self) -> PathBuf {
        self.file("height")
    }

    /// Outer-surface height map after `label` years of aging (figure stem).
    pub fn aged_height_stem(&self, label: &str) -> PathBuf {
        self.file(&format!("height_{label}yr"))
    }

    fn micrograph_name(sem: bool) -> &'static str {
        if sem { "sem" } else { "height_readout" }
    }

    /// The SEM micrograph with scale bar and caption.
    pub fn sem_png(&self) -> PathBuf {
        self.micrograph_png(true)
    }

    /// The t = 0 micrograph with scale bar and caption: `sem.png` for the SEM readout,
    /// `height_readout.png` for the height readout.
    pub fn micrograph_png(&self, sem: bool) -> PathBuf {
        self.file(&format!("{}.png", Self::micrograph_name(sem)))
    }

    /// The t = 0 micrograph as the decoders saw it (no annotation).
    pub fn micrograph_raw_png(&self, sem: bool) -> PathBuf {
        self.file(&format!("{}_raw.png", Self::micrograph_name(sem)))
    }

    /// The micrograph after `label` years of aging.
    pub fn aged_micrograph_png(&self, sem: bool, label: &str) -> PathBuf {
        self.file(&format!("{}_{label}yr.png", Self::micrograph_name(sem)))
    }

    /// Surface profile through the middle symbol row.
    pub fn profile_csv(&self) -> PathBuf {
        self.file(PROFILE_CSV)
    }

    /// The cross-section figure (stem), drawn from [`Self::profile_csv`].
    pub fn cross_section_stem(&self) -> PathBuf {
        self.file("cross_section")
    }

    /// Aging snapshots table.
    pub fn aging_csv(&self) -> PathBuf {
        self.file(AGING_CSV)
    }

    /// Lifetime per temperature.
    pub fn lifetime_csv(&self) -> PathBuf {
        self.file(LIFETIME_CSV)
    }

    /// Lifetime distribution per temperature.
    pub fn uncertainty_csv(&self) -> PathBuf {
        self.file("uncertainty.csv")
    }

    /// Degradation curve in the rescaled variable.
    pub fn degradation_csv(&self) -> PathBuf {
        self.file(DEGRADATION_CSV)
    }

    /// Degradation curves of the real-time searches.
    pub fn degradation_real_time_csv(&self) -> PathBuf {
        self.file("degradation_real_time.csv")
    }

    /// Density–lifetime frontier.
    pub fn frontier_csv(&self) -> PathBuf {
        self.file(FRONTIER_CSV)
    }

    /// The 49 nm claim check.
    pub fn frontier_claim_csv(&self) -> PathBuf {
        self.file("frontier_claim.csv")
    }

    /// Arrhenius model lines.
    pub fn arrhenius_model_csv(&self) -> PathBuf {
        self.file("arrhenius_model.csv")
    }

    /// Arrhenius fits.
    pub fn arrhenius_fit_csv(&self) -> PathBuf {
        self.file("arrhenius_fit.csv")
    }

    /// The image strip's index.
    pub fn image_strip_csv(&self) -> PathBuf {
        self.file("image_strip.csv")
    }

    /// The image strip's tiles.
    pub fn image_strip_dir(&self) -> PathBuf {
        self.file("image_strip")
    }

    /// Every table `millage plot` can draw from that exists in the directory.
    pub fn plottable_present(&self) -> Vec<PathBuf> {
        PLOTTABLE_TABLES
            .iter()
            .map(|f| self.file(f))
            .filter(|p| p.is_file())
            .collect()
    }
}
