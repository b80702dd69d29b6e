//! Path building within a work budget, and RFC 5280 §6.1 validation of each candidate path
//! ([`super::rfc5280`]).
//!
//! Building (RFC 4158 in its simplest form): starting at the leaf, the issuer candidates of a
//! certificate are the pool's anchors and certificates whose subject matches its issuer name
//! (looked up in the [`Pool`]'s name index, confirmed by RFC 5280 §7.1 name comparison) and
//! whose subjectKeyIdentifier, when both are present, equals its authorityKeyIdentifier.
//! Anchors are tried first, depth-first, at most [`MAX_PATH_LEN`]
//! intermediates, never a certificate with the subject name and key of one already in the path
//! (RFC 4158 §2.4.1: a repetition is a loop, never a new path).
//!
//! The search is bounded by work, not by results: every issuer candidate examined is one
//! node, and a search stops after its node budget ([`super::MAX_PATH_NODES`] per leaf) with
//! `path-budget-exhausted`. Same-named certificates that all issue one another would otherwise
//! make every ordering of them a path (16 of them: half a billion paths of 8 — the message
//! carrying them is 7 KB). Issuers whose subjectKeyIdentifier is the authorityKeyIdentifier
//! are tried before those that only match by name (RFC 4158 §3, key identifier sorting), so
//! decoys without key identifiers cannot use up the budget before the real issuer is tried.
//! Each path found is validated at once, at most [`MAX_CANDIDATES`] of them; the first that
//! validates ends the search.
//!
//! Each candidate is validated by [`rfc5280::validate`], with the revocation of its
//! certificates from the CRLs supplied ([`super::crl`]: a certificate whose issuer published
//! none of them is not checked). Without CRLs a path that validated is valid again, without
//! validating it again, at any time within its certificates' validity ([`VALIDATED`]).

use std::cell::RefCell;

use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

use super::pool::{Issuer, Node, Pool};
use super::rfc5280::{self, PathCert};
use super::{
    codes, name_string, subject_string, Lookup, SignatureCheck, SignatureChecks, MAX_PATH_LEN,
};
use crate::algorithm_policy::{self, AlgorithmPolicy, Weakness};
use crate::cancel::{is_cancelled, Cancel};
use crate::memo::Memo;
use crate::report::Problem;

/// Most candidate paths validated for one leaf.
pub(super) const MAX_CANDIDATES: usize = 8;

/// What a leaf's path building and validation may spend.
#[derive(Clone, Copy, Debug)]
pub(super) struct Budget {
    /// Issuer candidates that may be examined.
    pub nodes: usize,
    /// Candidate paths that may be validated.
    pub validations: usize,
}

/// The outcome for one leaf: chain (subjects leaf→anchor), problems (empty when a path
/// validated) and what was spent.
pub(super) struct Outcome {
    pub chain: Vec<String>,
    /// The DER of every certificate of the path that validated, leaf first, anchor last
    /// (the leaf alone when it is itself an anchor); empty when none validated.
    pub path: Vec<Vec<u8>>,
    pub problems: Vec<Problem>,
    /// Weak algorithms or keys of the path chosen that the algorithm policy accepted.
    pub notes: Vec<Problem>,
    pub spent: Budget,
}

/// The path that validated: its subjects, its certificates (DER, leaf first) and the weak
/// algorithms the policy accepted in it.
type Validated = (Vec<String>, Vec<Vec<u8>>, Vec<Problem>);

