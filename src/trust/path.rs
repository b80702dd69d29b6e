//! Path building within a work budget, and RFC 5280 §6.1 validation of each candidate path
//! with certval.
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
//! Each candidate is validated by `certval::validate_path_rfc5280` and, when CRLs are
//! supplied, `certval::check_revocation_local`. Certificates whose issuer published none of
//! the supplied CRLs are not revocation-checked (a status cache answers "valid" for them);
//! those whose issuer did must be settled by one of its CRLs (signature, currency at the
//! validation time and scope are certval's checks) or get `cert-revocation-unknown`.
//! Without CRLs a path that validated is valid again, without certval, at any time within
//! its certificates' validity ([`VALIDATED`]).

use certval::{
    compare_names, CertFile, CertVector, CertificationPath, CertificationPathResults,
    CertificationPathSettings, MemoryCrlSource, PDVCertificate, PDVTrustAnchorChoice,
    PathValidationStatus, PkiEnvironment, RevocationStatusCache, SubjectNameAndKey, TaSource,
    TimeOfInterest,
};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use der::Encode;
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::pool::{Issuer, Node, Pool};
use super::{
    codes, name_string, subject_string, Lookup, SignatureCheck, SignatureChecks, MAX_PATH_LEN,
};
use crate::algorithm_policy::{self, AlgorithmPolicy, Weakness};
use crate::cancel::{is_cancelled, Cancel};
use crate::memo::Memo;
use crate::report::Problem;

/// Most candidate paths validated by certval for one leaf.
pub(super) const MAX_CANDIDATES: usize = 8;

