//! Path building and RFC 5280 §6.1 validation of each candidate path with certval.
//!
//! Building (RFC 4158 in its simplest form): starting at the leaf, an issuer candidate is any
//! anchor or pool certificate (the message's certificates plus the caller's intermediates)
//! whose subject matches the certificate's issuer name (RFC 5280 §7.1 name comparison, via
//! certval) and whose subjectKeyIdentifier, when both are present, equals the certificate's
//! authorityKeyIdentifier. Anchors are tried before intermediates, depth-first, without
//! reusing a certificate, at most [`MAX_PATH_LEN`] intermediates and [`MAX_CANDIDATES`] paths.
//!
//! Each candidate is validated by `certval::validate_path_rfc5280` and, when CRLs are
//! supplied, `certval::check_revocation_local`. Certificates whose issuer published none of
//! the supplied CRLs are not revocation-checked (a status cache answers "valid" for them);
//! those whose issuer did must be settled by one of its CRLs (signature, currency at the
//! validation time and scope are certval's checks) or get `cert-revocation-unknown`.

use certval::{
    compare_names, CertFile, CertVector, CertificationPath, CertificationPathResults,
    CertificationPathSettings, MemoryCrlSource, PDVCertificate, PDVTrustAnchorChoice,
    PathValidationStatus, PkiEnvironment, RevocationStatusCache, SubjectNameAndKey, TaSource,
    TimeOfInterest,
};
use der::Encode;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::{codes, subject_string, TrustContext, MAX_PATH_LEN};
use crate::report::Problem;

/// Most candidate paths validated for one leaf.
pub const MAX_CANDIDATES: usize = 16;

/// A candidate: pool indices from the leaf's issuer upwards, and the anchor index.
struct Candidate {
    pool: Vec<usize>,
    anchor: usize,
}

/// Validate `leaf`'s candidate paths; return the chain (subjects leaf→anchor) and problems
/// (empty when a path validated).
pub(super) fn validate_paths(
    leaf: &Certificate,
    extra: &[Certificate],
    ctx: &TrustContext,
) -> (Vec<String>, Vec<Problem>) {
    let leaf_der = match leaf.to_der() {
        Ok(d) => d,
        Err(e) => {
            return (
                vec![subject_string(leaf)],
                vec![malformed(leaf, &e.to_string())],
            )
        }
    };
    let anchors_der: Vec<Vec<u8>> = ctx.anchors.iter().filter_map(|a| a.to_der().ok()).collect();

    // The leaf is itself a trust anchor: trusted on its own terms.
    if anchors_der.contains(&leaf_der) {
        return (vec![subject_string(leaf)], Vec::new());
    }

    // The pool: message certificates then the caller's, without duplicates, the leaf or anchors.
    let mut pool: Vec<&Certificate> = Vec::new();
    let mut seen: Vec<Vec<u8>> = vec![leaf_der.clone()];
    seen.extend(anchors_der.iter().cloned());
    for c in extra.iter().chain(ctx.intermediates.iter()) {
        if let Ok(d) = c.to_der() {
            if !seen.contains(&d) {
                seen.push(d);
                pool.push(c);
            }
        }
    }

    let mut candidates = Vec::new();
    let mut longest: Vec<usize> = Vec::new();
    build(
        leaf,
        &pool,
        &ctx.anchors,
        &mut Vec::new(),
        &mut candidates,
        &mut longest,
    );

    if candidates.is_empty() {
        let mut chain = vec![subject_string(leaf)];
        chain.extend(
            longest
                .iter()
                .filter_map(|&i| pool.get(i))
                .map(|c| subject_string(c)),
        );
        let top = longest
            .last()
            .and_then(|&i| pool.get(i).copied())
            .unwrap_or(leaf);
        return (
            chain,
            vec![Problem::new(
                codes::CERT_UNTRUSTED,
                format!(
                    "no path from {} to a trusted anchor: issuer {} is neither a trust anchor nor among the known certificates",
                    subject_string(leaf),
                    top.tbs_certificate().issuer()
                ),
            )],
        );
    }

    let env = match Environment::new(ctx) {
        Ok(env) => env,
        Err(p) => return (vec![subject_string(leaf)], vec![p]),
    };
    let mut first_failure: Option<(Vec<String>, Problem)> = None;
    for cand in &candidates {
        let mut chain = vec![subject_string(leaf)];
        chain.extend(
            cand.pool
                .iter()
                .filter_map(|&i| pool.get(i))
                .map(|c| subject_string(c)),
        );
        let Some(anchor) = ctx.anchors.get(cand.anchor) else {
            continue;
        };
        chain.push(subject_string(anchor));
        let certs: Vec<&Certificate> = cand
            .pool
            .iter()
            .filter_map(|&i| pool.get(i).copied())
            .collect();
        match env.check(&leaf_der, &certs, anchor) {
            Ok(()) => return (chain, Vec::new()),
            Err(p) => {
                if first_failure.is_none() {
                    first_failure = Some((chain, p));
                }
            }
        }
    }
    match first_failure {
        Some((chain, p)) => (chain, vec![p]),
        None => (
            vec![subject_string(leaf)],
            vec![Problem::new(codes::CERT_UNTRUSTED, "no usable path")],
        ),
    }
}

