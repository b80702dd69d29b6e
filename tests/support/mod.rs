//! Shared test support (openssl-made PKI; attacks built on it; the `mmhs` binary; Postfix
//! instances).
pub mod attacks;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod layers;
pub mod pki;
#[cfg(not(target_arch = "wasm32"))]
pub mod postfix;

/// Whether a test that needs an outside component (`ok`: it is there) runs: skipped with a
/// message when it is missing, except under scripts/test.sh (`MMHS_TEST_SH`), where it must
/// run.
pub fn required(ok: bool, test: &str, why: &str) -> bool {
    if !ok {
        assert!(
            std::env::var_os("MMHS_TEST_SH").is_none(),
            "{why}: under scripts/test.sh it must run"
        );
        eprintln!("SKIPPED {test}: {why}");
    }
    ok
}
