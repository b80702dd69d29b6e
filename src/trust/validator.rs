//! [`Validator`]: path validation of many certificates against one [`TrustContext`] and one
//! certificate pool — the certificates of a CMS SignedData (RFC 5652 §5.1 `certificates`), whose
//! every SignerInfo and countersignature needs its signer's path.
//!
//! The pool is encoded, deduplicated and indexed once; a result is kept per
//! (certificate, purpose, time), so one certificate signing many SignerInfos is validated
//! once. Work is bounded twice: each certificate's path building within
//! [`super::MAX_PATH_NODES`] nodes and [`super::path`]'s candidate limit, and all the
//! certificates of one validator within [`MAX_VALIDATOR_NODES`] nodes and
//! [`MAX_VALIDATOR_VALIDATIONS`] path validations — past either, further certificates get
//! `path-budget-exhausted`. A message may name thousands of signers; no real one needs more.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use x509_cert::Certificate;

use super::path::{self, Budget};
use super::pool::{Node, Pool};
use super::{
    codes, purpose, subject_string, PathResult, Purpose, SignatureChecks, TrustContext,
    MAX_PATH_NODES,
};
use crate::algorithm_policy::{self, AlgorithmPolicy};
use crate::cancel::Cancel;
use crate::report::Problem;

/// Most issuer candidates examined for all the certificates one [`Validator`] validates:
/// four certificates' worth of [`MAX_PATH_NODES`].
pub const MAX_VALIDATOR_NODES: usize = 4 * MAX_PATH_NODES;

/// Most path validations one [`Validator`] runs (each verifies up to
/// [`super::MAX_PATH_LEN`] + 1 signatures).
pub const MAX_VALIDATOR_VALIDATIONS: usize = 32;

/// Memo key: the certificate's DER, the purpose, the validation time.
type MemoKey = (Vec<u8>, Purpose, time::OffsetDateTime);

/// Path validation against one trust context and one certificate pool (module documentation).
pub struct Validator<'a> {
    ctx: &'a TrustContext,
    pool: Pool<'a>,
    left: Cell<Budget>,
    explored: Cell<usize>,
    memo: RefCell<BTreeMap<MemoKey, PathResult>>,
    context_problems: Vec<Problem>,
    algorithms: AlgorithmPolicy,
    cancel: Option<Cancel>,
    signature_checks: Option<SignatureChecks>,
}

impl<'a> Validator<'a> {
    /// A validator for paths through `extra` (e.g. the message's certificates) and
    /// `ctx.intermediates` up to `ctx.anchors`, with the CRLs of `ctx`.
    pub fn new(ctx: &'a TrustContext, extra: impl IntoIterator<Item = &'a Certificate>) -> Self {
        Validator {
            ctx,
            pool: Pool::new(&ctx.anchors, extra.into_iter().chain(&ctx.intermediates)),
            left: Cell::new(Budget {
                nodes: MAX_VALIDATOR_NODES,
                validations: MAX_VALIDATOR_VALIDATIONS,
            }),
            explored: Cell::new(0),
            memo: RefCell::new(BTreeMap::new()),
            context_problems: Vec::new(),
            algorithms: AlgorithmPolicy::strict(),
            cancel: None,
            signature_checks: None,
        }
    }

    /// Stop path building as soon as `cancel` is set ([`crate::cancel`]); the results of a
    /// cancelled validator are not to be used.
    #[must_use]
    pub fn with_cancel(mut self, cancel: Option<Cancel>) -> Self {
        self.cancel = cancel;
        self
    }

    /// Certificate signatures answered by a provider ([`SignatureChecks`]) before the
    /// pure-Rust verification (default: none).
    #[must_use]
    pub fn with_signature_checks(mut self, checks: Option<SignatureChecks>) -> Self {
        self.signature_checks = checks;
        self
    }

    /// Judge weak algorithms and keys by `policy` (default: [`AlgorithmPolicy::strict`]).
    #[must_use]
    pub fn with_algorithm_policy(mut self, policy: AlgorithmPolicy) -> Self {
        self.algorithms = policy;
        self
    }

    /// Findings about the context itself (such as a supplied CRL that cannot be decoded,
    /// [`super::decode_crls`]), reported in every result, which is then not trusted.
    #[must_use]
    pub fn with_problems(mut self, problems: Vec<Problem>) -> Self {
        self.context_problems = problems;
        self
    }

