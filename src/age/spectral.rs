//! Two-dimensional FFTs of periodic fields (rustfft, row then column 1-D transforms).
//!
//! Boundary choice: the field is treated as periodic. The aged field is the whole written area —
//! the symbol plus its quiet zone (4 modules by default) of unmilled film — so the field's
//! edges are flat film on both sides of the wrap, and periodic images of the pattern are two
//! quiet zones (≥ 8 modules) apart. Capillary smoothing couples points over the diffusion
//! length (B t)^{1/4}; as long as that stays below a few modules the wrap is harmless, and once
//! it exceeds the quiet zone the pattern has long been erased (the module mode has decayed by
//! exp(−(2π)⁴ ·8⁴ /…) ≪ 1). The quiet zone therefore doubles as the boundary buffer.
//!
//! Determinism: each 1-D transform is independent and computed in a fixed order within its
//! row, so the result does not depend on how rayon distributes rows over threads.

use std::sync::Arc;

use rayon::prelude::*;
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};

/// Planned forward and inverse transforms for an `nx × ny` periodic field.
pub struct Spectral2d {
    nx: usize,
    ny: usize,
    fwd_x: Arc<dyn Fft<f64>>,
    inv_x: Arc<dyn Fft<f64>>,
    fwd_y: Arc<dyn Fft<f64>>,
    inv_y: Arc<dyn Fft<f64>>,
}

impl std::fmt::Debug for Spectral2d {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spectral2d({}×{})", self.nx, self.ny)
    }
}

/// Rows per transpose tile: a tile reads `TILE` contiguous elements per source row.
const TILE: usize = 16;

fn transpose(src: &[Complex64], dst: &mut [Complex64], nx: usize, ny: usize) {
    // src is ny rows of nx; dst becomes nx rows of ny.
    dst.par_chunks_mut(TILE * ny)
        .enumerate()
        .for_each(|(block, out)| {
            let i0 = block * TILE;
            let rows = out.len() / ny;
            for j in 0..ny {
                let row = &src[j * nx + i0..j * nx + i0 + rows];
                for (di, v) in row.iter().enumerate() {
                    out[di * ny + j] = *v;
                }
            }
        });
}

fn rows_fft(data: &mut [Complex64], len: usize, fft: &Arc<dyn Fft<f64>>) {
    let scratch_len = fft.get_inplace_scratch_len();
    data.par_chunks_mut(len).for_each_init(
        || vec![Complex64::default(); scratch_len],
        |scratch, row| fft.process_with_scratch(row, scratch),
    );
}

impl Spectral2d {
    /// Plans transforms for a field of `nx` columns by `ny` rows.
    pub fn new(nx: usize, ny: usize) -> Self {
        let mut planner = FftPlanner::<f64>::new();
        Spectral2d {
            nx,
            ny,
            fwd_x: planner.plan_fft_forward(nx),
            inv_x: planner.plan_fft_inverse(nx),
            fwd_y: planner.plan_fft_forward(ny),
            inv_y: planner.plan_fft_inverse(ny),
        }
    }

    /// Columns.
    pub fn nx(&self) -> usize {
        self.nx
    }

    /// Rows.
    pub fn ny(&self) -> usize {
        self.ny
    }

    /// Forward transform of a real row-major field. The spectrum is returned *transposed*:
    /// element `ix * ny + iy` holds mode (k_x index ix, k_y index iy). Unnormalized.
    pub fn forward(&self, field: &[f64]) -> Vec<Complex64> {
        let (nx, ny) = (self.nx, self.ny);
        assert_eq!(field.len(), nx * ny);
        self.forward_complex(field.iter().map(|&v| Complex64::new(v, 0.0)).collect())
    }