/// Build `leaf`'s candidate paths through `pool` within `budget`, validating each at `at` as
/// it is found (RFC 5280 §6.1, [`rfc5280::validate`], with revocation from `crls`) with the
/// provider's signature answers `checks`; stop at the first that validates. Each candidate
/// is first judged by the algorithm `policy` ([`weak_in_path`]): under the strict policy a
/// weak one fails without being validated. A set `cancel` stops the search at its next
/// issuer candidate or candidate path, as a spent budget would (the caller discards the
/// outcome: [`crate::cancel`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn validate_paths(
    leaf: &Node<'_>,
    pool: &Pool<'_>,
    budget: Budget,
    crls: &[CertificateList],
    checks: Option<&SignatureChecks>,
    at: time::OffsetDateTime,
    policy: AlgorithmPolicy,
    cancel: Option<&Cancel>,
) -> Outcome {
    let mut out = Outcome {
        chain: vec![subject_string(leaf.cert)],
        path: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
        spent: Budget {
            nodes: 0,
            validations: 0,
        },
    };
    // The leaf is itself a trust anchor: trusted on its own terms.
    if pool.is_anchor(&leaf.der) {
        out.path = vec![leaf.der.clone()];
        return out;
    }
    let mut found = 0usize;
    let mut validated: Option<Validated> = None;
    let mut first_failure: Option<(Vec<String>, Vec<Problem>)> = None;
    let mut visit = |stack: &[usize], anchor: usize| -> bool {
        found += 1;
        if out.spent.validations >= budget.validations || is_cancelled(cancel) {
            return true;
        }
        let Some(anchor) = pool.anchors.get(anchor) else {
            return false;
        };
        out.spent.validations += 1;
        let certs: Vec<&Node<'_>> = stack.iter().filter_map(|&i| pool.certs.get(i)).collect();
        let mut chain = vec![subject_string(leaf.cert)];
        chain.extend(certs.iter().map(|n| subject_string(n.cert)));
        chain.push(subject_string(anchor.cert));
        let (weak, notes) = policy.split(&weak_in_path(leaf, &certs, anchor));
        if !weak.is_empty() {
            first_failure.get_or_insert((chain, weak));
            return found >= MAX_CANDIDATES;
        }
        match check(crls, pool, leaf, &certs, anchor, checks, at) {
            Ok(()) => {
                let mut path = vec![leaf.der.clone()];
                path.extend(certs.iter().map(|n| n.der.clone()));
                path.push(anchor.der.clone());
                validated = Some((chain, path, notes));
                true
            }
            Err(p) => {
                // A path this build's provider could not check is reported before another
                // path's failure: a build with the pure-Rust provider may validate it.
                let unsupported =
                    |f: &[Problem]| f.iter().any(|q| q.code == codes::PROVIDER_UNSUPPORTED);
                if unsupported(std::slice::from_ref(&p))
                    && !first_failure.as_ref().is_some_and(|(_, f)| unsupported(f))
                {
                    first_failure = Some((chain, vec![p]));
                } else {
                    first_failure.get_or_insert((chain, vec![p]));
                }
                found >= MAX_CANDIDATES
            }
        }
    };
    let mut search = Search::new(pool, leaf, budget.nodes, cancel, &mut visit);
    search.build(leaf);
    let (nodes, exhausted, longest) = (search.nodes, search.exhausted, search.longest);
    out.spent.nodes = nodes;
    if let Some((chain, path, notes)) = validated {
        out.chain = chain;
        out.path = path;
        out.notes = notes;
        return out;
    }
    let exhausted = exhausted.then(|| {
        Problem::new(
            codes::PATH_BUDGET_EXHAUSTED,
            format!(
                "path building for {} stopped after examining {nodes} issuer candidates (the certificates supplied allow too many paths)",
                subject_string(leaf.cert),
            ),
        )
    });
    if let Some((chain, p)) = first_failure {
        if !chain.is_empty() {
            out.chain = chain;
        }
        out.problems.extend(p);
        out.problems.extend(exhausted);
        return out;
    }
    out.chain.extend(
        longest
            .iter()
            .filter_map(|&i| pool.certs.get(i))
            .map(|n| subject_string(n.cert)),
    );
    if let Some(p) = exhausted {
        out.problems.push(p);
    } else if found > 0 {
        out.problems.push(Problem::new(
            codes::PATH_BUDGET_EXHAUSTED,
            format!(
                "no candidate path of {} could be validated within the validation budget",
                subject_string(leaf.cert)
            ),
        ));
    } else {
        let top = longest
            .last()
            .and_then(|&i| pool.certs.get(i))
            .map_or(leaf.cert, |n| n.cert);
        out.problems.push(Problem::new(
            codes::CERT_UNTRUSTED,
            format!(
                "no path from {} to a trusted anchor: issuer {} is neither a trust anchor nor among the known certificates",
                subject_string(leaf.cert),
                name_string(top.tbs_certificate().issuer())
            ),
        ));
    }
    out
}

/// The weak algorithms and keys of a candidate path (the algorithm policy, RFC 8551 §2.7): the
/// leaf's signature algorithm (its key is judged once per leaf, whatever the path: see
/// [`super::Validator`]), each intermediate's key and signature algorithm, and the anchor's
/// key (its self-signature is never checked, RFC 5280 §6.1.1).
fn weak_in_path(leaf: &Node<'_>, intermediates: &[&Node<'_>], anchor: &Node<'_>) -> Vec<Weakness> {
    let mut weak: Vec<Weakness> =
        algorithm_policy::signature(None, leaf.cert.signature_algorithm())
            .map(|w| w.at(&format!("certificate {}", subject_string(leaf.cert))))
            .into_iter()
            .collect();
    for n in intermediates {
        weak.extend(algorithm_policy::certificate(n.cert, false, || {
            format!("certificate {}", subject_string(n.cert))
        }));
    }
    weak.extend(algorithm_policy::certificate(anchor.cert, true, || {
        format!("certificate {}", subject_string(anchor.cert))
    }));
    weak
}

