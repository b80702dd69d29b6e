//! The revocation status of one certificate of a path from the CRLs the caller supplied
//! (RFC 5280 §6.3, for complete CRLs of the certificate's issuer).
//!
//! A certificate whose issuer published none of the supplied CRLs (no CRL's issuer name
//! matches its issuer name, §7.1) is not checked: the caller decides which CRLs to supply,
//! and one issuer's CRLs say nothing of another's certificates. Otherwise the status comes
//! from the supplied CRLs of its issuer that can be used for it:
//!
//! - the CRL's signatureAlgorithm is its TBSCertList's `signature` (§5.1.1.2), and its
//!   signature verifies (§6.3.3 (f), (g)) with the public key of the certificate's issuer in
//!   the path, or of another certificate of the issuer's name whose own path to the same
//!   trust anchor validated, its revocation included (a key rollover, a separate
//!   CRL-signing key: `rfc5280::crl_signers`); the signer's keyUsage asserts cRLSign
//!   (§4.2.1.3; absent only on the trust anchor: a CA certificate MUST carry it);
//! - it is current: thisUpdate ≤ the validation time ≤ nextUpdate (§6.3.3 (a)(2)); a CRL
//!   without nextUpdate (which a conforming issuer MUST include, §5.1.2.5) is not;
//! - it is its issuer's: an issuingDistributionPoint (§5.2.5), when present, without onlySomeReasons or
//!   onlyContainsAttributeCerts, whose onlyContainsUserCerts /
//!   onlyContainsCACerts admit the certificate (a CA: basicConstraints cA), and whose
//!   distributionPoint, when present, is a fullName sharing a name with a fullName of one of
//!   the certificate's cRLDistributionPoints (§6.3.3 (b)(2)(i)) that is the issuer's: without
//!   a cRLIssuer, or — for an indirect CRL — naming the issuer as its cRLIssuer (§6.3.3
//!   (b)(1));
//! - it has no critical extension other than issuingDistributionPoint, cRLNumber,
//!   authorityKeyIdentifier and freshestCRL (§5.2), and no entry has a critical entry
//!   extension other than reasonCode, invalidityDate, holdInstructionCode and — in an
//!   indirect CRL (indirectCRL set) only — certificateIssuer (§5.3). An indirect CRL of the
//!   certificate's issuer is used for the entries it attributes to that issuer (§5.3.3: those
//!   before the first certificateIssuer, and those after one that names it); the CRLs of
//!   other issuers naming the certificate's issuer in a certificateIssuer are not consulted
//!   (their issuer's path is not built, §6.3.3 (b)(1)).
//!
//! A delta CRL (deltaCRLIndicator, §5.2.4) completes a usable complete CRL of the same
//! issuer and issuingDistributionPoint whose cRLNumber is at least its BaseCRLNumber
//! (§6.3.3 (c)); what it lists (§6.3.3 (i)–(k)) comes before what the complete CRL lists:
//! revoked, or — with the reason removeFromCRL — not revoked. Revoked by one complete CRL
//! (with its deltas) is `cert-revoked`, whatever the other CRLs say; not revoked by at least
//! one is "not revoked"; when no complete CRL of the issuer can be used it is
//! `cert-revocation-unknown` (or `provider-unsupported`, when a CRL's signature could not be
//! checked by this build's provider).

use der::Encode;
use x509_cert::crl::{CertificateList, RevokedCert};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName, GeneralNames};
use x509_cert::ext::pkix::{
    BasicConstraints, CrlDistributionPoints, IssuingDistributionPoint, KeyUsage, KeyUsages,
};
use x509_cert::Certificate;

use super::name_match::names_match;
use super::rfc5280::{Failure, PathCert, Verify};
use super::{codes, subject_string};

/// The CRL extensions that may be critical (§5.2).
const CRL_EXTENSIONS: [const_oid::ObjectIdentifier; 4] = {
    use const_oid::db::rfc5280 as x;
    [
        x::ID_CE_ISSUING_DISTRIBUTION_POINT,
        x::ID_CE_CRL_NUMBER,
        x::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        x::ID_CE_FRESHEST_CRL,
    ]
};

/// The CRL entry extensions that may be critical (§5.3).
const ENTRY_EXTENSIONS: [const_oid::ObjectIdentifier; 3] = {
    use const_oid::db::rfc5280 as x;
    [
        x::ID_CE_CRL_REASONS,
        x::ID_CE_INVALIDITY_DATE,
        x::ID_CE_HOLD_INSTRUCTION_CODE,
    ]
};

