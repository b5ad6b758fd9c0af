//! The only place random generators are made.
//!
//! Every random number in millage comes from a stream keyed by `(seed, Stream, index)`:
//! the master seed of the run, the purpose of the numbers, and the index of the unit of work
//! (ion number, image realization, sample number, sweep point). A unit of work therefore draws
//! the same numbers whichever thread runs it and in whatever order, so results are bit-identical
//! for any thread count (the scheme of OpenMC's `init_particle_seeds` and HOOMD's
//! `Seed(class_id, …)/Counter(tag)`).
//!
//! Generator: ChaCha with 8 rounds (`rand_chacha::ChaCha8Rng`). The 256-bit key is derived from
//! `(seed, Stream)` by SHA-256; the 64-bit ChaCha stream id is the work index, so streams of one
//! purpose are distinct by construction rather than by luck of seeding.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// The generator type every stream uses.
pub type StreamRng = ChaCha8Rng;

/// Purpose of a random stream. Each purpose gets its own key, so changing how many numbers one
/// stage draws never shifts the numbers of another. Values are part of the reproducibility
/// contract: never renumber, only append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Stream {
    /// One ion's binary-collision cascade (index = ion number).
    BcaIon = 1,
    /// Sampling of ion arrival positions during milling (index = scan dwell or batch).
    MillArrival = 2,
    /// Redeposition line-of-sight sampling during milling (index = batch).
    MillRedeposition = 3,
    /// SEM shot noise (index = image realization).
    ImageNoise = 4,
    /// Parameter sampling for lifetime uncertainty (index = sample number).
    LifetimeSample = 5,
    /// Per-point seeds of a sweep (index = point number).
    SweepPoint = 6,
    /// Random module flips in decoder-limit experiments (index = trial).
    ModuleFlips = 7,
    /// Direct (voxel) BCA milling reference (index = ion number).
    MillDirectIon = 8,
    /// Importance samples of a calibration (index = sample number).
    CalibrationSample = 9,
    /// SEM scan imperfections of one frame: line jitter, line gain (index = image realization).
    ScanNoise = 10,
    /// The phone photo of the SEM screen: sensor noise (index = image realization).
    ScreenPhoto = 11,
    /// Sub-pixel registration of an SEM frame on the specimen (index = image realization).
    FrameRegistration = 12,
}

/// The random stream for one unit of work.
pub fn stream(seed: u64, purpose: Stream, index: u64) -> StreamRng {
    let mut hasher = Sha256::new();
    hasher.update(b"millage-rng-v1");
    hasher.update(seed.to_le_bytes());
    hasher.update((purpose as u32).to_le_bytes());
    let key: [u8; 32] = hasher.finalize().into();
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(index);
    rng
}

/// A derived 64-bit seed for a sub-run (e.g. one sweep point), itself used as a master seed.
pub fn derived_seed(seed: u64, purpose: Stream, index: u64) -> u64 {
    use rand::Rng;
    stream(seed, purpose, index).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn same_key_same_numbers() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut r = stream(42, Stream::BcaIon, 7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = stream(42, Stream::BcaIon, 7);
        let b: Vec<u64> = (0..8).map(|_| r.next_u64()).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn streams_differ_by_seed_purpose_and_index() {
        let first = |s, p, i| stream(s, p, i).next_u64();
        let base = first(42, Stream::BcaIon, 7);
        assert_ne!(base, first(43, Stream::BcaIon, 7));
        assert_ne!(base, first(42, Stream::ImageNoise, 7));
        assert_ne!(base, first(42, Stream::BcaIon, 8));
    }
}