    /// Forward transform of a complex row-major field (e.g. two real fields packed as
    /// a + i b); spectrum transposed as in [`forward`](Self::forward).
    pub fn forward_complex(&self, mut a: Vec<Complex64>) -> Vec<Complex64> {
        let (nx, ny) = (self.nx, self.ny);
        assert_eq!(a.len(), nx * ny);
        rows_fft(&mut a, nx, &self.fwd_x);
        let mut b = vec![Complex64::default(); nx * ny];
        transpose(&a, &mut b, nx, ny);
        rows_fft(&mut b, ny, &self.fwd_y);
        b
    }

    /// Inverse of [`forward`](Self::forward): transposed spectrum → real row-major field
    /// (normalized by 1/(nx·ny); the imaginary part, round-off for Hermitian spectra, is
    /// dropped).
    pub fn inverse(&self, mut spectrum: Vec<Complex64>, field: &mut [f64]) {
        let (nx, ny) = (self.nx, self.ny);
        assert_eq!(spectrum.len(), nx * ny);
        rows_fft(&mut spectrum, ny, &self.inv_y);
        let mut a = vec![Complex64::default(); nx * ny];
        transpose(&spectrum, &mut a, ny, nx);
        rows_fft(&mut a, nx, &self.inv_x);
        let norm = 1.0 / (nx * ny) as f64;
        field
            .par_iter_mut()
            .zip(a.par_iter())
            .for_each(|(f, c)| *f = c.re * norm);
    }

    /// Multiplies a transposed spectrum by m(k_x, k_y) (wavenumbers [1/nm] for a cell of
    /// `cell_nm`), rows in parallel.
    pub fn apply(
        &self,
        spectrum: &mut [Complex64],
        cell_nm: f64,
        multiplier: impl Fn(f64, f64) -> f64 + Sync,
    ) {
        let (nx, ny) = (self.nx, self.ny);
        spectrum
            .par_chunks_mut(ny)
            .enumerate()
            .for_each(|(ix, row)| {
                let kx = wavenumber(ix, nx, cell_nm);
                for (iy, c) in row.iter_mut().enumerate() {
                    *c *= multiplier(kx, wavenumber(iy, ny, cell_nm));
                }
            });
    }
}

/// Wavenumber of FFT index `i` of an `n`-point periodic grid with spacing `cell_nm`:
/// k = 2π m / (n d), m = i for i ≤ n/2 else i − n [1/nm].
pub fn wavenumber(i: usize, n: usize, cell_nm: f64) -> f64 {
    let m = if i <= n / 2 {
        i as f64
    } else {
        i as f64 - n as f64
    };
    2.0 * std::f64::consts::PI * m / (n as f64 * cell_nm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_identity_on_odd_and_even_sizes() {
        for (nx, ny) in [(8, 8), (12, 5), (37, 16), (1, 9)] {
            let s = Spectral2d::new(nx, ny);
            let f: Vec<f64> = (0..nx * ny)
                .map(|k| ((k * 7919) % 101) as f64 - 50.0)
                .collect();
            let mut back = vec![0.0; nx * ny];
            s.inverse(s.forward(&f), &mut back);
            for (a, b) in f.iter().zip(&back) {
                assert!((a - b).abs() < 1e-10, "{nx}×{ny}");
            }
        }
    }

    #[test]
    fn transposed_spectrum_puts_a_plane_wave_where_expected() {
        let (nx, ny) = (16, 8);
        let s = Spectral2d::new(nx, ny);
        // cos(2π·3 x/nx): energy at kx index 3 and nx−3, ky = 0.
        let f: Vec<f64> = (0..nx * ny)
            .map(|k| (2.0 * std::f64::consts::PI * 3.0 * (k % nx) as f64 / nx as f64).cos())
            .collect();
        let spec = s.forward(&f);
        let at = |ix: usize, iy: usize| spec[ix * ny + iy].norm();
        assert!((at(3, 0) - (nx * ny) as f64 / 2.0).abs() < 1e-9);
        assert!((at(nx - 3, 0) - (nx * ny) as f64 / 2.0).abs() < 1e-9);
        assert!(at(3, 1) < 1e-9);
    }
}