/// Called with each path found (pool indices from the leaf's issuer upwards, anchor index);
/// returns true to stop the search.
type Visit<'f> = dyn FnMut(&[usize], usize) -> bool + 'f;

/// Depth-first search state: the path so far, what was spent.
struct Search<'p, 'a, 'f> {
    pool: &'p Pool<'a>,
    leaf: &'p Node<'a>,
    budget: usize,
    nodes: usize,
    cancel: Option<&'p Cancel>,
    exhausted: bool,
    stopped: bool,
    stack: Vec<usize>,
    longest: Vec<usize>,
    visit: &'f mut Visit<'f>,
}

impl<'p, 'a, 'f> Search<'p, 'a, 'f> {
    fn new(
        pool: &'p Pool<'a>,
        leaf: &'p Node<'a>,
        budget: usize,
        cancel: Option<&'p Cancel>,
        visit: &'f mut Visit<'f>,
    ) -> Self {
        Search {
            pool,
            leaf,
            budget,
            nodes: 0,
            cancel,
            exhausted: false,
            stopped: false,
            stack: Vec::new(),
            longest: Vec::new(),
            visit,
        }
    }

    /// Explore the issuers of `cert` in two passes over the certificates with the issuer's
    /// name, one node per candidate per pass: anchors and the certificates whose
    /// subjectKeyIdentifier is `cert`'s authorityKeyIdentifier, then those that only match by
    /// name.
    fn build(&mut self, cert: &Node<'a>) {
        if self.stack.len() > self.longest.len() {
            self.longest = self.stack.clone();
        }
        let pool = self.pool;
        let candidates = pool.subjects(cert.cert.tbs_certificate().issuer());
        for keyed in [true, false] {
            for &at in candidates {
                if self.stopped || self.exhausted {
                    return;
                }
                if self.nodes >= self.budget || is_cancelled(self.cancel) {
                    self.exhausted = true;
                    return;
                }
                self.nodes += 1;
                let Some(issuer) = pool.node(at) else {
                    continue;
                };
                let first = matches!(at, Issuer::Anchor(_)) || cert.key_id_matches(issuer);
                if first != keyed || !cert.issued_by(issuer) {
                    continue;
                }
                match at {
                    Issuer::Anchor(i) => self.stopped = (self.visit)(&self.stack, i),
                    Issuer::Cert(i) => {
                        if self.stack.len() >= MAX_PATH_LEN || self.repeats(issuer) {
                            continue;
                        }
                        self.stack.push(i);
                        self.build(issuer);
                        self.stack.pop();
                    }
                }
            }
        }
    }

    /// Whether `node` has the subject and key of the leaf or of a certificate in the path.
    fn repeats(&self, node: &Node<'_>) -> bool {
        self.leaf.same_entity(node)
            || self
                .stack
                .iter()
                .filter_map(|&i| self.pool.certs.get(i))
                .any(|c| c.same_entity(node))
    }
}

