//! Randomness is injected: every function that needs it takes `&mut R where R: CryptoRng`.
//! Callers that want the operating system's (or the browser's `crypto.getRandomValues`) RNG
//! use [`system_rng`]; tests pass a seeded generator for repeatable output.

pub use rand_core::{CryptoRng, Rng, SeedableRng};

/// The platform CSPRNG (getrandom: OS on native, `crypto.getRandomValues` on wasm32).
pub type SystemRng = rand_core::UnwrapErr<getrandom::SysRng>;

/// A fresh handle to the platform CSPRNG.
pub fn system_rng() -> SystemRng {
    rand_core::UnwrapErr(getrandom::SysRng)
}

/// Things that weaken guarantees, kept apart so they are never used by accident.
pub mod danger {
    /// A deterministic generator (SplitMix64) for reproducible tests, golden files and
    /// benchmarks. **Not cryptographically secure**: it claims `CryptoRng` only so that it can
    /// be passed where the core expects an injected RNG. Never use it for keys or production
    /// output.
    #[derive(Debug, Clone)]
    pub struct SeededRng(u64);

    impl SeededRng {
        /// A generator from a seed.
        pub fn new(seed: u64) -> Self {
            SeededRng(seed)
        }
    }

    impl rand_core::SeedableRng for SeededRng {
        type Seed = [u8; 8];
        fn from_seed(seed: [u8; 8]) -> Self {
            SeededRng(u64::from_le_bytes(seed))
        }
    }

    impl rand_core::TryRng for SeededRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok((self.try_next_u64()? >> 32) as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            Ok(z ^ (z >> 31))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for c in dst.chunks_mut(8) {
                let v = self.try_next_u64()?.to_le_bytes();
                c.copy_from_slice(&v[..c.len()]);
            }
            Ok(())
        }
    }

    impl rand_core::TryCryptoRng for SeededRng {}
}