/// What a leaf's path building and validation may spend.
#[derive(Clone, Copy, Debug)]
pub(super) struct Budget {
    /// Issuer candidates that may be examined.
    pub nodes: usize,
    /// Candidate paths that may be validated by certval.
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
/// it is found with the environment `env` makes (called once, on the first candidate) and
/// the provider's signature answers `checks`; stop at the first that validates. Each candidate is first judged by the algorithm `policy`
/// ([`weak_in_path`]): under the strict policy a weak one fails without reaching certval.
/// A set `cancel` stops the search at its next issuer candidate or candidate path, as a
/// spent budget would (the caller discards the outcome: [`crate::cancel`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn validate_paths<'e>(
    leaf: &Node<'_>,
    pool: &Pool<'_>,
    budget: Budget,
    env: impl FnOnce() -> Result<&'e Environment, Problem>,
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
    let mut env = Some(env);
    let mut ready: Option<Result<(&Environment, CertificationPathSettings), Problem>> = None;
    let mut found = 0usize;
    let mut validated: Option<Validated> = None;
    let mut first_failure: Option<(Vec<String>, Vec<Problem>)> = None;
    let mut visit = |stack: &[usize], anchor: usize| -> bool {
        found += 1;
        if out.spent.validations >= budget.validations || is_cancelled(cancel) {
            return true;
        }
        let ready = ready.get_or_insert_with(|| {
            let env = env.take().map_or_else(
                || {
                    Err(Problem::new(
                        codes::CERT_MALFORMED,
                        "no certval environment",
                    ))
                },
                |make| make(),
            )?;
            Ok((env, env.settings(at)?))
        });
        let (env, cps) = match ready {
            Ok((env, cps)) => (*env, &*cps),
            Err(p) => {
                first_failure.get_or_insert_with(|| (Vec::new(), vec![p.clone()]));
                return true;
            }
        };
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
        match env.check(cps, leaf, &certs, anchor, checks) {
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
                top.tbs_certificate().issuer()
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
        weak.extend(algorithm_policy::certificate(n.cert, false));
    }
    weak.extend(algorithm_policy::certificate(anchor.cert, true));
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

/// certval environment (trust anchors, CRLs, revocation cache) and settings, built once per
/// pool — or once per thread for a set of trust anchors without CRLs ([`Self::shared`]); the
/// time of interest is set per validation ([`Environment::settings`]), the provider's
/// signature answers per check ([`Environment::check`]).
pub(super) struct Environment {
    pe: PkiEnvironment,
    cps: CertificationPathSettings,
    /// The provider's answers for the check under way, which the signature callback asks
    /// first; none between checks.
    checks: Arc<Mutex<Checking>>,
    /// The anchors as certval decodes them, by DER, as they are first used.
    anchors: RefCell<Memo<Vec<u8>, PDVTrustAnchorChoice>>,
    /// Leaves and intermediates as certval decodes them, by DER: the last
    /// [`DECODED_CERTIFICATES`] validated (a sender's recur from message to message).
    decoded: RefCell<Memo<Vec<u8>, PDVCertificate>>,
}

/// How many certificates an [`Environment`] keeps decoded for certval.
const DECODED_CERTIFICATES: usize = 32;

/// `make(der)`, or the value made from the same octets before (kept in `memo`): decoding
/// is a function of the octets.
fn remembered<T: Clone, E>(
    memo: &RefCell<Memo<Vec<u8>, T>>,
    der: &[u8],
    make: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, E> {
    if let Some((_, v)) = memo.borrow().find(|d, _| d.as_slice() == der) {
        return Ok(v.clone());
    }
    let v = make(der)?;
    memo.borrow_mut().keep(der.to_vec(), v.clone());
    Ok(v)
}

/// How many environments [`Environment::shared`] keeps (per thread).
const SHARED_ENVIRONMENTS: usize = 4;

thread_local! {
    /// [`Environment::shared`]'s environments by their trust anchors' DER.
    static SHARED: RefCell<Memo<Vec<Vec<u8>>, Rc<Environment>>> =
        const { RefCell::new(Memo::new(SHARED_ENVIRONMENTS)) };
}

/// The provider's answers for the check under way; whether certval took one of them
/// ([`Lookup::Valid`]), and the signatures they took as valid for now
/// ([`Lookup::Provisional`]).
#[derive(Default)]
struct Checking {
    checks: Option<SignatureChecks>,
    answered: bool,
    provisional: Vec<SignatureCheck>,
    /// A signature the provider could not check, in a build without the pure-Rust
    /// provider ([`super::PROVIDER_UNSUPPORTED`]).
    unsupported: bool,
}

/// Sets an environment's provider answers for one check and clears them when dropped.
struct CheckingWith<'a>(&'a Mutex<Checking>);

impl<'a> CheckingWith<'a> {
    fn new(slot: &'a Mutex<Checking>, checks: Option<&SignatureChecks>) -> Self {
        if let Ok(mut s) = slot.lock() {
            *s = Checking {
                checks: checks.cloned(),
                ..Checking::default()
            };
        }
        CheckingWith(slot)
    }

    /// Whether a signature certval asked of the provider was one it could not check.
    fn unsupported(&self) -> bool {
        self.0.lock().map(|s| s.unsupported).unwrap_or(true)
    }

    /// Whether certval took an answer of the provider so far, and the signatures taken as
    /// valid for now.
    fn provider_answers(&self) -> (bool, Vec<SignatureCheck>) {
        self.0
            .lock()
            .map(|s| (s.answered, s.provisional.clone()))
            .unwrap_or((true, Vec::new()))
    }
}

impl Drop for CheckingWith<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.lock() {
            *s = Checking::default();
        }
    }
}

