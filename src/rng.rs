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