/// Validate leaf ← intermediates (leaf side first) ← anchor at `at`, with revocation from
/// `crls` (and CRL signers among `pool`'s certificates): a path that validated before without CRLs at a time its every certificate was
/// valid is valid again ([`VALIDATED`]), else [`rfc5280::validate`] decides, each signature
/// answered first by the provider's `checks` and otherwise verified in Rust
/// ([`verify_in_rust`]).
fn check(
    crls: &[CertificateList],
    pool: &Pool<'_>,
    leaf: &Node<'_>,
    intermediates: &[&Node<'_>],
    anchor: &Node<'_>,
    checks: Option<&SignatureChecks>,
    at: time::OffsetDateTime,
) -> Result<(), Problem> {
    let path = || {
        std::iter::once(leaf)
            .chain(intermediates.iter().copied())
            .chain(std::iter::once(anchor))
    };
    let secs = u64::try_from(at.unix_timestamp()).map_err(|_| {
        Problem::new(
            codes::CERT_MALFORMED,
            format!("validation time out of range: {at}"),
        )
    })?;
    // Without CRLs the outcome is a function of the path's octets and of the time through
    // the certificates' validity alone.
    let keepable = crls.is_empty();
    let provider = checks.and_then(SignatureChecks::provider);
    if keepable && validated_before(path().map(|n| n.der.as_slice()), secs, provider) {
        return Ok(());
    }
    #[cfg(test)]
    VALIDATIONS_RUN.with(|n| n.set(n.get() + 1));
    // The provider's answers taken (a valid one, or one taken as valid for now by a
    // recording step).
    let mut answered = false;
    let mut relied: Vec<SignatureCheck> = Vec::new();
    let certs: Vec<PathCert<'_>> = intermediates
        .iter()
        .rev()
        .copied()
        .chain(std::iter::once(leaf))
        .map(|n| PathCert {
            cert: n.cert,
            der: &n.der,
        })
        .collect();
    let anchor_cert = PathCert {
        cert: anchor.cert,
        der: &anchor.der,
    };
    // Where a CRL signer of another key is looked for (RFC 5280 §6.3.3 (f)): only with CRLs.
    let others: Vec<PathCert<'_>> = if crls.is_empty() {
        Vec::new()
    } else {
        pool.certs
            .iter()
            .map(|n| PathCert {
                cert: n.cert,
                der: &n.der,
            })
            .collect()
    };
    let outcome = {
        let mut verify = |message: &[u8],
                          signature: &[u8],
                          alg: &AlgorithmIdentifierOwned,
                          key: &SubjectPublicKeyInfoOwned|
         -> Result<(), (&'static str, String)> {
            let check = checks.and_then(|checks| {
                SignatureCheck::new(key, alg, None, message, signature)
                    .map(|c| (checks.lookup(&c.clone().of_pki_object()), c.of_pki_object()))
            });
            match check {
                Some((Lookup::Valid, _)) => {
                    answered = true;
                    Ok(())
                }
                Some((Lookup::Provisional, c)) => {
                    relied.push(c);
                    Ok(())
                }
                // Without the pure-Rust provider the provider's "does not verify" stands, in
                // the words of the Rust verification.
                Some((Lookup::Refuted, _)) if !cfg!(feature = "rust-crypto") => Err((
                    codes::CERT_BAD_SIGNATURE,
                    crate::signature::does_not_verify(key, alg).into(),
                )),
                _ => verify_in_rust(message, signature, alg, key),
            }
        };
        rfc5280::validate(anchor_cert, &certs, secs, crls, &others, &mut verify)
    };
    outcome.map_err(|f| Problem::new(f.code, f.detail))?;
    if !keepable {
        return Ok(());
    }
    let Some(valid) = Validity::of(path().map(|n| n.cert)) else {
        return Ok(());
    };
    let kept = |provider| ValidatedPath {
        der: path().map(|n| n.der.clone()).collect(),
        valid,
        provider,
    };
    match (checks, provider) {
        // Every signature verified in Rust: kept for every validation.
        _ if !answered && relied.is_empty() => kept(None).keep(),
        // On the answers of a named provider: kept for its validations, and when it took
        // signatures as valid for now (a recording step), only once it confirms them
        // ([`SignatureChecks::add`]).
        (Some(checks), Some(name)) => checks.keep_when_confirmed(kept(Some(name)), relied),
        // An unnamed provider's answers count for this validation only.
        _ => {}
    }
    Ok(())
}

