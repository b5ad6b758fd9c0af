//! `[readout]`: the SEM or height-map readout, with the warnings about settings a decoder
//! cannot read (thresholds from ../shared/validation/decoders.md).

use super::Layout;
use crate::config::engine::Parsed;
use crate::error::Result;
use crate::image::{
    Capture, Charging, Contrast, HeightSettings, Imperfections, Microscope, Readout, ReadoutMode,
    Registration, SeEscape, SemSettings,
};
use crate::units;

/// FWHM / σ of a Gaussian, as the blur warning has always rounded it.
const FWHM_PER_SIGMA_ROUNDED: f64 = 2.355;

/// The `[readout]` section → the readout. The SEM keys are read (and echoed) in either mode.
pub(super) fn resolve(
    p: &mut Parsed<'_>,
    layout: &Layout,
    warnings: &mut Vec<String>,
) -> Result<Readout> {
    let (module_pitch_nm, cell_nm) = (layout.module_pitch_nm, layout.cell_nm);
    let pixel_nm = p.float_or("readout.pixel_nm", module_pitch_nm / 8.0)?;
    let probe_fwhm_nm = p.float("readout.probe_fwhm_nm")?;
    let module_px = module_pitch_nm / pixel_nm;
    if module_px < 3.0 {
        warnings.push(format!(
            "readout.pixel_nm = {pixel_nm} nm gives {module_px:.2} px per module: below 3 px/module rqrr is unreliable and below 1.75 rxing fails (../shared/validation/decoders.md)"
        ));
    }
    if pixel_nm < cell_nm {
        warnings.push(format!(
            "readout.pixel_nm = {pixel_nm} nm is finer than the grid cell ({cell_nm:.3} nm): the image interpolates between cells"
        ));
    }
    let mode = p.choice::<ReadoutMode>("readout.mode")?;
    let sem = SemSettings {
        beam_energy_ev: units::kev_to_ev(p.float("readout.beam_energy_kev")?),
        probe_current_a: units::picoamp_to_amp(p.float("readout.probe_current_pa")?),
        dwell_s: p.float("readout.dwell_us")? * 1e-6,
        pixel_nm,
        probe_fwhm_nm,
        detector_efficiency: p.float("readout.detector_efficiency")?,
        tilt_exponent: p.float("readout.tilt_exponent")?,
        edge_gain: p.float("readout.edge_gain")?,
        bse_se_gain: p.float("readout.bse_se_gain")?,
        film_weight_kappa: p.float("readout.film_weight_kappa")?,
        bse_spread_fraction: p.float("readout.bse_spread_fraction")?,
        contrast: p.choice::<Contrast>("readout.contrast")?,
        se_escape: p.choice::<SeEscape>("readout.se_escape")?,
        microscope: microscope(p)?,
        capture: p.choice::<Capture>("readout.capture")?,
    };
    let height_noise_nm = p.float("readout.height_noise_nm")?;
    Ok(match mode {
        ReadoutMode::Sem => {
            let blur_module = probe_fwhm_nm / FWHM_PER_SIGMA_ROUNDED / module_pitch_nm;
            if blur_module > 0.3 {
                warnings.push(format!(
                    "readout.probe_fwhm_nm = {probe_fwhm_nm} nm blurs by σ = {blur_module:.2} module: rqrr fails beyond ≈ 0.35, rxing beyond ≈ 0.5 (decoders.md)"
                ));
            }
            Readout::Sem(sem)
        }
        ReadoutMode::Height => Readout::Height(HeightSettings {
            pixel_nm,
            probe_fwhm_nm,
            height_noise_nm,
        }),
    })
}

/// The `[readout]` framing and imperfection keys → the microscope ([`Microscope`]).
fn microscope(p: &mut Parsed<'_>) -> Result<Microscope> {
    let imperfections = p.choice::<Imperfections>("readout.imperfections")?;
    let m = Microscope {
        rotation_deg: p.float("readout.rotation_deg")?,
        offset_x_nm: p.float("readout.offset_x_nm")?,
        offset_y_nm: p.float("readout.offset_y_nm")?,
        registration: p.choice::<Registration>("readout.registration")?,
        drift_nm_per_s: p.float("readout.drift_nm_per_s")?,
        drift_direction_deg: p.float("readout.drift_direction_deg")?,
        scan_distortion_fraction: p.float("readout.scan_distortion_fraction")?,
        line_jitter_nm: p.float("readout.line_jitter_nm")?,
        line_gain_noise: p.float("readout.line_gain_noise")?,
        se_excess_noise_factor: p.float("readout.se_excess_noise_factor")?,
        charging: p.choice::<Charging>("readout.charging")?,
        charging_dose_c_per_cm2: p.float("readout.charging_dose_c_per_cm2")?,
        charging_screening_nm: p.float_opt("readout.charging_screening_nm")?,
        contamination_nm_per_c_per_cm2: p.float("readout.contamination_nm_per_c_per_cm2")?,
        prior_dose_c_per_cm2: p.float("readout.prior_dose_c_per_cm2")?,
    };
    Ok(match imperfections {
        Imperfections::Lab => m,
        Imperfections::Ideal => m.without_imperfections(),
    })
}
