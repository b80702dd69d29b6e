//! The layout of the integration tests (Cargo.toml `autotests = false`): a file of `tests/`
//! runs only when a `[[test]]` root includes it, so every `tests/*.rs` must be a root or be
//! included by exactly one root, and an included file reaches the one support module as
//! `crate::support` — a `mod support;` of its own would compile a second copy.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `path = "tests/<file>"` of every `[[test]]` of Cargo.toml.
fn roots(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_test = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_test = line == "[[test]]";
        } else if let Some(v) = line.strip_prefix("path = ").filter(|_| in_test) {
            let v = v.trim_matches('"');
            out.push(v.strip_prefix("tests/").unwrap_or(v).to_string());
        }
    }
    out
}

/// The files a root includes with `#[path = "<file>"]`.
fn included(root: &str) -> Vec<String> {
    root.lines()
        .filter_map(|l| l.trim().strip_prefix("#[path = \"")?.strip_suffix("\"]"))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_test_file_runs_in_exactly_one_binary() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = read(&dir.join("Cargo.toml"));
    assert!(manifest.contains("\nautotests = false\n"));
    let roots = roots(&manifest);
    assert!(roots.len() >= 5, "{roots:?}");
    let mut owner: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &roots {
        owner
            .entry(r.clone())
            .or_default()
            .push("Cargo.toml".into());
        for f in included(&read(&dir.join("tests").join(r))) {
            owner.entry(f).or_default().push(r.clone());
        }
    }
    let mut files = 0;
    for e in std::fs::read_dir(dir.join("tests")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if !name.ends_with(".rs") {
            continue;
        }
        files += 1;
        let by = owner.get(&name).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(
            by.len(),
            1,
            "tests/{name} is run by {by:?}: list it in one root"
        );
        if !roots.contains(&name) {
            let text = read(&dir.join("tests").join(&name));
            assert!(
                !text.lines().any(|l| l.trim() == "mod support;"),
                "tests/{name}: use crate::support, not a second `mod support;`"
            );
        }
    }
    assert!(files > roots.len(), "no included files found");
}