impl Environment {
    /// The environment for `anchors` and `crls`. Without CRLs it depends on the anchors
    /// alone — certval keeps no state between validations then — so the one built for the
    /// same anchors (the same DER, in the same order) is used again: the users of one
    /// deployment trust the same anchors in every message, and building the environment
    /// (decoding and indexing every anchor) costs more than a short message's whole check.
    pub(super) fn shared(
        anchors: &[Node<'_>],
        crls: &[CertificateList],
    ) -> Result<Rc<Self>, Problem> {
        if !crls.is_empty() {
            return Environment::new(anchors, crls).map(Rc::new);
        }
        let key: Vec<&[u8]> = anchors.iter().map(|a| a.der.as_slice()).collect();
        let known = SHARED.with(|s| {
            s.borrow()
                .find(|k, _| k.iter().map(Vec::as_slice).eq(key.iter().copied()))
                .map(|(_, env)| env.clone())
        });
        if let Some(env) = known {
            return Ok(env);
        }
        let env = Rc::new(Environment::new(anchors, crls)?);
        SHARED.with(|s| {
            s.borrow_mut()
                .keep(key.iter().map(|k| k.to_vec()).collect(), env.clone())
        });
        Ok(env)
    }

    pub(super) fn new(anchors: &[Node<'_>], crls: &[CertificateList]) -> Result<Self, Problem> {
        // The RFC 5280 callbacks: signature verification by the provider's answers when
        // the check under way has a provider, then with RustCrypto where the build has the
        // pure-Rust provider (certval asks its callbacks in order and moves on at
        // `Unrecognized`); without it, a signature the provider cannot check fails the path
        // as `PROVIDER_UNSUPPORTED`, one it refuted as not verifying.
        let mut pe = PkiEnvironment::new();
        let checks: Arc<Mutex<Checking>> = Arc::default();
        let slot = checks.clone();
        pe.add_verify_signature_message_callback(
            move |_: &PkiEnvironment,
                  message: &[u8],
                  signature: &der::asn1::BitString,
                  alg: &spki::AlgorithmIdentifierOwned,
                  key: &spki::SubjectPublicKeyInfoOwned|
                  -> certval::Result<()> {
                let unchecked = || {
                    if !cfg!(feature = "rust-crypto") {
                        if let Ok(mut s) = slot.lock() {
                            s.unsupported = true;
                        }
                    }
                    Err(certval::Error::Unrecognized)
                };
                let Some(checks) = slot.lock().ok().and_then(|s| s.checks.clone()) else {
                    return unchecked();
                };
                let Some(sig) = signature.as_bytes() else {
                    return unchecked();
                };
                let Some(check) =
                    SignatureCheck::new(key, alg, None, message, sig).map(|c| c.of_pki_object())
                else {
                    return unchecked();
                };
                match checks.lookup(&check) {
                    Lookup::Valid => {
                        if let Ok(mut s) = slot.lock() {
                            s.answered = true;
                        }
                        Ok(())
                    }
                    Lookup::Provisional => {
                        if let Ok(mut s) = slot.lock() {
                            s.provisional.push(check);
                        }
                        Ok(())
                    }
                    Lookup::Refuted if !cfg!(feature = "rust-crypto") => {
                        Err(certval::Error::PathValidation(
                            certval::PathValidationStatus::SignatureVerificationFailure,
                        ))
                    }
                    Lookup::Refuted | Lookup::Verify => unchecked(),
                }
            },
        );
        // certval's RFC 5280 set (`populate_5280_pki_environment`): path validation, hashing,
        // and its RustCrypto signature verification only with the pure-Rust provider.
        pe.add_validate_path_callback(certval::validate_path_rfc5280);
        pe.add_calculate_hash_callback(certval::calculate_hash_rust_crypto);
        #[cfg(feature = "rust-crypto")]
        {
            pe.add_verify_signature_digest_callback(certval::verify_signature_digest_rust_crypto);
            pe.add_verify_signature_message_callback(certval::verify_signature_message_rust_crypto);
        }
        pe.add_oid_lookup(certval::oid_lookup);
        let mut tas = TaSource::new();
        for (i, a) in anchors.iter().enumerate() {
            tas.push(CertFile {
                filename: format!("anchor #{i}"),
                bytes: a.der.clone(),
            });
        }
        tas.initialize()
            .map_err(|e| Problem::new(codes::CERT_MALFORMED, format!("trust anchors: {e:?}")))?;
        pe.add_trust_anchor_source(Box::new(tas));

        let mut cps = CertificationPathSettings::new();
        cps.set_check_ocsp_from_aia(false);
        cps.set_check_crldp_http(false);
        cps.set_retrieve_from_aia_sia_http(false);
        cps.set_check_crls(true);
        cps.set_check_revocation_status(!crls.is_empty());
        // Key sizes (and SHA-1 signatures, certval's `sha1_sig`) are the algorithm policy's
        // to judge, before certval sees a path (`weak_in_path`).
        cps.set_min_rsa_modulus_bits(0);

        if !crls.is_empty() {
            let source = MemoryCrlSource::new();
            let mut issuers = Vec::new();
            for crl in crls {
                if let Ok(bytes) = crl.to_der() {
                    if source.add(&bytes) {
                        issuers.push(crl.tbs_cert_list.issuer.clone());
                    }
                }
            }
            pe.add_crl_source(Box::new(source));
            pe.add_revocation_cache(Box::new(UncheckedWithoutCrl { issuers }));
        }
        Ok(Environment {
            pe,
            cps,
            checks,
            anchors: RefCell::new(Memo::new(DECODED_CERTIFICATES)),
            decoded: RefCell::new(Memo::new(DECODED_CERTIFICATES)),
        })
    }

    /// The settings with the validation time `at`.
    fn settings(&self, at: time::OffsetDateTime) -> Result<CertificationPathSettings, Problem> {
        let mut cps = self.cps.clone();
        let secs = u64::try_from(at.unix_timestamp()).unwrap_or(0);
        let toi = TimeOfInterest::from_unix_secs(secs).map_err(|e| {
            Problem::new(
                codes::CERT_MALFORMED,
                format!("validation time out of range: {e}"),
            )
        })?;
        cps.set_time_of_interest(toi);
        Ok(cps)
    }

    /// Validate leaf ← intermediates (leaf side first) ← anchor: a path that validated before
    /// at a time its every certificate was valid is valid again ([`VALIDATED`]), else
    /// certval decides.
    fn check(
        &self,
        cps: &CertificationPathSettings,
        leaf: &Node<'_>,
        intermediates: &[&Node<'_>],
        anchor: &Node<'_>,
        checks: Option<&SignatureChecks>,
    ) -> Result<(), Problem> {
        let path = || {
            std::iter::once(leaf)
                .chain(intermediates.iter().copied())
                .chain(std::iter::once(anchor))
        };
        let toi = cps.get_time_of_interest();
        // Without CRLs and with a time of interest, certval's answer is a function of the
        // path's octets and of that time through the certificates' validity alone.
        let keepable = !cps.get_check_revocation_status() && !toi.is_disabled();
        let provider = checks.and_then(SignatureChecks::provider);
        if keepable
            && validated_before(
                path().map(|n| n.der.as_slice()),
                toi.as_unix_secs(),
                provider,
            )
        {
            return Ok(());
        }
        let checking = CheckingWith::new(&self.checks, checks);
        let leaf_der = leaf.der.as_slice();
        let target = remembered(&self.decoded, leaf_der, |d| PDVCertificate::try_from(d))
            .map_err(|e| Problem::new(codes::CERT_MALFORMED, format!("leaf certificate: {e:?}")))?;
        let ta = remembered(&self.anchors, &anchor.der, |d| {
            PDVTrustAnchorChoice::try_from(d)
        })
        .map_err(|e| Problem::new(codes::CERT_MALFORMED, format!("trust anchor: {e}")))?;
        // certval wants the intermediates starting with the one the anchor issued.
        let mut chain = Vec::with_capacity(intermediates.len());
        for c in intermediates.iter().rev() {
            chain.push(
                remembered(&self.decoded, &c.der, |d| PDVCertificate::try_from(d))
                    .map_err(|e| malformed(c.cert, &format!("{e:?}")))?,
            );
        }
        let cp = CertificationPath::new(ta, chain, target);
        let mut cpr = CertificationPathResults::new();
        let describe = |cpr: &CertificationPathResults| -> String {
            let idx = cpr.get_failure_index().map(|i| i as usize);
            // Index 0 is the anchor's first child; len is the leaf (certval numbering + 1 offset).
            match idx {
                Some(i) if i >= 1 && i <= intermediates.len() => {
                    let pos = intermediates.len() - i;
                    intermediates
                        .get(pos)
                        .map(|c| subject_string(c.cert))
                        .unwrap_or_default()
                }
                Some(i) if i == intermediates.len() + 1 => {
                    name_string(cp.target.decoded().tbs_certificate().subject())
                }
                _ => String::new(),
            }
        };
        #[cfg(test)]
        CERTVAL_RUNS.with(|n| n.set(n.get() + 1));
        let failed = |e: &certval::Error, cpr: &CertificationPathResults| {
            map_error(e, &describe(cpr), checking.unsupported())
        };
        if let Err(e) = certval::validate_path_rfc5280(&self.pe, cps, &cp, &mut cpr) {
            return Err(failed(&e, &cpr));
        }
        if cps.get_check_revocation_status() {
            let mut cpr = CertificationPathResults::new();
            if let Err(e) = certval::check_revocation_local(&self.pe, cps, &cp, &mut cpr) {
                return Err(failed(&e, &cpr));
            }
        }
        let Some(valid) = keepable
            .then(|| Validity::of(path().map(|n| n.cert)))
            .flatten()
        else {
            return Ok(());
        };
        let (answered, relied) = checking.provider_answers();
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
}

/// When a kept path is valid, and the provider whose answers it relied on
/// ([`ValidatedPath`]).
type ValidatedBy = (Validity, Option<&'static str>);

/// How many validated paths [`VALIDATED`] keeps (per thread).
const VALIDATED_PATHS: usize = 32;

thread_local! {
    /// Paths certval validated without CRLs, by the DER of their certificates (leaf first,
    /// anchor last), with the times at which all of them are valid. certval's checks without
    /// revocation (RFC 5280 §6.1.3–§6.1.5: signatures, names, constraints, policies, key
    /// usage) are functions of the path's octets; the time of interest enters only through
    /// each certificate's validity (§6.1.3 (a)(2), certval's `check_validity`, the anchor's
    /// included), so the same path validates at any time within all of them. A correspondent's
    /// path recurs in every message of theirs.
    static VALIDATED: RefCell<Memo<Vec<Vec<u8>>, ValidatedBy>> =
        const { RefCell::new(Memo::new(VALIDATED_PATHS)) };
}

#[cfg(test)]
thread_local! {
    /// certval path validations run on this thread (a test hook).
    static CERTVAL_RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// certval path validations run on this thread so far (a test hook).
#[cfg(test)]
pub(super) fn certval_runs() -> usize {
    CERTVAL_RUNS.with(std::cell::Cell::get)
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

/// A path certval validated ([`VALIDATED`]): its certificates' DER, their common validity,
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

/// Revocation status cache that settles, as not checked ("valid"), every certificate whose
/// issuer published none of the supplied CRLs, and leaves the others to the CRLs.
struct UncheckedWithoutCrl {
    issuers: Vec<Name>,
}

impl RevocationStatusCache for UncheckedWithoutCrl {
    fn get_status(
        &self,
        cert: &PDVCertificate,
        _issuer: &dyn SubjectNameAndKey,
        _time_of_interest: TimeOfInterest,
    ) -> PathValidationStatus {
        let iss = cert.decoded().tbs_certificate().issuer();
        if self.issuers.iter().any(|n| compare_names(n, iss)) {
            PathValidationStatus::RevocationStatusNotDetermined
        } else {
            PathValidationStatus::Valid
        }
    }

    fn add_status(
        &self,
        _cert: &PDVCertificate,
        _issuer: &dyn SubjectNameAndKey,
        _next_update: u64,
        _status: PathValidationStatus,
    ) {
    }
}

fn malformed(cert: &Certificate, why: &str) -> Problem {
    Problem::new(
        codes::CERT_MALFORMED,
        format!("certificate {} cannot be used: {why}", subject_string(cert)),
    )
}

/// certval's verdict → our stable code.
/// The problem of certval's failure `e` for the certificate `who` (empty: not known); when
/// the provider could not check a signature in the path (`unsupported`, a build without the
/// pure-Rust provider), that is the problem, whatever certval made of it.
fn map_error(e: &certval::Error, who: &str, unsupported: bool) -> Problem {
    use PathValidationStatus as S;
    let who = if who.is_empty() {
        "a certificate in the path".to_string()
    } else {
        format!("certificate {who}")
    };
    let (code, what) = match e {
        _ if unsupported => (
            codes::PROVIDER_UNSUPPORTED,
            "has a signature this build's crypto provider cannot check",
        ),
        certval::Error::PathValidation(s) => match s {
            S::InvalidNotAfterDate => (codes::CERT_EXPIRED, "has expired"),
            S::InvalidNotBeforeDate => (codes::CERT_NOT_YET_VALID, "is not yet valid"),
            S::SignatureVerificationFailure => {
                (codes::CERT_BAD_SIGNATURE, "has a signature that does not verify with its issuer's key")
            }
            S::MissingBasicConstraints | S::InvalidBasicConstraints => {
                (codes::CERT_NOT_CA, "issues certificates but is not a CA (basicConstraints)")
            }
            S::InvalidPathLength => (codes::PATH_TOO_LONG, "exceeds a pathLenConstraint"),
            S::InvalidKeyUsage => (codes::CERT_KEY_USAGE, "issues certificates without keyCertSign"),
            S::NullPolicySet | S::InvalidPolicyMapping => {
                (codes::CERT_POLICY, "leaves no valid certificate policy")
            }
            S::NameConstraintsViolation => (codes::CERT_NAME_CONSTRAINTS, "violates a name constraint"),
            S::UnprocessedCriticalExtension => {
                (codes::CERT_UNKNOWN_CRITICAL_EXTENSION, "has an unknown critical extension")
            }
            S::InsufficientKeySize => (codes::CERT_WEAK_KEY, "has a key that is too small"),
            S::CertificateRevoked
            | S::CertificateRevokedEndEntity
            | S::CertificateRevokedIntermediateCa
            | S::CertificateOnHold
            | S::CertificateBlocklisted => (codes::CERT_REVOKED, "is revoked"),
            S::RevocationStatusNotDetermined | S::StatusCheckReliedOnStaleCrl => (
                codes::CERT_REVOCATION_UNKNOWN,
                "has a CRL from its issuer that could not settle its status (signature, currency or scope)",
            ),
            S::EncodingError => (codes::CERT_MALFORMED, "cannot be decoded"),
            S::ProcessingLimitExceeded => (codes::PATH_TOO_LONG, "exceeds the validator's processing limits"),
            _ => (codes::CERT_UNTRUSTED, "does not chain to a trust anchor"),
        },
        certval::Error::Unrecognized => (
            codes::CERT_BAD_SIGNATURE,
            "is signed with an unsupported algorithm",
        ),
        _ => (codes::CERT_MALFORMED, "cannot be processed"),
    };
    Problem::new(code, format!("{who} {what} ({e:?})"))
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
        let env = Environment::new(&pool.anchors, &[]);
        validate_paths(
            &Node::new(leaf).unwrap(),
            pool,
            Budget {
                nodes,
                validations: MAX_CANDIDATES,
            },
            || env.as_ref().map_err(Clone::clone),
            None,
            time::OffsetDateTime::now_utc(),
            AlgorithmPolicy::strict(),
            cancel,
        )
    }

    fn codes(o: &Outcome) -> Vec<&str> {
        o.problems.iter().map(|p| p.code.as_str()).collect()
    }

    /// `leaf`'s outcome through `pool` at `at`, with `env` and the provider's answers `checks`.
    fn run_with(
        leaf: &Certificate,
        pool: &Pool<'_>,
        env: &Environment,
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
            || Ok(env),
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
        env: &Environment,
        checks: &SignatureChecks,
        at: time::OffsetDateTime,
    ) -> Vec<SignatureCheck> {
        let recording = checks.recording();
        assert!(run_with(leaf, pool, env, Some(checks), at)
            .problems
            .is_empty());
        drop(recording);
        checks.take_asked()
    }

    /// `cert` with one octet of its signature value changed (the same TBSCertificate).
    fn tampered(cert: &Certificate) -> Certificate {
        use der::Decode;
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
        let env = Environment::new(&pool.anchors, &[]).unwrap();
        let day = time::Duration::days(1);
        let runs = certval_runs();
        assert!(run_with(&leaf, &pool, &env, None, now + day)
            .problems
            .is_empty());
        assert_eq!(certval_runs(), runs + 1);
        // Another time within the validity of the leaf and the root: not validated again.
        let o = run_with(&leaf, &pool, &env, None, now + 700 * day);
        assert!(o.problems.is_empty(), "{:?}", o.problems);
        assert_eq!(o.path.len(), 2);
        assert_eq!(certval_runs(), runs + 1);
        // Past the leaf's notAfter, before its notBefore: certval decides, and refuses.
        let o = run_with(&leaf, &pool, &env, None, now + 6 * 365 * day);
        assert_eq!(codes(&o), [codes::CERT_EXPIRED]);
        let o = run_with(&leaf, &pool, &env, None, now - day);
        assert_eq!(codes(&o), [codes::CERT_NOT_YET_VALID]);
        assert_eq!(certval_runs(), runs + 3);
        // The same name, key and TBSCertificate with another signature value is another
        // path: validated, and refused.
        let o = run_with(&tampered(&leaf), &pool, &env, None, now + day);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        assert_eq!(certval_runs(), runs + 4);
        // Environments for other anchor sets validate the same path the same way.
        let pool2 = Pool::new([&root], [&root]);
        let env2 = Environment::new(&pool2.anchors, &[]).unwrap();
        assert!(run_with(&leaf, &pool2, &env2, None, now + 2 * day)
            .problems
            .is_empty());
        assert_eq!(certval_runs(), runs + 4);
    }

    #[test]
    fn a_path_validated_on_provisional_answers_is_kept_only_once_they_are_confirmed() {
        let mut rng = crate::rng::system_rng();
        let now = time::OffsetDateTime::now_utc();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let leaf = user(&mut rng, &key, &root);
        let forged = tampered(&leaf);
        let pool = Pool::new([&root], std::iter::empty());
        let env = Environment::new(&pool.anchors, &[]).unwrap();
        // A recording step takes the forged certificate's signature as valid for now...
        let checks = SignatureChecks::default().named("test");
        let asked = recorded(&forged, &pool, &env, &checks, now);
        assert_eq!(asked.len(), 1);
        // ...which is no answer for the next validation, nor after the provider refutes it.
        let o = run_with(&forged, &pool, &env, None, now);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        checks.add(asked[0].clone(), false);
        let o = run_with(&forged, &pool, &env, None, now);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        // The genuine certificate's path is kept once the provider confirms its signature,
        // for the validations it answers.
        let checks = SignatureChecks::default().named("test");
        let asked = recorded(&leaf, &pool, &env, &checks, now);
        let ders = [Node::new(&leaf).unwrap().der, Node::new(&root).unwrap().der];
        let secs = u64::try_from(now.unix_timestamp()).unwrap();
        let kept = |by| validated_before(ders.iter().map(Vec::as_slice), secs, by);
        assert!(!kept(Some("test")), "kept before the provider answered");
        checks.add(asked[0].clone(), true);
        assert!(kept(Some("test")), "not kept once the provider answered");
        assert!(!kept(None) && !kept(Some("other")));
        let answered = SignatureChecks::default().named("test");
        let runs = certval_runs();
        assert!(run_with(&leaf, &pool, &env, Some(&answered), now)
            .problems
            .is_empty());
        assert_eq!(certval_runs(), runs);
        assert!(answered.take_asked().is_empty());
        // Verified in Rust: kept for every validation.
        assert!(run_with(&leaf, &pool, &env, None, now).problems.is_empty());
        assert_eq!(certval_runs(), runs + 1);
        assert!(kept(None));
    }

    #[test]
    fn answers_of_an_unnamed_provider_are_not_kept() {
        let mut rng = crate::rng::system_rng();
        let now = time::OffsetDateTime::now_utc();
        let (key, root) = make_ca(&mut rng, ROOT, years(10)).unwrap();
        let forged = tampered(&user(&mut rng, &key, &root));
        let pool = Pool::new([&root], std::iter::empty());
        let env = Environment::new(&pool.anchors, &[]).unwrap();
        let checks = SignatureChecks::default();
        for c in recorded(&forged, &pool, &env, &checks, now) {
            checks.add(c, true);
        }
        assert!(run_with(&forged, &pool, &env, Some(&checks), now)
            .problems
            .is_empty());
        let o = run_with(&forged, &pool, &env, None, now);
        assert_eq!(codes(&o), [codes::CERT_BAD_SIGNATURE]);
        let o = run_with(&forged, &pool, &env, Some(&SignatureChecks::default()), now);
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
        let a = Name::from_str("CN=Path  Root,O=Path Test,C=GB").unwrap();
        let b = Name::from_str("CN=path root,O=PATH TEST,C=gb").unwrap();
        assert!(compare_names(&a, &b));
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