/// Depth-first search for issuer chains; anchors first.
fn build(
    cert: &Certificate,
    pool: &[&Certificate],
    anchors: &[Certificate],
    stack: &mut Vec<usize>,
    out: &mut Vec<Candidate>,
    longest: &mut Vec<usize>,
) {
    if stack.len() > longest.len() {
        *longest = stack.clone();
    }
    for (i, a) in anchors.iter().enumerate() {
        if out.len() >= MAX_CANDIDATES {
            return;
        }
        if issued_by(cert, a) {
            out.push(Candidate {
                pool: stack.clone(),
                anchor: i,
            });
        }
    }
    if stack.len() >= MAX_PATH_LEN {
        return;
    }
    for (i, c) in pool.iter().enumerate() {
        if out.len() >= MAX_CANDIDATES {
            return;
        }
        if stack.contains(&i) || !issued_by(cert, c) {
            continue;
        }
        // A self-issued pool certificate that is not an anchor cannot lead anywhere new
        // unless it is a cross/rollover certificate; keep it (names equal is fine).
        stack.push(i);
        build(c, pool, anchors, stack, out, longest);
        stack.pop();
    }
}

/// Whether `issuer` may have issued `cert`: name chaining plus AKI/SKI agreement when both
/// identifiers are present.
fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if !compare_names(
        cert.tbs_certificate().issuer(),
        issuer.tbs_certificate().subject(),
    ) {
        return false;
    }
    let aki = cert
        .tbs_certificate()
        .get_extension::<AuthorityKeyIdentifier>()
        .ok()
        .flatten()
        .and_then(|(_, a)| a.key_identifier);
    let ski = issuer
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
        .ok()
        .flatten();
    match (aki, ski) {
        (Some(a), Some((_, s))) => a.as_bytes() == s.0.as_bytes(),
        _ => true,
    }
}

/// certval environment and settings for one `validate` call.
struct Environment {
    pe: PkiEnvironment,
    cps: CertificationPathSettings,
}

impl Environment {
    fn new(ctx: &TrustContext) -> Result<Self, Problem> {
        let mut pe = super::signature::environment();
        let mut tas = TaSource::new();
        for (i, a) in ctx.anchors.iter().enumerate() {
            if let Ok(bytes) = a.to_der() {
                tas.push(CertFile {
                    filename: format!("anchor #{i}"),
                    bytes,
                });
            }
        }
        tas.initialize()
            .map_err(|e| Problem::new(codes::CERT_MALFORMED, format!("trust anchors: {e:?}")))?;
        pe.add_trust_anchor_source(Box::new(tas));

        let mut cps = CertificationPathSettings::new();
        let secs = u64::try_from(ctx.at.unix_timestamp()).unwrap_or(0);
        let toi = TimeOfInterest::from_unix_secs(secs).map_err(|e| {
            Problem::new(
                codes::CERT_MALFORMED,
                format!("validation time out of range: {e}"),
            )
        })?;
        cps.set_time_of_interest(toi);
        cps.set_check_ocsp_from_aia(false);
        cps.set_check_crldp_http(false);
        cps.set_retrieve_from_aia_sia_http(false);
        cps.set_check_crls(true);
        cps.set_check_revocation_status(!ctx.crls.is_empty());

        if !ctx.crls.is_empty() {
            let source = MemoryCrlSource::new();
            let mut issuers = Vec::new();
            for crl in &ctx.crls {
                if let Ok(bytes) = crl.to_der() {
                    if source.add(&bytes) {
                        issuers.push(crl.tbs_cert_list.issuer.clone());
                    }
                }
            }
            pe.add_crl_source(Box::new(source));
            pe.add_revocation_cache(Box::new(UncheckedWithoutCrl { issuers }));
        }
        Ok(Environment { pe, cps })
    }

    /// Validate leaf ← intermediates (leaf side first) ← anchor.
    fn check(
        &self,
        leaf_der: &[u8],
        intermediates: &[&Certificate],
        anchor: &Certificate,
    ) -> Result<(), Problem> {
        let target = PDVCertificate::try_from(leaf_der)
            .map_err(|e| Problem::new(codes::CERT_MALFORMED, format!("leaf certificate: {e:?}")))?;
        let ta_der = anchor
            .to_der()
            .map_err(|e| Problem::new(codes::CERT_MALFORMED, format!("trust anchor: {e}")))?;
        let ta = PDVTrustAnchorChoice::try_from(ta_der.as_slice())
            .map_err(|e| Problem::new(codes::CERT_MALFORMED, format!("trust anchor: {e}")))?;
        // certval wants the intermediates starting with the one the anchor issued.
        let mut chain = Vec::with_capacity(intermediates.len());
        for c in intermediates.iter().rev() {
            let der = c.to_der().map_err(|e| malformed(c, &e.to_string()))?;
            chain.push(
                PDVCertificate::try_from(der.as_slice())
                    .map_err(|e| malformed(c, &format!("{e:?}")))?,
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
                        .map(|c| subject_string(c))
                        .unwrap_or_default()
                }
                Some(i) if i == intermediates.len() + 1 => {
                    cp.target.decoded().tbs_certificate().subject().to_string()
                }
                _ => String::new(),
            }
        };
        if let Err(e) = certval::validate_path_rfc5280(&self.pe, &self.cps, &cp, &mut cpr) {
            return Err(map_error(&e, &describe(&cpr)));
        }
        if self.cps.get_check_revocation_status() {
            let mut cpr = CertificationPathResults::new();
            if let Err(e) = certval::check_revocation_local(&self.pe, &self.cps, &cp, &mut cpr) {
                return Err(map_error(&e, &describe(&cpr)));
            }
        }
        Ok(())
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
fn map_error(e: &certval::Error, who: &str) -> Problem {
    use PathValidationStatus as S;
    let who = if who.is_empty() {
        "a certificate in the path".to_string()
    } else {
        format!("certificate {who}")
    };
    let (code, what) = match e {
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
