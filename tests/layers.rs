//! The import graph between the crate's top-level modules: imports point down the layers
//! (docs/design.md "Layers"). The layer table is read from docs/design.md, its one home; the
//! edges are read from src/: every `crate::<module>` path and every name of a
//! `use crate::{…}` group, outside comments, string literals and `#[cfg(test)]` items, and
//! every `super::` chain that climbs to the crate root. The test fails on a module without a
//! layer, an import of a higher layer, and a cycle between modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Imports that break the rule today, each with where it is and why. An entry whose edge is
/// gone fails the test too, so a fixed exception is removed with its fix.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

// ------------------------------------------------------------------ reading the sources

/// Rust source with comments, string and char literals blanked (kept: identifiers, `::`,
/// braces, `;`, `#[…]`). Line structure is kept so messages can name lines.
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == b'/' && next == Some(b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && next == Some(b'*') {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == b'r' && (next == Some(b'"') || next == Some(b'#')) && raw_start(b, i) {
            // Raw string r"…", r#"…"#: count the hashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match b.get(j) {
                    None => break,
                    Some(b'"') if (0..hashes).all(|k| b.get(j + 1 + k) == Some(&b'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some(b'\n') => out.push('\n'),
                    _ => {}
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                if b[j] == b'\\' {
                    j += 1;
                }
                if b.get(j) == Some(&b'\n') {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if c == b'\'' {
            // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
            if next == Some(b'\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != b'\'' {
                    j += 1;
                }
                out.push_str("' '");
                i = j + 1;
            } else if let Some(len) = src[i + 1..].chars().next().map(char::len_utf8) {
                if b.get(i + 1 + len) == Some(&b'\'') {
                    out.push_str("' '");
                    i += 2 + len;
                } else {
                    out.push('\'');
                    i += 1;
                }
            } else {
                i += 1;
            }
        } else {
            let len = src[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&src[i..i + len]);
            i += len;
        }
    }
    out
}

/// Whether the `r` at `i` starts a raw string (`r"`, `br"`), not the end of an identifier.
fn raw_start(b: &[u8], i: usize) -> bool {
    let ident = |k: usize| b[k].is_ascii_alphanumeric() || b[k] == b'_';
    i == 0 || !ident(i - 1) || (b[i - 1] == b'b' && (i < 2 || !ident(i - 2)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Path, // ::
    Open,
    Close,
    Semi,
    Comma,
    Hash,
    OpenBracket,
    CloseBracket,
    OpenParen,
    CloseParen,
    Other,
}

fn tokens(src: &str) -> Vec<(Tok, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut it = src.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '\n' => line += 1,
            c if c.is_alphabetic() || c == '_' => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = it.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        end = j + d.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                out.push((Tok::Ident(src[i..end].to_string()), line));
            }
            ':' if it.peek().map(|&(_, d)| d) == Some(':') => {
                it.next();
                out.push((Tok::Path, line));
            }
            '{' => out.push((Tok::Open, line)),
            '}' => out.push((Tok::Close, line)),
            ';' => out.push((Tok::Semi, line)),
            ',' => out.push((Tok::Comma, line)),
            '#' => out.push((Tok::Hash, line)),
            '[' => out.push((Tok::OpenBracket, line)),
            ']' => out.push((Tok::CloseBracket, line)),
            '(' => out.push((Tok::OpenParen, line)),
            ')' => out.push((Tok::CloseParen, line)),
            c if c.is_whitespace() => {}
            _ => out.push((Tok::Other, line)),
        }
    }
    out
}

/// Drop every item under an attribute `#[cfg(…test…)]`: up to its `;`, or its balanced
/// `{…}` block.
fn without_test_items(toks: Vec<(Tok, usize)>) -> Vec<(Tok, usize)> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if toks[i].0 == Tok::Hash && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::OpenBracket) {
            let mut j = i + 2;
            let mut depth = 1;
            while j < toks.len() && depth > 0 {
                match toks[j].0 {
                    Tok::OpenBracket => depth += 1,
                    Tok::CloseBracket => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            let attr = &toks[i + 2..j.saturating_sub(1)];
            let is_cfg = attr.first().map(|t| &t.0) == Some(&Tok::Ident("cfg".into()))
                && attr.get(1).map(|t| &t.0) == Some(&Tok::OpenParen);
            let mut k = 2;
            if is_cfg && cfg_value(attr, &mut k) == Some(false) {
                // Skip the item: to its `;` or through its balanced block.
                let mut depth = 0;
                while j < toks.len() {
                    match toks[j].0 {
                        Tok::Open => depth += 1,
                        Tok::Close => {
                            depth -= 1;
                            if depth == 0 {
                                j += 1;
                                break;
                            }
                        }
                        Tok::Semi if depth == 0 => {
                            j += 1;
                            break;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                i = j;
                continue;
            }
            out.extend_from_slice(&toks[i..j]);
            i = j;
            continue;
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// A `cfg` predicate from `toks[*k]` with `test` false and every other option unknown
/// (`None`): `Some(false)` marks an item compiled only for tests.
fn cfg_value(toks: &[(Tok, usize)], k: &mut usize) -> Option<bool> {
    let Some((Tok::Ident(name), _)) = toks.get(*k) else {
        return None;
    };
    *k += 1;
    if matches!(name.as_str(), "all" | "any" | "not")
        && toks.get(*k).map(|t| &t.0) == Some(&Tok::OpenParen)
    {
        *k += 1;
        let mut values = Vec::new();
        while *k < toks.len() && toks[*k].0 != Tok::CloseParen {
            if toks[*k].0 == Tok::Comma {
                *k += 1;
                continue;
            }
            let before = *k;
            values.push(cfg_value(toks, k));
            if *k == before {
                *k += 1;
            }
        }
        *k += 1;
        return match name.as_str() {
            "all" if values.contains(&Some(false)) => Some(false),
            "all" if values.iter().all(|v| *v == Some(true)) => Some(true),
            "any" if values.contains(&Some(true)) => Some(true),
            "any" if values.iter().all(|v| *v == Some(false)) => Some(false),
            "not" => values.first().copied().flatten().map(|v| !v),
            _ => None,
        };
    }
    // `key = "value"`: unknown.
    while matches!(toks.get(*k).map(|t| &t.0), Some(Tok::Other)) {
        *k += 1;
    }
    if name == "test" {
        Some(false)
    } else {
        None
    }
}

/// The top-level names a file refers to, with the line of each reference. `depth` is the
/// file's module depth below the crate root (`src/a.rs`, `src/a/mod.rs`: 1; `src/a/b.rs`: 2).
fn references(src: &str, depth: usize) -> Vec<(String, usize)> {
    let toks = without_test_items(tokens(&strip(src)));
    let mut out = Vec::new();
    // Inline `mod x { … }` blocks open: the brace depth at which each was opened.
    let mut inline: Vec<usize> = Vec::new();
    let mut braces = 0usize;
    let ident = |k: usize| match toks.get(k).map(|t| &t.0) {
        Some(Tok::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Open => braces += 1,
            Tok::Close => {
                braces = braces.saturating_sub(1);
                if inline.last() == Some(&braces) {
                    inline.pop();
                }
            }
            Tok::Ident(s)
                if s == "mod"
                    && ident(i + 1).is_some()
                    && toks.get(i + 2).map(|t| &t.0) == Some(&Tok::Open) =>
            {
                inline.push(braces);
            }
            Tok::Ident(s) if s == "crate" && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Path) => {
                let line = toks[i].1;
                if let Some(name) = ident(i + 2) {
                    out.push((name.to_string(), line));
                } else if toks.get(i + 2).map(|t| &t.0) == Some(&Tok::Open) {
                    group(&toks, i + 2, &mut out);
                }
            }
            Tok::Ident(s) if s == "super" => {
                // Only the start of a chain (`super::super::x`).
                let starts = i == 0 || toks[i - 1].0 != Tok::Path;
                if starts {
                    let mut k = i;
                    let mut n = 0;
                    while ident(k) == Some("super")
                        && toks.get(k + 1).map(|t| &t.0) == Some(&Tok::Path)
                    {
                        n += 1;
                        k += 2;
                    }
                    if n > 0 && n == depth + inline.len() {
                        let line = toks[i].1;
                        if let Some(name) = ident(k) {
                            out.push((name.to_string(), line));
                        } else if toks.get(k).map(|t| &t.0) == Some(&Tok::Open) {
                            group(&toks, k, &mut out);
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The first name of every path of the `{…}` group opening at `open` (top level of the
/// group only: `crate::{a::{b, c}, d}` names `a` and `d`).
fn group(toks: &[(Tok, usize)], open: usize, out: &mut Vec<(String, usize)>) {
    let mut depth = 0;
    let mut expect = true;
    for (t, line) in &toks[open..] {
        match t {
            Tok::Open => {
                depth += 1;
                if depth == 1 {
                    expect = true;
                }
            }
            Tok::Close => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            Tok::Comma if depth == 1 => expect = true,
            Tok::Ident(s) if depth == 1 && expect => {
                out.push((s.clone(), *line));
                expect = false;
            }
            _ if depth == 1 => expect = false,
            _ => {}
        }
    }
}

// ------------------------------------------------------------------ the graph

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src/")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Top-level modules (the `mod` items of src/lib.rs) and the root re-exports
/// (`pub use error::{Error, Result}` makes `crate::Error` an edge to `error`).
fn crate_root() -> (BTreeSet<String>, BTreeMap<String, String>) {
    let lib = std::fs::read_to_string(src_dir().join("lib.rs")).expect("src/lib.rs");
    let toks = tokens(&strip(&lib));
    let mut modules = BTreeSet::new();
    let mut reexports = BTreeMap::new();
    for (i, (t, _)) in toks.iter().enumerate() {
        let ident = |k: usize| match toks.get(k).map(|t| &t.0) {
            Some(Tok::Ident(s)) => Some(s.clone()),
            _ => None,
        };
        if *t == Tok::Ident("mod".into()) && toks.get(i + 2).map(|t| &t.0) == Some(&Tok::Semi) {
            if let Some(m) = ident(i + 1) {
                modules.insert(m);
            }
        }
        if *t == Tok::Ident("use".into()) {
            let Some(m) = ident(i + 1) else { continue };
            if toks.get(i + 2).map(|t| &t.0) != Some(&Tok::Path) {
                continue;
            }
            let mut names = Vec::new();
            if let Some(n) = ident(i + 3) {
                names.push((n, 0));
            } else if toks.get(i + 3).map(|t| &t.0) == Some(&Tok::Open) {
                group(&toks, i + 3, &mut names);
            }
            for (n, _) in names {
                reexports.insert(n, m.clone());
            }
        }
    }
    (modules, reexports)
}

/// Edges between top-level modules: (from, to) → the places (file:line) that make them.
fn edges() -> BTreeMap<(String, String), Vec<String>> {
    let (modules, reexports) = crate_root();
    let root = src_dir();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&root).expect("under src/");
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let top = parts[0].trim_end_matches(".rs").to_string();
        if !modules.contains(&top) {
            continue; // lib.rs, bin/
        }
        let depth = if parts.last().map(String::as_str) == Some("mod.rs") {
            parts.len() - 1
        } else {
            parts.len()
        };
        let src = std::fs::read_to_string(&f).expect("read source");
        for (name, line) in references(&src, depth) {
            let target = if modules.contains(&name) {
                name
            } else if let Some(m) = reexports.get(&name) {
                m.clone()
            } else {
                continue;
            };
            if target != top {
                out.entry((top.clone(), target))
                    .or_default()
                    .push(format!("src/{}:{line}", rel.display()));
            }
        }
    }
    out
}

/// The layer of each module, from the table under "### Module layers" in docs/design.md:
/// rows `| <n> | `a`, `b` | … |`.
fn layer_table() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/design.md"))
        .expect("docs/design.md");
    let section = doc
        .split("\n### Module layers")
        .nth(1)
        .expect("docs/design.md has a \"### Module layers\" section");
    let mut out = BTreeMap::new();
    for line in section.lines().skip(1) {
        if line.starts_with("## ") || line.starts_with("### ") {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(layer) = cells.get(1).and_then(|c| c.parse::<u32>().ok()) else {
            continue;
        };
        let names = cells.get(2).copied().unwrap_or_default();
        for name in names.split('`').skip(1).step_by(2) {
            let prev = out.insert(name.to_string(), layer);
            assert!(prev.is_none(), "docs/design.md gives `{name}` two layers");
        }
    }
    out
}

/// Every violation of the rule: modules without a layer, upward imports (not excepted),
/// cycles, and exceptions that no longer happen.
fn violations(
    modules: &BTreeSet<String>,
    layers: &BTreeMap<String, u32>,
    edges: &BTreeMap<(String, String), Vec<String>>,
    exceptions: &[(&str, &str, &str)],
) -> Vec<String> {
    let mut out = Vec::new();
    for m in modules {
        if !layers.contains_key(m) {
            out.push(format!(
                "module `{m}` has no layer in docs/design.md \"Module layers\""
            ));
        }
    }
    for m in layers.keys() {
        if !modules.contains(m) {
            out.push(format!(
                "docs/design.md \"Module layers\" names `{m}`, which src/lib.rs does not declare"
            ));
        }
    }
    let excepted = |a: &str, b: &str| exceptions.iter().any(|(x, y, _)| *x == a && *y == b);
    for ((a, b), places) in edges {
        if excepted(a, b) {
            continue;
        }
        if let (Some(la), Some(lb)) = (layers.get(a), layers.get(b)) {
            if lb > la {
                out.push(format!(
                    "`{a}` (layer {la}) imports `{b}` (layer {lb}), up the layers: {}",
                    places.join(", ")
                ));
            }
        }
    }
    for (a, b, _) in exceptions {
        if !edges.contains_key(&(a.to_string(), b.to_string())) {
            out.push(format!(
                "the exception `{a}` → `{b}` no longer happens: remove it from tests/layers.rs"
            ));
        }
    }
    // Cycles, on the graph without the excepted edges.
    let graph: BTreeMap<&str, Vec<&str>> =
        edges
            .keys()
            .filter(|(a, b)| !excepted(a, b))
            .fold(BTreeMap::new(), |mut g, (a, b)| {
                g.entry(a.as_str()).or_default().push(b.as_str());
                g
            });
    for cycle in cycles(&graph) {
        out.push(format!(
            "import cycle among `{}` (each reaches the others)",
            cycle.join("`, `")
        ));
    }
    out
}

/// The strongly connected components of more than one module (Tarjan), each sorted.
fn cycles<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(v: &'a str, g: &BTreeMap<&'a str, Vec<&'a str>>, s: &mut State<'a>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        for &w in g.get(v).map(Vec::as_slice).unwrap_or_default() {
            if !s.index.contains_key(w) {
                visit(w, g, s);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort_unstable();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(v, graph, &mut s);
        }
    }
    s.out
}

// ------------------------------------------------------------------ the tests

#[test]
fn imports_point_down_the_layers() {
    let (modules, _) = crate_root();
    let layers = layer_table();
    let edges = edges();
    assert!(
        edges.len() > 20,
        "the scan found only {} edges: the reader is broken",
        edges.len()
    );
    let v = violations(&modules, &layers, &edges, EXCEPTIONS);
    assert!(
        v.is_empty(),
        "the import graph breaks \"imports point down\" (docs/design.md \"Layers\"):\n{}",
        v.join("\n")
    );
}

#[test]
fn the_scan_sees_every_form_of_import() {
    let src = r##"
//! A doc comment naming crate::verify is not an import.
use crate::{mime::{self, header}, report::Problem,
    smime};
use crate::fields::Error as MmhsError;
/* crate::server in a block /* nested */ comment */
fn f() -> crate::Result<()> {
    let s = "crate::cli in a string";
    let r = r#"crate::wasm in a raw "string""#;
    let c = '"'; let l: &'static str = "x";
    crate::trust::validate();
    super::rng::system_rng();
    Ok(())
}
mod inner {
    fn g() { super::super::cancel::Cancel::none(); super::helper(); }
}
#[cfg(test)]
mod tests {
    use crate::release;
}
#[cfg(all(test, not(target_arch = "wasm32")))]
use crate::compose;
#[cfg(not(test))]
use crate::keys;
"##;
    let names: BTreeSet<String> = references(src, 1).into_iter().map(|(n, _)| n).collect();
    let want: BTreeSet<String> = [
        "mime", "report", "smime", "fields", "Result", "trust", "rng", "cancel", "keys",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(names, want);
    // From a file two modules deep, one `super::` stays inside its module.
    let names: Vec<String> = references("use super::pool::Pool;", 2)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn upward_imports_cycles_and_stale_exceptions_are_refused() {
    let modules: BTreeSet<String> = ["a", "b", "c", "d"].into_iter().map(String::from).collect();
    let layers: BTreeMap<String, u32> = [("a", 0), ("b", 1), ("c", 1), ("d", 2)]
        .into_iter()
        .map(|(m, l)| (m.to_string(), l))
        .collect();
    let edge = |a: &str, b: &str| {
        (
            (a.to_string(), b.to_string()),
            vec![format!("src/{a}.rs:1")],
        )
    };
    // Down and sideways without a cycle: fine.
    let good: BTreeMap<_, _> = [edge("d", "b"), edge("b", "c"), edge("c", "a")].into();
    assert!(violations(&modules, &layers, &good, &[]).is_empty());
    // Up: `a` (0) imports `d` (2).
    let up: BTreeMap<_, _> = [edge("a", "d")].into();
    let v = violations(&modules, &layers, &up, &[]);
    assert!(v.len() == 1 && v[0].contains("up the layers"), "{v:?}");
    // Sideways both ways: a cycle within one layer.
    let cyc: BTreeMap<_, _> = [edge("b", "c"), edge("c", "b")].into();
    let v = violations(&modules, &layers, &cyc, &[]);
    assert_eq!(
        v,
        vec!["import cycle among `b`, `c` (each reaches the others)".to_string()]
    );
    // The same cycle, excepted; then the exception without its edge.
    assert!(violations(&modules, &layers, &cyc, &[("c", "b", "why")]).is_empty());
    let v = violations(&modules, &layers, &good, &[("c", "b", "why")]);
    assert!(v.len() == 1 && v[0].contains("no longer happens"), "{v:?}");
    // A module without a layer, and a layer for a module that does not exist.
    let mut more = modules.clone();
    more.insert("e".into());
    let mut extra = layers.clone();
    extra.insert("gone".into(), 3);
    let v = violations(&more, &extra, &good, &[]);
    assert_eq!(v.len(), 2, "{v:?}");
}

#[test]
fn the_layer_table_is_read_from_the_design_document() {
    let layers = layer_table();
    for (m, l) in [
        ("rng", 0),
        ("problem", 0),
        ("report", 2),
        ("verify", 5),
        ("cli", 7),
        ("error", 7),
    ] {
        assert_eq!(layers.get(m), Some(&l), "{m}");
    }
}
