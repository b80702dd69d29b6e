//! The verification report's codes are one enumerated list (`mmhs::report::codes`): every code
//! a producer of the report can emit is in it, and every code in it is documented in
//! docs/report.md and rendered by the extension's problem catalogue
//! (www/src/shared/problems.ts).

use std::collections::BTreeSet;
use std::path::Path;

use mmhs::report::codes::{NOTES, PROBLEMS};

fn catalogue() -> BTreeSet<&'static str> {
    PROBLEMS
        .iter()
        .map(|(c, _)| *c)
        .chain(NOTES.iter().copied())
        .collect()
}

fn read(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Kebab-case words of at least two parts between double quotes (or backticks) in `text`.
fn quoted_codes(text: &str, quote: char) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for piece in text.split(quote).skip(1).step_by(2) {
        let ok = piece.contains('-')
            && !piece.starts_with('-')
            && !piece.ends_with('-')
            && piece
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            out.insert(piece.to_string());
        }
    }
    out
}

#[test]
fn no_duplicates_in_the_catalogue() {
    assert_eq!(catalogue().len(), PROBLEMS.len() + NOTES.len());
}

#[test]
fn every_code_is_documented_and_every_documented_code_is_known() {
    let doc = read("docs/report.md");
    let documented = quoted_codes(&doc, '`');
    for code in catalogue() {
        assert!(
            documented.contains(code),
            "docs/report.md does not document `{code}`"
        );
    }
    // Every code in the first column of the problem / note tables is in the catalogue.
    let section = doc
        .split("## Problem codes")
        .nth(1)
        .expect("docs/report.md has a Problem codes section");
    let section = section.split("\n## Tests").next().unwrap_or(section);
    let known = catalogue();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let first = line.split('|').nth(1).unwrap_or("");
        for code in quoted_codes(first, '`') {
            assert!(
                known.contains(code.as_str()),
                "docs/report.md documents `{code}`, which no producer emits (not in report::codes)"
            );
        }
    }
}

#[test]
fn the_extension_renders_every_code() {
    let ts = read("www/src/shared/problems.ts");
    let rendered = quoted_codes(&ts, '"');
    for code in catalogue() {
        assert!(
            rendered.contains(code),
            "www/src/shared/problems.ts has no entry for \"{code}\""
        );
    }
}

#[test]
fn every_code_the_producers_emit_is_in_the_catalogue() {
    // The producers of the report: the receive pipeline, the CMS-level checks, trust and
    // header protection. Every kebab-case string literal that is a code there (a `pub const`
    // in a `codes` module or the first argument of a problem constructor) must be listed.
    let mut files: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/verify"))
            .unwrap()
            .map(|e| format!("src/verify/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
    files.extend(
        [
            "src/smime/signed_verify.rs",
            "src/algorithm_policy.rs",
            "src/trust/mod.rs",
            "src/trust/path.rs",
            "src/protect/analyze.rs",
            "src/label_policy/mod.rs",
            "src/label_policy/decision.rs",
        ]
        .map(String::from),
    );
    let known = catalogue();
    for f in files {
        let text = read(&f);
        let code_part = text.split("#[cfg(test)]").next().unwrap_or(&text);
        for line in code_part.lines() {
            let t = line.trim_start();
            let emits = (t.starts_with("pub const") && t.contains(": &str = \""))
                || t.contains("Problem::new(\"")
                || t.contains(" p(\"")
                || t.starts_with("p(\"")
                || t.contains(".problem(\"");
            if !emits {
                continue;
            }
            for code in quoted_codes(t, '"') {
                if code.ends_with('-') || code == "mmhs-" {
                    continue;
                }
                assert!(
                    known.contains(code.as_str()),
                    "{f} emits \"{code}\", which is not in report::codes"
                );
            }
        }
    }
}

#[test]
fn problems_are_ordered_cause_first() {
    use mmhs::report::codes::{rank, Cause};
    assert!(rank("message-digest-mismatch") < rank("cert-untrusted"));
    assert!(rank("cert-untrusted") < rank("hp-header-mismatch"));
    assert!(rank("cert-untrusted") < rank("signer-address-mismatch"));
    assert!(rank("countersignature-orphaned") < rank("hp-from-mismatch"));
    assert_eq!(rank("cms-malformed"), Cause::Structure);
}