/// What one usable CRL says of a certificate.
struct Read {
    /// Complete (`None`), or a delta CRL and its BaseCRLNumber (§5.2.4).
    base: Option<Vec<u8>>,
    /// Its cRLNumber (§5.2.3), when present.
    number: Option<Vec<u8>>,
    /// Its issuingDistributionPoint (DER), when present: a delta CRL completes only a CRL of
    /// the same scope (§6.3.3 (c)(2)).
    idp: Option<Vec<u8>>,
    /// Whether the certificate is listed (`Some`), and whether only with the reason
    /// removeFromCRL (`Some(true)`).
    listed: Option<bool>,
}

/// Why a CRL cannot be used, and whether the reason is a signature this build's provider
/// could not check.
type Unusable = (String, bool);

/// The revocation status of `cert`, issued by `issuer` (the anchor when `issuer_is_anchor`),
/// from `crls` at `at` (module documentation). Each complete CRL is read with the delta
/// CRLs that complete it (§6.3.3 (i)–(k)): listed in a delta CRL is revoked, unless with the
/// reason removeFromCRL, which makes it not revoked whatever the complete CRL says; not
/// listed in any, the complete CRL decides.
pub(super) fn check(
    cert: &Certificate,
    issuer: PathCert<'_>,
    issuer_is_anchor: bool,
    signers: &[PathCert<'_>],
    crls: &[CertificateList],
    at: u64,
    verify: &mut Verify<'_>,
) -> Result<(), Failure> {
    let issuer_name = cert.tbs_certificate().issuer();
    let mut why_not = Vec::new();
    let mut unsupported = false;
    let mut any = false;
    let mut read = Vec::new();
    for crl in crls {
        if !names_match(&crl.tbs_cert_list.issuer, issuer_name) {
            continue;
        }
        any = true;
        match status(cert, issuer, issuer_is_anchor, signers, crl, at, verify) {
            Ok(r) => read.push(r),
            Err((why, provider)) => {
                unsupported |= provider;
                why_not.push(why);
            }
        }
    }
    if !any {
        return Ok(());
    }
    let revoked = || Failure {
        code: codes::CERT_REVOKED,
        detail: format!(
            "certificate {} is revoked (listed in a CRL of its issuer)",
            subject_string(cert)
        ),
    };
    let mut settled = false;
    for complete in read.iter().filter(|r| r.base.is_none()) {
        let delta = read
            .iter()
            .filter(|d| {
                d.idp == complete.idp
                    && matches!((&d.base, &complete.number), (Some(base), Some(n)) if !greater(base, n))
            })
            .filter_map(|d| d.listed)
            .reduce(|a, b| a && b);
        match delta.or(complete.listed) {
            Some(false) => return Err(revoked()),
            Some(true) | None => settled = true,
        }
    }
    if settled {
        return Ok(());
    }
    if read.iter().any(|r| r.base.is_some()) {
        why_not.push("a delta CRL without a complete CRL it completes".into());
    }
    Err(Failure {
        code: if unsupported {
            codes::PROVIDER_UNSUPPORTED
        } else {
            codes::CERT_REVOCATION_UNKNOWN
        },
        detail: format!(
            "certificate {} has a CRL from its issuer that could not settle its status: {}",
            subject_string(cert),
            why_not.join("; ")
        ),
    })
}

/// Whether the INTEGER content octets `a` are a greater non-negative number than `b`.
fn greater(a: &[u8], b: &[u8]) -> bool {
    let strip = |x: &[u8]| -> Vec<u8> { x.iter().copied().skip_while(|&o| o == 0).collect() };
    let (a, b) = (strip(a), strip(b));
    (a.len(), a) > (b.len(), b)
}

/// What `crl` says of `cert` (module documentation).
fn status(
    cert: &Certificate,
    issuer: PathCert<'_>,
    issuer_is_anchor: bool,
    signers: &[PathCert<'_>],
    crl: &CertificateList,
    at: u64,
    verify: &mut Verify<'_>,
) -> Result<Read, Unusable> {
    let unusable = |why: &str| Err((why.to_string(), false));
    let list = &crl.tbs_cert_list;
    if crl.signature_algorithm != list.signature {
        return unusable("its signatureAlgorithm is not its TBSCertList's signature");
    }
    // Current.
    if list.this_update.to_unix_duration().as_secs() > at {
        return unusable("it was issued after the validation time");
    }
    match list.next_update {
        Some(next) if next.to_unix_duration().as_secs() >= at => {}
        Some(_) => return unusable("its nextUpdate is before the validation time"),
        None => return unusable("it has no nextUpdate"),
    }
    // Extensions and scope.
    let mut idp: Option<IssuingDistributionPoint> = None;
    let mut read = Read {
        base: None,
        number: None,
        idp: None,
        listed: None,
    };
    for e in list.crl_extensions.iter().flatten() {
        use const_oid::db::rfc5280 as x;
        let value = e.extn_value.as_bytes();
        if e.extn_id == x::ID_CE_DELTA_CRL_INDICATOR || e.extn_id == x::ID_CE_CRL_NUMBER {
            let Ok(n) = <der::asn1::Uint as der::Decode>::from_der(value) else {
                return unusable("its cRLNumber or deltaCRLIndicator cannot be decoded");
            };
            let slot = if e.extn_id == x::ID_CE_CRL_NUMBER {
                &mut read.number
            } else {
                &mut read.base
            };
            if slot.replace(n.as_bytes().to_vec()).is_some() {
                return unusable("it has an extension twice");
            }
            continue;
        }
        if e.critical && !CRL_EXTENSIONS.contains(&e.extn_id) {
            return unusable("it has an unprocessed critical extension");
        }
        if e.extn_id == x::ID_CE_ISSUING_DISTRIBUTION_POINT {
            if idp.is_some() {
                return unusable("it has two issuingDistributionPoint extensions");
            }
            match <IssuingDistributionPoint as der::Decode>::from_der(value) {
                Ok(p) => {
                    idp = Some(p);
                    read.idp = Some(value.to_vec());
                }
                Err(_) => return unusable("its issuingDistributionPoint cannot be decoded"),
            }
        }
    }
    if let Some(idp) = &idp {
        if let Err(why) = in_scope(cert, idp) {
            return unusable(why);
        }
    }
    let indirect = idp.as_ref().is_some_and(|p| p.indirect_crl);
    // Signature.
    let Ok(tbs) = list.to_der() else {
        return unusable("it cannot be encoded");
    };
    let Some(sig) = crl.signature.as_bytes() else {
        return unusable("its signature is not a whole number of octets");
    };
    // Signed by the issuer's key, or by another key of its name whose certificate's path
    // validated (`signers`); either may sign CRLs (keyUsage cRLSign; absent only on the
    // trust anchor).
    let may_sign =
        |c: &PathCert<'_>, anchor: bool| match c.cert.tbs_certificate().get_extension::<KeyUsage>()
        {
            Ok(Some((_, ku))) => ku.0.contains(KeyUsages::CRLSign),
            Ok(None) => anchor,
            Err(_) => false,
        };
    let mut failure = None;
    let candidates = std::iter::once((issuer, issuer_is_anchor))
        .chain(signers.iter().map(|s| (*s, false)))
        .filter(|(c, anchor)| may_sign(c, *anchor));
    let mut signed = false;
    for (c, _) in candidates {
        let key = c.cert.tbs_certificate().subject_public_key_info();
        match verify(&tbs, sig, &crl.signature_algorithm, key) {
            Ok(()) => {
                signed = true;
                break;
            }
            Err((code, why)) => {
                failure.get_or_insert((why, code == codes::PROVIDER_UNSUPPORTED));
            }
        }
    }
    if !signed {
        let (why, provider) = failure
            .unwrap_or_else(|| ("no key of its issuer may sign CRLs (cRLSign)".into(), false));
        return Err((
            format!("its signature does not verify with its issuer's key: {why}"),
            provider,
        ));
    }
    // Entries: in an indirect CRL each entry is for the certificate issuer its
    // certificateIssuer names, or the previous entry's, the CRL issuer's before the first
    // (§5.3.3); the CRL issuer is the certificate's issuer here.
    let tbs = cert.tbs_certificate();
    let serial = tbs.serial_number();
    let mut ours = true;
    for entry in list.revoked_certificates.iter().flatten() {
        match entry_issuer(entry, indirect, tbs.issuer()) {
            Ok(Some(is_ours)) => ours = is_ours,
            Ok(None) => {}
            Err(why) => return unusable(why),
        }
        if ours && &entry.serial_number == serial {
            let removed = read.listed.unwrap_or(true) && removed_from_crl(entry);
            read.listed = Some(removed);
        }
    }
    Ok(read)
}

/// Whether one of `names` is a directoryName matching `issuer` (§7.1): a certificateIssuer
/// entry extension's or a distribution point's cRLIssuer naming it.
fn names_issuer(names: &GeneralNames, issuer: &x509_cert::name::Name) -> bool {
    names
        .iter()
        .any(|n| matches!(n, GeneralName::DirectoryName(d) if names_match(d, issuer)))
}

/// §5.3.1: whether an entry's reasonCode is removeFromCRL (meaningful in a delta CRL: the
/// certificate is no longer revoked, or on hold).
fn removed_from_crl(entry: &RevokedCert) -> bool {
    entry.crl_entry_extensions.iter().flatten().any(|e| {
        e.extn_id == const_oid::db::rfc5280::ID_CE_CRL_REASONS
            && matches!(
                <CrlReason as der::Decode>::from_der(e.extn_value.as_bytes()),
                Ok(CrlReason::RemoveFromCRL)
            )
    })
}

/// §5.3: whether an entry's certificateIssuer, when it has one, names `issuer` (`None`:
/// it has none). A certificateIssuer in a CRL that is not indirect, one that cannot be
/// decoded, or a critical entry extension not processed here makes the CRL unusable.
fn entry_issuer(
    entry: &RevokedCert,
    indirect: bool,
    issuer: &x509_cert::name::Name,
) -> Result<Option<bool>, &'static str> {
    use const_oid::db::rfc5280 as x;
    let mut named = None;
    for e in entry.crl_entry_extensions.iter().flatten() {
        if e.extn_id == x::ID_CE_CERTIFICATE_ISSUER {
            if !indirect || named.is_some() {
                return Err("an entry has a certificateIssuer it may not have");
            }
            let names = <GeneralNames as der::Decode>::from_der(e.extn_value.as_bytes())
                .map_err(|_| "an entry's certificateIssuer cannot be decoded")?;
            named = Some(names_issuer(&names, issuer));
        } else if e.critical && !ENTRY_EXTENSIONS.contains(&e.extn_id) {
            return Err("an entry has an unprocessed critical extension");
        }
    }
    Ok(named)
}

/// §5.2.5, §6.3.3 (b): whether a CRL with `idp` covers `cert`.
fn in_scope(cert: &Certificate, idp: &IssuingDistributionPoint) -> Result<(), &'static str> {
    if idp.only_some_reasons.is_some() {
        return Err("it covers only some revocation reasons");
    }
    if idp.only_contains_attribute_certs {
        return Err("it covers only attribute certificates");
    }
    let tbs = cert.tbs_certificate();
    let is_ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
    if idp.only_contains_user_certs && is_ca {
        return Err("it covers only end-entity certificates");
    }
    if idp.only_contains_ca_certs && !is_ca {
        return Err("it covers only CA certificates");
    }
    let Some(name) = &idp.distribution_point else {
        return Ok(());
    };
    let DistributionPointName::FullName(idp_names) = name else {
        return Err("its distribution point is named relative to its issuer");
    };
    let dps: Vec<DistributionPoint> = match tbs.get_extension::<CrlDistributionPoints>() {
        Ok(Some((_, d))) => d.0,
        Ok(None) => return Err("it is a distribution point's CRL, and the certificate names none"),
        Err(_) => return Err("the certificate's cRLDistributionPoints cannot be decoded"),
    };
    // §6.3.3 (b)(1): a distribution point with a cRLIssuer is that issuer's, and its CRL
    // indirect; the CRL's issuer here is the certificate's issuer.
    let issuer = tbs.issuer();
    let ours = |dp: &DistributionPoint| match &dp.crl_issuer {
        None => true,
        Some(names) => idp.indirect_crl && names_issuer(names, issuer),
    };
    let shares = dps
        .iter()
        .filter(|dp| ours(dp))
        .any(|dp| match &dp.distribution_point {
            Some(DistributionPointName::FullName(names)) => {
                names.iter().any(|n| idp_names.iter().any(|m| m == n))
            }
            _ => false,
        });
    if shares {
        Ok(())
    } else {
        Err("its distribution point is none of the certificate's")
    }
}
