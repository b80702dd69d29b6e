//! Robustness: `inspect` and every field parser on many deterministic mutations of the
//! golden corpus and of field values must return (a view or a coded error), never panic.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use mmhs::error::Coded;
use mmhs::fields::*;

/// Small deterministic PRNG (xorshift64*), so failures are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SPECIALS: &[u8] = b";\"()\\=*%'<>@,:\r\n \t\x00\xff\xc3=?";

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        if v.is_empty() {
            v.push(b'x');
        }
        let i = rng.below(v.len());
        match rng.below(5) {
            0 => v[i] = SPECIALS[rng.below(SPECIALS.len())],
            1 => v.insert(i, SPECIALS[rng.below(SPECIALS.len())]),
            2 => {
                v.remove(i);
            }
            3 => v.truncate(i),
            _ => {
                let j = rng.below(v.len());
                let b = v[j];
                v.insert(i, b);
            }
        }
    }
    v
}

#[test]
fn inspect_never_panics_on_mutated_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/mmhs");
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let opts = InspectOptions {
        now: Some(time::macros::datetime!(2026-01-01 00:00:00 UTC)),
        ..Default::default()
    };
    let mut views = 0;
    let mut errors = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "eml") {
            continue;
        }
        let raw = std::fs::read(&p).unwrap();
        for _ in 0..200 {
            let m = mutate(&mut rng, &raw);
            match inspect(&m, &opts) {
                Ok(v) => {
                    serde_json::to_string(&v).unwrap();
                    assert!(v.problems.iter().all(|p| p.code.starts_with("mmhs-")));
                    views += 1;
                }
                Err(e) => {
                    assert!(!e.code().is_empty());
                    errors += 1;
                }
            }
        }
    }
    assert!(views > 1000, "{views} views, {errors} errors");
}

fn check<T: std::str::FromStr<Err = Error> + std::fmt::Display>(input: &str) {
    match input.parse::<T>() {
        // Whatever parses must format to something that parses again.
        Ok(v) => {
            let text = v.to_string();
            assert!(
                text.parse::<T>().is_ok(),
                "{input:?} formatted as {text:?} does not re-parse"
            );
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
}

#[test]
fn field_parsers_never_panic_and_round_trip() {
    let seeds = [
        "FLASH",
        "2 (priority)",
        "0(exercise); identifier=\"CANDLE FISH\"",
        "4 (ultra)",
        "SDM; KKZ ; BRL",
        "MINIMIZE CONSIDERED; NO DISTRIBUTION",
        "Releaser <rel@hq.example.mil>, G: a@b.c, \"q, x\" <q@x.y>;",
        "Mon, 09 Aug 2010 15:27:40 +0100",
        "marking=\"EXAMPLE CONFIDENTIAL\"; fgcolor=black; bgcolor=red; type=\":ess\"; label=\"MQYGASkCAQM=\"",
        "change=add; changed-by=a.mil; changed-at=\"Mon, 09 Aug 2010 15:27:40 +0100\"; new-marking=X",
        "<a@b> <c@d>",
        "en, fr",
        "IA5-Text, 1.2.3",
    ];
    let mut rng = Rng(42);
    for seed in seeds {
        for _ in 0..300 {
            let m = mutate(&mut rng, seed.as_bytes());
            let s = String::from_utf8_lossy(&m);
            check::<Precedence>(&s);
            check::<MessageTypeField>(&s);
            check::<MtPriority>(&s);
            check::<SubjectIndicatorCodes>(&s);
            check::<MilitaryStringSequence>(&s);
            check::<MilitaryString>(&s);
            check::<AddressList>(&s);
            check::<AuthorizingUsers>(&s);
            check::<DateTime>(&s);
            check::<SioLabel>(&s);
            check::<SioLabelHistory>(&s);
            check::<MsgIdList>(&s);
            check::<ContentLanguage>(&s);
            check::<EncodedInformationTypes>(&s);
            check::<CodressMessageIndicator>(&s);
            let _ = EssSecurityLabel::from_ber(&m);
        }
    }
}

/// Inputs the fuzz targets found (tests/vectors/fuzz-regressions/PROVENANCE.md).
#[test]
fn fuzz_regressions_round_trip() {
    let obs_local_part = include_str!("vectors/fuzz-regressions/address-list-obs-local-part.txt");
    check::<AddressList>(obs_local_part);
    let list: AddressList = obs_local_part.parse().unwrap();
    assert_eq!(list.to_string(), "\"vm.ela <>\"@ee!na");
}