/// The certificate and CRL signature algorithms verified in Rust (RFC 5280 §4.1.1.2):
/// RSASSA-PKCS1-v1_5 with SHA-1 (the algorithm policy judges it first), SHA-256, SHA-384 or
/// SHA-512 (RFC 4055 §5); RSASSA-PSS with SHA-256, SHA-384 or SHA-512 (RFC 4055 §3.1); ECDSA
/// with SHA-256, SHA-384 or SHA-512 on P-256 or P-384 (RFC 5758 §3.2). An id-RSASSA-PSS key
/// verifies only RSASSA-PSS signatures (RFC 4055 §1.2).
fn verify_in_rust(
    message: &[u8],
    signature: &[u8],
    alg: &AlgorithmIdentifierOwned,
    key: &SubjectPublicKeyInfoOwned,
) -> Result<(), (&'static str, String)> {
    use crate::asn1::oid::{
        ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512, RSASSA_PSS, SHA1_WITH_RSA, SHA256,
        SHA256_WITH_RSA, SHA384, SHA384_WITH_RSA, SHA512, SHA512_WITH_RSA,
    };
    use crate::signature::{self, DigestAlg, VerifyFailure};
    let unsupported = |what: String| {
        Err((
            codes::CERT_BAD_SIGNATURE,
            format!("signed with an unsupported algorithm ({what})"),
        ))
    };
    let known = match alg.oid {
        SHA1_WITH_RSA | SHA256_WITH_RSA | SHA384_WITH_RSA | SHA512_WITH_RSA => {
            key.algorithm.oid != RSASSA_PSS
        }
        ECDSA_SHA256 | ECDSA_SHA384 | ECDSA_SHA512 => true,
        RSASSA_PSS => matches!(
            algorithm_policy::pss_params(alg.parameters.as_ref()).map(|p| p.hash),
            Ok(SHA256 | SHA384 | SHA512)
        ),
        _ => false,
    };
    // A build without the pure-Rust provider cannot check what the provider did not answer,
    // known or not: `provider-unsupported` (a build with it decides).
    if !known && cfg!(feature = "rust-crypto") {
        return unsupported(signature::name(&alg.oid));
    }
    match signature::verify_signature(key, DigestAlg::Sha256, alg, message, signature) {
        Ok(()) => Ok(()),
        Err(VerifyFailure::NoProvider(why)) => Err((codes::PROVIDER_UNSUPPORTED, why)),
        Err(VerifyFailure::Unsupported(why)) => unsupported(why),
        Err(VerifyFailure::Invalid(why)) => Err((codes::CERT_BAD_SIGNATURE, why)),
    }
}

/// When a kept path is valid, and the provider whose answers it relied on
/// ([`ValidatedPath`]).
type ValidatedBy = (Validity, Option<&'static str>);

/// How many validated paths [`VALIDATED`] keeps (per thread).
const VALIDATED_PATHS: usize = 32;

thread_local! {
    /// Paths validated without CRLs, by the DER of their certificates (leaf first,
    /// anchor last), with the times at which all of them are valid. The checks without
    /// revocation (RFC 5280 §6.1.3–§6.1.5: signatures, names, constraints, policies, key
    /// usage) are functions of the path's octets; the time of interest enters only through
    /// each certificate's validity (§6.1.3 (a)(2), the anchor's
    /// included), so the same path validates at any time within all of them. A correspondent's
    /// path recurs in every message of theirs.
    static VALIDATED: RefCell<Memo<Vec<Vec<u8>>, ValidatedBy>> =
        const { RefCell::new(Memo::new(VALIDATED_PATHS)) };
}

#[cfg(test)]
thread_local! {
    /// Path validations run on this thread (a test hook).
    static VALIDATIONS_RUN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Path validations run on this thread so far (a test hook).
#[cfg(test)]
pub(super) fn validations_run() -> usize {
    VALIDATIONS_RUN.with(std::cell::Cell::get)
}

/// Whether the path of these certificates (DER, leaf first, anchor last) validated before
/// — its signatures verified in Rust, or answered by `provider` — and all of them are valid
/// at `at` (seconds since the epoch).
fn validated_before<'d>(
    path: impl Iterator<Item = &'d [u8]> + Clone,
    at: u64,
    provider: Option<&'static str>,
) -> bool {
    VALIDATED.with(|v| {
        v.borrow()
            .find(|der, (valid, by)| {
                valid.contains(at)
                    && (by.is_none() || *by == provider)
                    && der.iter().map(Vec::as_slice).eq(path.clone())
            })
            .is_some()
    })
}

/// The times at which every certificate of a path is valid (RFC 5280 §4.1.2.5: notBefore
/// and notAfter inclusive), in seconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Validity {
    from: u64,
    until: u64,
}

impl Validity {
    /// The intersection of the certificates' validity periods; `None` when it is empty.
    fn of<'c>(certs: impl Iterator<Item = &'c Certificate>) -> Option<Self> {
        let mut v = Validity {
            from: 0,
            until: u64::MAX,
        };
        for c in certs {
            let p = c.tbs_certificate().validity();
            v.from = v.from.max(p.not_before.to_unix_duration().as_secs());
            v.until = v.until.min(p.not_after.to_unix_duration().as_secs());
        }
        (v.from <= v.until).then_some(v)
    }

    fn contains(&self, at: u64) -> bool {
        self.from <= at && at <= self.until
    }
}

/// A path validated ([`VALIDATED`]): its certificates' DER, their common validity,
/// and the provider whose answers it relied on (none: every signature verified in Rust).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ValidatedPath {
    der: Vec<Vec<u8>>,
    valid: Validity,
    provider: Option<&'static str>,
}