    /// Validate `leaf` for `purpose` at `ctx.at` (see [`Validator::validate_at`]).
    pub fn validate(&self, leaf: &Certificate, purpose: Purpose) -> PathResult {
        self.validate_at(leaf, purpose, self.ctx.at)
    }

    /// Validate `leaf` for `purpose` at `at`: the leaf's own checks, then its candidate paths
    /// per RFC 5280 §6.1 (with revocation from the CRLs); the first path that validates, or
    /// the problems of the first failing one. The same (leaf, purpose, time) again returns
    /// the first answer.
    pub fn validate_at(
        &self,
        leaf: &Certificate,
        purpose: Purpose,
        at: time::OffsetDateTime,
    ) -> PathResult {
        let Some(node) = Node::new(leaf) else {
            return self.result(
                vec![subject_string(leaf)],
                Vec::new(),
                vec![Problem::new(
                    codes::CERT_MALFORMED,
                    format!("certificate {} cannot be encoded", subject_string(leaf)),
                )],
                Vec::new(),
            );
        };
        let key = (node.der.clone(), purpose, at);
        if let Some(r) = self
            .memo
            .try_borrow()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return r;
        }
        let mut problems = purpose::check_leaf(leaf, purpose, at);
        // The leaf's own key, whatever path it has (the path's keys and signatures: `path`).
        let leaf_key = algorithm_policy::key(leaf.tbs_certificate().subject_public_key_info())
            .map(|w| w.at(&format!("certificate {}", subject_string(leaf))));
        let (weak, mut notes) = self.algorithms.split(leaf_key.as_slice());
        problems.extend(weak);
        let left = self.left.get();
        let outcome = path::validate_paths(
            &node,
            &self.pool,
            Budget {
                nodes: left.nodes.min(MAX_PATH_NODES),
                validations: left.validations,
            },
            &self.ctx.crls,
            self.signature_checks.as_ref(),
            at,
            self.algorithms,
            self.cancel.as_ref(),
        );
        self.left.set(Budget {
            nodes: left.nodes.saturating_sub(outcome.spent.nodes),
            validations: left.validations.saturating_sub(outcome.spent.validations),
        });
        self.explored
            .set(self.explored.get().saturating_add(outcome.spent.nodes));
        for p in outcome.problems {
            if !problems.iter().any(|q| q.code == p.code) {
                problems.push(p);
            }
        }
        notes.extend(outcome.notes);
        let result = self.result(outcome.chain, outcome.path, problems, notes);
        if let Ok(mut memo) = self.memo.try_borrow_mut() {
            memo.insert(key, result.clone());
        }
        result
    }

    fn result(
        &self,
        chain: Vec<String>,
        path: Vec<Vec<u8>>,
        problems: Vec<Problem>,
        notes: Vec<Problem>,
    ) -> PathResult {
        let mut all = self.context_problems.clone();
        all.extend(problems);
        let trusted = all.is_empty();
        PathResult {
            trusted,
            chain,
            path: if trusted { path } else { Vec::new() },
            problems: all,
            notes,
        }
    }

    /// Issuer candidates examined so far, over every certificate validated (a test hook).
    #[doc(hidden)]
    pub fn nodes_explored(&self) -> usize {
        self.explored.get()
    }

    /// Distinct certificates in the pool, anchors excluded (a test hook).
    #[doc(hidden)]
    pub fn pool_len(&self) -> usize {
        self.pool.certs.len()
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

    #[test]
    fn one_validation_per_leaf_purpose_and_time() {
        let mut rng = crate::rng::system_rng();
        let (key, root) = make_ca(&mut rng, "CN=Memo Root,O=Memo,C=GB", years(10)).unwrap();
        let s = Subject {
            address: "memo@army.example",
            name: "Memo",
            org: "Memo",
        };
        let leaf = issue_user(&mut rng, &key, &root, &s, years(5)).unwrap().1;
        let decoys: Vec<Certificate> = (0..10)
            .map(|_| {
                make_ca(&mut rng, "CN=Memo Root,O=Memo,C=GB", years(10))
                    .unwrap()
                    .1
            })
            .collect();
        let at = time::OffsetDateTime::now_utc();
        let ctx = TrustContext {
            anchors: vec![root],
            intermediates: Vec::new(),
            crls: Vec::new(),
            at,
        };
        let v = Validator::new(&ctx, decoys.iter().chain(decoys.iter()));
        assert_eq!(v.pool_len(), 10);
        let r = v.validate(&leaf, Purpose::Signing);
        assert!(r.trusted, "{r:?}");
        let spent = v.nodes_explored();
        assert_eq!(spent, 1);
        assert_eq!(v.validate(&leaf, Purpose::Signing), r);
        assert_eq!(v.nodes_explored(), spent);
        let later = at + time::Duration::seconds(1);
        assert!(v.validate_at(&leaf, Purpose::Signing, later).trusted);
        assert_eq!(v.nodes_explored(), 2 * spent);
    }

    #[test]
    fn context_problems_are_in_every_result() {
        let mut rng = crate::rng::system_rng();
        let (_, root) = make_ca(&mut rng, "CN=Ctx Root,O=Ctx,C=GB", years(10)).unwrap();
        let (_, problems) = crate::trust::decode_crls(&[vec![0x30, 0x00]]);
        let ctx = TrustContext {
            anchors: vec![root.clone()],
            intermediates: Vec::new(),
            crls: Vec::new(),
            at: time::OffsetDateTime::now_utc(),
        };
        let none: [&Certificate; 0] = [];
        let v = Validator::new(&ctx, none).with_problems(problems);
        let r = v.validate(&root, Purpose::Signing);
        assert!(!r.trusted);
        assert_eq!(r.problems[0].code, codes::CERT_MALFORMED);
    }

    /// Validated paths are kept by their certificates' DER (not their names) and the
    /// provider's answers per validation: a second root with the first's name
    /// is another set, and a signature one validation's provider vouched for is verified
    /// anew by the next validation, which has no provider.
    #[test]
    fn environments_are_kept_per_anchors_and_answers_per_validation() {
        use der::Encode;
        let mut rng = crate::rng::system_rng();
        let name = "CN=Shared Root,O=Shared,C=GB";
        let (key1, root1) = make_ca(&mut rng, name, years(10)).unwrap();
        let (_, root2) = make_ca(&mut rng, name, years(10)).unwrap();
        let s = Subject {
            address: "env@army.example",
            name: "Env",
            org: "Shared",
        };
        let leaf = issue_user(&mut rng, &key1, &root1, &s, years(5)).unwrap().1;
        // The leaf with a signature of root1's key over other octets, as long as its own.
        let forged = {
            use der::Decode;
            use p256::ecdsa::signature::Signer;
            let der = leaf.to_der().unwrap();
            let sig = leaf.signature().raw_bytes();
            let other = (0u32..)
                .map(|i| {
                    let s: p256::ecdsa::Signature = key1.sign(&i.to_be_bytes());
                    s.to_der().as_bytes().to_vec()
                })
                .find(|o| o.len() == sig.len())
                .unwrap();
            let mut der = der;
            let at = der.len() - sig.len();
            der[at..].copy_from_slice(&other);
            Certificate::from_der(&der).unwrap()
        };
        let ctx = |anchors: Vec<Certificate>| TrustContext {
            anchors,
            intermediates: Vec::new(),
            crls: Vec::new(),
            at: time::OffsetDateTime::now_utc(),
        };
        let none: [&Certificate; 0] = [];
        let trusted = |ctx: &TrustContext, leaf: &Certificate, checks: Option<SignatureChecks>| {
            Validator::new(ctx, none)
                .with_signature_checks(checks)
                .validate(leaf, Purpose::Signing)
                .trusted
        };
        let (one, two) = (ctx(vec![root1.clone()]), ctx(vec![root2.clone()]));
        let both = ctx(vec![root2.clone(), root1.clone()]);
        for _ in 0..2 {
            assert!(trusted(&one, &leaf, None));
            assert!(!trusted(&two, &leaf, None));
            assert!(trusted(&both, &leaf, None));
            assert!(!trusted(&one, &forged, None));
        }
        // A provider that vouches for the forged signature is believed in its own validation
        // (it answers for the signature values it was asked about), and in no other.
        let vouched = SignatureChecks::default();
        let tbs = forged.tbs_certificate().to_der().unwrap();
        let check = crate::trust::SignatureCheck::new(
            root1.tbs_certificate().subject_public_key_info(),
            forged.signature_algorithm(),
            None,
            &tbs,
            forged.signature().raw_bytes(),
        )
        .expect("ECDSA P-256 is delegated")
        .of_pki_object();
        vouched.add(check, true);
        assert!(trusted(&one, &forged, Some(vouched)));
        assert!(!trusted(&one, &forged, None));
        assert!(!trusted(&one, &forged, Some(SignatureChecks::default())));
        assert!(trusted(&one, &leaf, None));
    }
}