impl ValidatedPath {
    /// Keep it in this thread's [`VALIDATED`] (once).
    pub(super) fn keep(self) {
        VALIDATED.with(|v| {
            let mut v = v.borrow_mut();
            let answer = (self.valid, self.provider);
            if v.find(|der, a| *der == self.der && *a == answer).is_none() {
                v.keep(self.der, answer);
            }
        });
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::pki::{issue_user, make_ca, Subject};

    /// The demo profile's validity of `years` from now.
    fn years(n: u32) -> x509_cert::time::Validity {
        crate::pki::validity(time::OffsetDateTime::now_utc(), n).unwrap()
    }

    const ROOT: &str = "CN=Path Root,O=Path Test,C=GB";

    fn user(
        rng: &mut impl crate::rng::CryptoRng,
        key: &p256::ecdsa::SigningKey,
        ca: &Certificate,
    ) -> Certificate {
        let s = Subject {
            address: "leaf@army.example",
            name: "Leaf",
            org: "Path Test",
        };
        issue_user(rng, key, ca, &s, years(5)).unwrap().1
    }

    /// `n` CA certificates named like the root, each with its own key.
    fn decoys(rng: &mut impl crate::rng::CryptoRng, n: usize) -> Vec<Certificate> {
        (0..n)
            .map(|_| make_ca(rng, ROOT, years(10)).unwrap().1)
            .collect()
    }

    fn run(leaf: &Certificate, pool: &Pool<'_>, nodes: usize) -> Outcome {
        run_cancellable(leaf, pool, nodes, None)
    }

    fn run_cancellable(
        leaf: &Certificate,
        pool: &Pool<'_>,
        nodes: usize,
        cancel: Option<&Cancel>,
    ) -> Outcome {
        validate_paths(
            &Node::new(leaf).unwrap(),
            pool,
            Budget {
                nodes,
                validations: MAX_CANDIDATES,
            },
            &[],
            None,
            time::OffsetDateTime::now_utc(),
            AlgorithmPolicy::strict(),
            cancel,
        )
    }

    fn codes(o: &Outcome) -> Vec<&str> {
        o.problems.iter().map(|p| p.code.as_str()).collect()
    }

    /// `leaf`'s outcome through `pool` at `at`, with the provider's answers `checks`.
    fn run_with(
        leaf: &Certificate,
        pool: &Pool<'_>,
        checks: Option<&SignatureChecks>,
        at: time::OffsetDateTime,
    ) -> Outcome {
        validate_paths(
            &Node::new(leaf).unwrap(),
            pool,
            Budget {
                nodes: 100,
                validations: MAX_CANDIDATES,
            },
            &[],
            checks,
            at,
            AlgorithmPolicy::strict(),
            None,
        )
    }

    /// A recording step of `checks` validating `leaf`, which passes on provisional answers;
    /// the checks it asked.
    fn recorded(
        leaf: &Certificate,
        pool: &Pool<'_>,
        checks: &SignatureChecks,
        at: time::OffsetDateTime,
    ) -> Vec<SignatureCheck> {
        let recording = checks.recording();
        assert!(run_with(leaf, pool, Some(checks), at).problems.is_empty());
        drop(recording);
        checks.take_asked()
    }

    /// `cert` with one octet of its signature value changed (the same TBSCertificate).
    fn tampered(cert: &Certificate) -> Certificate {
        use der::{Decode, Encode};
        let mut der = cert.to_der().unwrap();
        let n = der.len() - 5;
        der[n] ^= 0x01;
        Certificate::from_der(&der).unwrap()
    }

    #[test]
    fn a_validated_path_is_valid_again_only_within_its_certificates_validity() {
        let mut rng = crate::rng::system_rng();
        let now = time::OffsetDateTime::now_utc();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let leaf = user(&mut rng, &key, &root);
        let pool = Pool::new([&root], std::iter::empty());
        let day = time::Duration::days(1);
        let runs = validations_run();
        assert!(run_with(&leaf, &pool, None, now + day).problems.is_empty());
        assert_eq!(validations_run(), runs + 1);
        // Another time within the validity of the leaf and the root: not validated again.
        let o = run_with(&leaf, &pool, None, now + 700 * day);
        assert!(o.problems.is_empty(), "{:?}", o.problems);
        assert_eq!(o.path.len(), 2);
        assert_eq!(validations_run(), runs + 1);
        // Past the leaf's notAfter, before its notBefore: validated again, and refused.
        let o = run_with(&leaf, &pool, None, now + 6 * 365 * day);
        assert_eq!(codes(&o), [codes::CERT_EXPIRED]);
        let o = run_with(&leaf, &pool, None, now - day);
        assert_eq!(codes(&o), [codes::CERT_NOT_YET_VALID]);
        assert_eq!(validations_run(), runs + 3);
        // The same name, key and TBSCertificate with another signature value is another
        // path: validated, and refused.
        let o = run_with(&tampered(&leaf), &pool, None, now + day);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        assert_eq!(validations_run(), runs + 4);
        // Other anchor sets validate the same path the same way.
        let pool2 = Pool::new([&root], [&root]);
        assert!(run_with(&leaf, &pool2, None, now + 2 * day)
            .problems
            .is_empty());
        assert_eq!(validations_run(), runs + 4);
    }

    #[test]
    fn a_path_validated_on_provisional_answers_is_kept_only_once_they_are_confirmed() {
        let mut rng = crate::rng::system_rng();
        let now = time::OffsetDateTime::now_utc();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let leaf = user(&mut rng, &key, &root);
        let forged = tampered(&leaf);
        let pool = Pool::new([&root], std::iter::empty());
        // A recording step takes the forged certificate's signature as valid for now...
        let checks = SignatureChecks::default().named("test");
        let asked = recorded(&forged, &pool, &checks, now);
        assert_eq!(asked.len(), 1);
        // ...which is no answer for the next validation, nor after the provider refutes it.
        let o = run_with(&forged, &pool, None, now);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        checks.add(asked[0].clone(), false);
        let o = run_with(&forged, &pool, None, now);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        // The genuine certificate's path is kept once the provider confirms its signature,
        // for the validations it answers.
        let checks = SignatureChecks::default().named("test");
        let asked = recorded(&leaf, &pool, &checks, now);
        let ders = [Node::new(&leaf).unwrap().der, Node::new(&root).unwrap().der];
        let secs = u64::try_from(now.unix_timestamp()).unwrap();
        let kept = |by| validated_before(ders.iter().map(Vec::as_slice), secs, by);
        assert!(!kept(Some("test")), "kept before the provider answered");
        checks.add(asked[0].clone(), true);
        assert!(kept(Some("test")), "not kept once the provider answered");
        assert!(!kept(None) && !kept(Some("other")));
        let answered = SignatureChecks::default().named("test");
        let runs = validations_run();
        assert!(run_with(&leaf, &pool, Some(&answered), now)
            .problems
            .is_empty());
        assert_eq!(validations_run(), runs);
        assert!(answered.take_asked().is_empty());
        // Verified in Rust: kept for every validation.
        assert!(run_with(&leaf, &pool, None, now).problems.is_empty());
        assert_eq!(validations_run(), runs + 1);
        assert!(kept(None));
    }

    #[test]
    fn answers_of_an_unnamed_provider_are_not_kept() {
        let mut rng = crate::rng::system_rng();
        let now = time::OffsetDateTime::now_utc();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let forged = tampered(&user(&mut rng, &key, &root));
        let pool = Pool::new([&root], std::iter::empty());
        let checks = SignatureChecks::default();
        for c in recorded(&forged, &pool, &checks, now) {
            checks.add(c, true);
        }
        assert!(run_with(&forged, &pool, Some(&checks), now)
            .problems
            .is_empty());
        let o = run_with(&forged, &pool, None, now);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        let o = run_with(&forged, &pool, Some(&SignatureChecks::default()), now);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
    }

    #[test]
    fn pool_drops_duplicates_and_anchors() {
        let mut rng = crate::rng::system_rng();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let leaf = user(&mut rng, &key, &root);
        let other = decoys(&mut rng, 1).remove(0);
        let mut others = vec![&leaf; 500];
        others.extend([&root, &other, &leaf, &other]);
        let pool = Pool::new([&root, &root], others);
        assert_eq!(pool.certs.len(), 2);
        assert_eq!(pool.anchors.len(), 2);
        // anchors first, then the pool certificate with the same subject
        let subjects = pool.subjects(root.tbs_certificate().subject());
        assert_eq!(
            subjects,
            &[Issuer::Anchor(0), Issuer::Anchor(1), Issuer::Cert(1)]
        );
    }

    #[test]
    fn name_key_ignores_case_and_space() {
        use std::str::FromStr;
        let a = x509_cert::name::Name::from_str("CN=Path  Root,O=Path Test,C=GB").unwrap();
        let b = x509_cert::name::Name::from_str("CN=path root,O=PATH TEST,C=gb").unwrap();
        assert!(super::super::name_match::names_match(&a, &b));
        assert_eq!(
            super::super::pool::name_key(&a),
            super::super::pool::name_key(&b)
        );
    }

    #[test]
    fn budget_counts_every_candidate_examined() {
        let mut rng = crate::rng::system_rng();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let leaf = user(&mut rng, &key, &root);
        let decoys = decoys(&mut rng, 200);
        // Without the root as anchor: 200 same-named issuers, none with the leaf's AKI,
        // examined in both passes (key identifier matches first, then name matches).
        let none: [&Certificate; 0] = [];
        let pool = Pool::new(none, &decoys);
        let o = run(&leaf, &pool, MAX_PATH_LEN * 1000);
        assert_eq!(codes(&o), [codes::CERT_UNTRUSTED]);
        assert_eq!(o.spent.nodes, 400);
        let o = run(&leaf, &pool, 50);
        assert_eq!(codes(&o), [codes::PATH_BUDGET_EXHAUSTED]);
        assert_eq!(o.spent.nodes, 50);
        assert_eq!(o.spent.validations, 0);
        // With it: the anchor is examined first and its path validated at once, which ends
        // the search.
        let pool = Pool::new([&root], &decoys);
        let o = run(&leaf, &pool, 50);
        assert!(o.problems.is_empty(), "{:?}", o.problems);
        assert_eq!(o.chain.len(), 2);
        assert_eq!((o.spent.nodes, o.spent.validations), (1, 1));
        let o = run(&leaf, &pool, 0);
        assert_eq!(codes(&o), [codes::PATH_BUDGET_EXHAUSTED]);
    }

    #[test]
    fn a_set_cancel_flag_stops_the_search_at_once() {
        let mut rng = crate::rng::system_rng();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let leaf = user(&mut rng, &key, &root);
        let decoys = decoys(&mut rng, 200);
        let none: [&Certificate; 0] = [];
        let pool = Pool::new(none, &decoys);
        let cancel = Cancel::new();
        // Unset: the whole search, as without a flag.
        let o = run_cancellable(&leaf, &pool, MAX_PATH_LEN * 1000, Some(&cancel));
        assert_eq!(o.spent.nodes, 400);
        // Set: not one more candidate is examined, nor any path validated.
        cancel.cancel();
        let o = run_cancellable(&leaf, &pool, MAX_PATH_LEN * 1000, Some(&cancel));
        assert_eq!((o.spent.nodes, o.spent.validations), (0, 0));
        let pool = Pool::new([&root], &decoys);
        let o = run_cancellable(&leaf, &pool, 50, Some(&cancel));
        assert_eq!((o.spent.nodes, o.spent.validations), (0, 0));
        assert!(!o.problems.is_empty());
    }

    /// RFC 5280 §4.1.1.2: the signatureAlgorithm outside the TBSCertificate must be the
    /// `signature` inside it. A certificate whose outer algorithm names another hash than
    /// the one its issuer signed with is refused, though its signature value is genuine.
    #[test]
    fn an_outer_signature_algorithm_other_than_the_signed_one_is_refused() {
        use der::{Decode, Encode};
        let mut rng = crate::rng::system_rng();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let leaf = user(&mut rng, &key, &root);
        let pool = Pool::new([&root], std::iter::empty());
        assert!(run(&leaf, &pool, 100).problems.is_empty());
        // ecdsa-with-SHA256 (1.2.840.10045.4.3.2) → ecdsa-with-SHA384 (…4.3.3) in the outer
        // AlgorithmIdentifier only: the last occurrence of the OID's octets in the DER.
        let mut der = leaf.to_der().unwrap();
        let oid = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
        let at = der.windows(oid.len()).rposition(|w| w == oid).unwrap();
        der[at + oid.len() - 1] = 0x03;
        let swapped = Certificate::from_der(&der).unwrap();
        assert_ne!(
            swapped.signature_algorithm(),
            swapped.tbs_certificate().signature()
        );
        let o = run(&swapped, &pool, 100);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        assert!(
            o.problems[0].message.contains("§4.1.1.2"),
            "{:?}",
            o.problems
        );
    }

    #[test]
    fn repetition_is_not_an_issuer() {
        let mut rng = crate::rng::system_rng();
        let (_, ca) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        // A self-signed certificate in the pool issues itself, but never twice in one path.
        let none: [&Certificate; 0] = [];
        let pool = Pool::new(none, [&ca]);
        let o = run(&ca, &pool, MAX_PATH_LEN * 1000);
        assert_eq!(codes(&o), [codes::CERT_UNTRUSTED]);
        assert_eq!(o.spent.nodes, 2);
    }
}
