//! The algorithm policy: which algorithms and key sizes are weak, what a weak one does to a
//! received message, and that none is ever produced. One home for the rule; the CMS signer
//! check (`smime::signed_verify`), path validation (`trust`), the opening of encrypted layers
//! (`verify::open`) and every producer (signing, encryption, the server's PKI) ask it.
//!
//! Weak (RFC 8551 §2.7 and §6 "Security Considerations"; NIST SP 800-131A Rev. 2 §§3, 4, 9;
//! RFC 6194 for SHA-1; RFC 8017 §7 and RFC 8551 §2.3 for PKCS#1 v1.5 key transport):
//!
//! | what | where | code |
//! |---|---|---|
//! | SHA-1 (and MD5 / MD2) digests and signatures: `digestAlgorithm` sha1, `sha1WithRSAEncryption`, `ecdsa-with-SHA1`, RSASSA-PSS with a SHA-1 hash | message signatures, certificate signatures | `weak-algorithm` |
//! | DSA (`id-dsa`, `id-dsa-with-sha1`, `dsa-with-sha256`) keys and signatures | message signatures, certificates | `weak-algorithm` |
//! | RSA moduli under [`MIN_RSA_BITS`] (2048) bits | every key of a certification path: signer, intermediates, anchor | `cert-weak-key` |
//! | des-ede3-cbc, des-cbc, rc2-cbc content encryption | EnvelopedData | `weak-algorithm` |
//! | `rsaEncryption` (RSAES-PKCS1-v1_5) key transport | KeyTransRecipientInfo | `weak-algorithm` |
//!
//! On receipt, by [`AlgorithmPolicy`]: by default ([`AlgorithmPolicy::strict`]) a weak finding
//! is a problem — the signature is not valid or the certificate not trusted, and the verdict
//! is not valid. [`AlgorithmPolicy::legacy`] (`mmhs verify --allow-weak`, the `allowWeak`
//! verify option of the wasm API) reads old mail: the same findings become the note
//! `weak-algorithm-accepted` (what was weak, in its message), and the verdict is decided by
//! everything else. A trust anchor's own signature is not a finding (RFC 5280 §6.1.1: an
//! anchor is its name and key; its self-signature is never checked), its key is.
//!
//! Produced: never any of the above ([`refuse_for_production`]): SHA-256/384/512, RSA of at
//! least 2048 bits with PKCS#1 v1.5 or PSS signatures and RSAES-OAEP key transport, ECDSA /
//! ECDH P-256, AES-CBC and AES-GCM.

use crate::asn1::oid::{
    DES_CBC, DES_EDE3_CBC, DSA as ID_DSA, DSA_SHA1 as DSA_WITH_SHA_1,
    DSA_SHA256 as DSA_WITH_SHA_256, ECDSA_SHA1 as ECDSA_WITH_SHA_1,
    MD2_WITH_RSA as MD_2_WITH_RSA_ENCRYPTION, MD5 as ID_MD5,
    MD5_WITH_RSA as MD_5_WITH_RSA_ENCRYPTION, MGF1, RC2_CBC, RSASSA_PSS as ID_RSASSA_PSS,
    RSA_ENCRYPTION, SHA1 as ID_SHA_1, SHA1_WITH_RSA as SHA_1_WITH_RSA_ENCRYPTION,
};
use der::oid::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use crate::problem::Problem;

/// Codes of the algorithm policy (documented in `docs/report.md`).
pub mod codes {
    /// Problem: a weak digest, signature, content-encryption or key-transport algorithm.
    pub const WEAK_ALGORITHM: &str = "weak-algorithm";
    /// Problem: an RSA key shorter than [`super::MIN_RSA_BITS`] in a certification path.
    pub const CERT_WEAK_KEY: &str = "cert-weak-key";
    /// Note: a weak algorithm or key that the legacy receive policy accepted.
    pub const WEAK_ALGORITHM_ACCEPTED: &str = "weak-algorithm-accepted";
}

/// The shortest RSA modulus accepted on receipt and produced (NIST SP 800-131A Rev. 2 §3:
/// 112-bit security; RFC 8551 §2.2 "SHOULD+ RSA ... 2048 bits").
pub const MIN_RSA_BITS: usize = 2048;

/// What a received message's weak algorithms do to the verdict (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlgorithmPolicy {
    /// Accept weak algorithms and keys on receipt: report each as the note
    /// `weak-algorithm-accepted` instead of a problem. Off by default.
    pub allow_weak: bool,
}

/// One weak algorithm or key found: its problem code and what was weak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weakness {
    /// [`codes::WEAK_ALGORITHM`] or [`codes::CERT_WEAK_KEY`].
    pub code: &'static str,
    /// What was weak and where, e.g. "signature algorithm sha1-with-rsa".
    pub what: String,
}

impl Weakness {
    fn algorithm(what: String) -> Self {
        Weakness {
            code: codes::WEAK_ALGORITHM,
            what,
        }
    }

    /// Prefix the place (e.g. "certificate CN=…") to what was weak.
    pub fn at(mut self, place: &str) -> Self {
        self.what = format!("{place}: {}", self.what);
        self
    }
}

/// Where a [`Weakness`] goes under a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// A problem: the signature, path or layer concerned is not valid.
    Problem(Problem),
    /// A note (`weak-algorithm-accepted`): reported, the verdict unaffected.
    Note(Problem),
}

impl AlgorithmPolicy {
    /// The default: every weak algorithm or key is a problem.
    pub const fn strict() -> Self {
        AlgorithmPolicy { allow_weak: false }
    }

    /// Legacy receive: weak algorithms and keys are notes.
    pub const fn legacy() -> Self {
        AlgorithmPolicy { allow_weak: true }
    }

    /// Where `w` goes under this policy.
    pub fn judge(&self, w: &Weakness) -> Judged {
        if self.allow_weak {
            Judged::Note(Problem::new(
                codes::WEAK_ALGORITHM_ACCEPTED,
                format!("accepted by the legacy receive policy: {}", w.what),
            ))
        } else {
            Judged::Problem(Problem::new(w.code, w.what.clone()))
        }
    }

    /// Judge every weakness: the problems and the notes.
    pub fn split(&self, weak: &[Weakness]) -> (Vec<Problem>, Vec<Problem>) {
        let (mut problems, mut notes) = (Vec::new(), Vec::new());
        for w in weak {
            match self.judge(w) {
                Judged::Problem(p) => problems.push(p),
                Judged::Note(n) => notes.push(n),
            }
        }
        (problems, notes)
    }
}

/// The name of a weak algorithm OID, for messages.
fn name(oid: &Oid) -> String {
    match *oid {
        ID_SHA_1 => "sha-1",
        ID_MD5 => "md5",
        SHA_1_WITH_RSA_ENCRYPTION => "sha1-with-rsa",
        MD_5_WITH_RSA_ENCRYPTION => "md5-with-rsa",
        MD_2_WITH_RSA_ENCRYPTION => "md2-with-rsa",
        ECDSA_WITH_SHA_1 => "ecdsa-with-sha1",
        ID_DSA => "dsa",
        DSA_WITH_SHA_1 => "dsa-with-sha1",
        DSA_WITH_SHA_256 => "dsa-with-sha256",
        DES_EDE3_CBC => "des-ede3-cbc",
        RC2_CBC => "rc2-cbc",
        DES_CBC => "des-cbc",
        RSA_ENCRYPTION => "rsa-pkcs1-v1_5",
        _ => return oid.to_string(),
    }
    .to_string()
}

/// A weak digest algorithm (SHA-1, MD5).
fn weak_digest(oid: &Oid) -> bool {
    [ID_SHA_1, ID_MD5].contains(oid)
}

/// The weakness of a signature algorithm (`signatureAlgorithm` of a certificate or a
/// SignerInfo) with its `digestAlgorithm` when a SignerInfo names one (RFC 5652 §5.3; a bare
/// `rsaEncryption` signs that digest, RFC 5754 §3.2). RSASSA-PSS is weak when its hash is
/// SHA-1 (RFC 4055 §3.1: the default when absent).
pub fn signature(digest: Option<&Oid>, sig_alg: &AlgorithmIdentifierOwned) -> Option<Weakness> {
    if let Some(d) = digest.filter(|d| weak_digest(d)) {
        return Some(Weakness::algorithm(format!("digest algorithm {}", name(d))));
    }
    let oid = sig_alg.oid;
    let weak = [
        SHA_1_WITH_RSA_ENCRYPTION,
        MD_5_WITH_RSA_ENCRYPTION,
        MD_2_WITH_RSA_ENCRYPTION,
        ECDSA_WITH_SHA_1,
        ID_DSA,
        DSA_WITH_SHA_1,
        DSA_WITH_SHA_256,
    ];
    if weak.contains(&oid) {
        return Some(Weakness::algorithm(format!(
            "signature algorithm {}",
            name(&oid)
        )));
    }
    if oid == ID_RSASSA_PSS
        && pss_params(sig_alg.parameters.as_ref()).is_ok_and(|p| weak_digest(&p.hash))
    {
        return Some(Weakness::algorithm(
            "signature algorithm rsassa-pss with sha-1".into(),
        ));
    }
    None
}

/// RSASSA-PSS-params (RFC 4055 §3.1, RFC 8017 §A.2.3) as the verifiers read them: the hash
/// algorithm and the salt length — SHA-1 and 20 when the parameters or the field are absent.
/// The mask must be MGF1 and the trailer field 1; MGF1's own hash is not read (the verifiers,
/// RustCrypto's `Pss` and WebCrypto's RSA-PSS, both use the message hash for it, so another
/// pair does not verify).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PssParams {
    /// The hash algorithm.
    pub hash: Oid,
    /// The salt length in octets.
    pub salt: usize,
}

/// Why RSASSA-PSS-params cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PssParamsError {
    /// Not a DER RSASSA-PSS-params.
    Malformed(String),
    /// A mask other than MGF1, or a trailer field other than 1.
    Unsupported(String),
}

/// Read RSASSA-PSS-params ([`PssParams`]).
pub fn pss_params(params: Option<&der::Any>) -> Result<PssParams, PssParamsError> {
    let mut out = PssParams {
        hash: ID_SHA_1,
        salt: 20,
    };
    let Some(p) = params else {
        return Ok(out);
    };
    let bad =
        |e: &dyn std::fmt::Display| PssParamsError::Malformed(format!("RSASSA-PSS-params: {e}"));
    let bytes = p.to_der().map_err(|e| bad(&e))?;
    let t = crate::asn1::ber::Tlv::parse_all(&bytes).map_err(|e| bad(&e))?;
    for c in t
        .sequence_at_most(4, "RSASSA-PSS-params")
        .map_err(|e| bad(&e))?
    {
        let inner = c
            .children_at_most(1, "RSASSA-PSS-params field")
            .map_err(|e| bad(&e))?;
        let first = inner.first().ok_or_else(|| bad(&"empty field"))?;
        let oid = |name: &'static str| -> Result<Oid, PssParamsError> {
            let alg = first.sequence_first(1, name).map_err(|e| bad(&e))?;
            alg.first()
                .ok_or_else(|| bad(&format!("empty {name}")))?
                .oid(name)
                .map_err(|e| bad(&e))
        };
        match c.number {
            0 => out.hash = oid("hashAlgorithm")?,
            1 => {
                let mask = oid("maskGenAlgorithm")?;
                if mask != MGF1 {
                    return Err(PssParamsError::Unsupported(format!("PSS mask {mask}")));
                }
            }
            2 => out.salt = first.small_uint("saltLength").map_err(|e| bad(&e))? as usize,
            3 if first.small_uint("trailerField").map_err(|e| bad(&e))? != 1 => {
                return Err(PssParamsError::Unsupported("PSS trailer field".into()));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The number of bits of an RSA modulus given as big-endian octets (leading zeros ignored).
fn modulus_bits(be: &[u8]) -> usize {
    let be = match be.iter().position(|&b| b != 0) {
        Some(i) => &be[i..],
        None => return 0,
    };
    let top = be.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    (be.len() - 1) * 8 + top
}

/// The RSA modulus size of an `rsaEncryption` / `id-RSASSA-PSS` public key, when it is one.
pub fn rsa_bits(spki: &SubjectPublicKeyInfoOwned) -> Option<usize> {
    if spki.algorithm.oid != RSA_ENCRYPTION && spki.algorithm.oid != ID_RSASSA_PSS {
        return None;
    }
    let key = rsa::pkcs1::RsaPublicKeyRef::from_der(spki.subject_public_key.raw_bytes()).ok()?;
    Some(modulus_bits(key.modulus.as_bytes()))
}

/// An RSA public key as a provider (WebCrypto) imports it and a core that does no
/// arithmetic with it needs it: the key re-encoded as an rsaEncryption
/// SubjectPublicKeyInfo (NULL parameters, RFC 4055 §1.2; the RSAPublicKey of RFC 8017
/// §A.1.1 in DER) and the modulus' length in octets, the length of a signature or of a
/// key-transport ciphertext (RFC 8017 §§7.1.1, 8.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaKeyDer {
    /// SubjectPublicKeyInfo DER.
    pub spki: Vec<u8>,
    /// The modulus' length in octets.
    pub size: usize,
}

/// The key of an rsaEncryption SubjectPublicKeyInfo, which must have NULL parameters
/// (RFC 4055 §1.2), checked as [`rsa_public_key_pkcs1`] checks it.
pub fn rsa_public_key(spki: &SubjectPublicKeyInfoOwned) -> Option<RsaKeyDer> {
    if spki.algorithm.oid != RSA_ENCRYPTION || !spki.algorithm.parameters.as_ref()?.is_null() {
        return None;
    }
    rsa_public_key_pkcs1(spki.subject_public_key.as_bytes()?)
}

/// An RSAPublicKey (RFC 8017 §A.1.1, DER) that passes the checks the pure-Rust crypto's
/// `rsa::RsaPublicKey::new` makes — an odd modulus of at most `rsa::RsaPublicKey::MAX_SIZE`
/// bits, an odd exponent from 3 to 2^33 − 1 that is less than the modulus — and those
/// checks only: the Montgomery parameters of a pure-Rust key (a division by the modulus,
/// a tenth of a 1 KiB verification whose math WebCrypto does) are left to the code that
/// computes with the key.
pub fn rsa_public_key_pkcs1(rsa_public_key: &[u8]) -> Option<RsaKeyDer> {
    let key = rsa::pkcs1::RsaPublicKeyRef::from_der(rsa_public_key).ok()?;
    let magnitude = |b: &'_ [u8]| -> Vec<u8> {
        let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        b[start..].to_vec()
    };
    let n = magnitude(key.modulus.as_bytes());
    let e = magnitude(key.public_exponent.as_bytes());
    let odd = |v: &[u8]| v.last().is_some_and(|b| b & 1 == 1);
    // Big-endian magnitudes without leading zeros: the longer is the larger, else the
    // first differing octet decides.
    let e_below_n = (e.len(), e.as_slice()) < (n.len(), n.as_slice());
    if !odd(&n)
        || modulus_bits(&n) > rsa::RsaPublicKey::MAX_SIZE
        || !odd(&e)
        || e == [1]
        || modulus_bits(&e) > 33
        || !e_below_n
    {
        return None;
    }
    let pkcs1 = key.to_der().ok()?;
    let spki = spki::SubjectPublicKeyInfoRef {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: RSA_ENCRYPTION,
            parameters: Some(der::asn1::AnyRef::NULL),
        },
        subject_public_key: der::asn1::BitStringRef::from_bytes(&pkcs1).ok()?,
    }
    .to_der()
    .ok()?;
    Some(RsaKeyDer {
        spki,
        size: n.len(),
    })
}

/// The weakness of a public key: an RSA modulus under [`MIN_RSA_BITS`] (`cert-weak-key`), a
/// DSA key (`weak-algorithm`).
pub fn key(spki: &SubjectPublicKeyInfoOwned) -> Option<Weakness> {
    if spki.algorithm.oid == ID_DSA {
        return Some(Weakness::algorithm("a DSA key".into()));
    }
    match rsa_bits(spki) {
        Some(bits) if bits < MIN_RSA_BITS => Some(Weakness {
            code: codes::CERT_WEAK_KEY,
            what: format!("an RSA key of {bits} bits (at least {MIN_RSA_BITS} are required)"),
        }),
        _ => None,
    }
}

/// The weaknesses of one certificate of a certification path: its key, and (unless it is the
/// trust anchor, whose self-signature is never checked) its signature algorithm. Each is
/// placed at `place()`, the certificate's name (formatted only for a weakness found: most
/// certificates have none).
pub fn certificate(
    cert: &Certificate,
    is_anchor: bool,
    place: impl Fn() -> String,
) -> Vec<Weakness> {
    let tbs = cert.tbs_certificate();
    let mut out = Vec::new();
    if let Some(w) = key(tbs.subject_public_key_info()) {
        out.push(w.at(&place()));
    }
    if !is_anchor {
        if let Some(w) = signature(None, cert.signature_algorithm()) {
            out.push(w.at(&place()));
        }
    }
    out
}

/// The weakness of an EnvelopedData content-encryption algorithm (RFC 3370 §5: 3DES, RC2;
/// single DES).
pub fn content_encryption(oid: &Oid) -> Option<Weakness> {
    [DES_EDE3_CBC, RC2_CBC, DES_CBC]
        .contains(oid)
        .then(|| Weakness::algorithm(format!("content-encryption algorithm {}", name(oid))))
}

/// The weakness of a KeyTransRecipientInfo key-encryption algorithm: `rsaEncryption`, i.e.
/// RSAES-PKCS1-v1_5 (RFC 8551 §2.3 demotes it; RFC 8017 §7: OAEP for new applications).
pub fn key_transport(oid: &Oid) -> Option<Weakness> {
    (*oid == RSA_ENCRYPTION)
        .then(|| Weakness::algorithm(format!("key transport {} (use RSAES-OAEP)", name(oid))))
}

/// Refuse to produce with a weak key: `Err(what)` for a signer's or recipient's certificate
/// key that [`key`] finds weak. Producers map it to their own typed error.
pub fn refuse_for_production(spki: &SubjectPublicKeyInfoOwned) -> Result<(), String> {
    match key(spki) {
        Some(w) => Err(format!("{} is not used to sign or encrypt", w.what)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
    use rsa::traits::PublicKeyParts;

    fn alg(oid: Oid) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        }
    }

    #[test]
    fn pss_params_as_the_verifiers_read_them() {
        // Absent parameters: SHA-1, salt 20 (RFC 4055 §3.1).
        let p = pss_params(None).unwrap();
        assert_eq!((p.hash, p.salt), (ID_SHA_1, 20));
        let pss384 =
            crate::smime::algorithms::rsa_pss_algorithm(crate::smime::DigestAlg::Sha384).unwrap();
        let p = pss_params(pss384.parameters.as_ref()).unwrap();
        assert_eq!((p.hash, p.salt), (crate::asn1::oid::SHA384, 48));
        // Another mask, another trailer field: unsupported; not RSASSA-PSS-params: malformed.
        let der = |octets: &[u8]| der::Any::from_der(octets).unwrap();
        // SEQUENCE { [1] SEQUENCE { OID 1.1 } }
        let mask = der(&[0x30, 0x07, 0xa1, 0x05, 0x30, 0x03, 0x06, 0x01, 0x29]);
        assert!(matches!(
            pss_params(Some(&mask)),
            Err(PssParamsError::Unsupported(_))
        ));
        // SEQUENCE { [3] INTEGER 2 }
        let trailer = der(&[0x30, 0x05, 0xa3, 0x03, 0x02, 0x01, 0x02]);
        assert!(matches!(
            pss_params(Some(&trailer)),
            Err(PssParamsError::Unsupported(_))
        ));
        let int = der(&[0x02, 0x01, 0x01]);
        assert!(matches!(
            pss_params(Some(&int)),
            Err(PssParamsError::Malformed(_))
        ));
    }

    #[test]
    fn modulus_bits_ignores_leading_zeros() {
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x7f, 0]), 15);
        assert_eq!(modulus_bits(&[0; 4]), 0);
        assert_eq!(modulus_bits(&[]), 0);
    }

    #[test]
    fn signatures() {
        let sha256 = const_oid::db::rfc5912::ID_SHA_256;
        assert!(signature(Some(&sha256), &alg(RSA_ENCRYPTION)).is_none());
        let w = signature(Some(&ID_SHA_1), &alg(RSA_ENCRYPTION)).unwrap();
        assert_eq!(w.code, codes::WEAK_ALGORITHM);
        assert!(w.what.contains("sha-1"), "{}", w.what);
        for oid in [
            SHA_1_WITH_RSA_ENCRYPTION,
            ECDSA_WITH_SHA_1,
            ID_DSA,
            DSA_WITH_SHA_256,
        ] {
            assert!(signature(Some(&sha256), &alg(oid)).is_some(), "{oid}");
        }
        // RSASSA-PSS without parameters hashes with SHA-1 (RFC 4055 §3.1).
        assert!(signature(None, &alg(ID_RSASSA_PSS)).is_some());
        let pss256 =
            crate::smime::algorithms::rsa_pss_algorithm(crate::smime::DigestAlg::Sha256).unwrap();
        assert!(signature(None, &pss256).is_none());
        let pss1 =
            crate::smime::algorithms::rsa_pss_algorithm(crate::smime::DigestAlg::Sha1).unwrap();
        assert!(signature(None, &pss1).is_some());
    }

    #[test]
    fn ciphers_and_key_transport() {
        assert!(content_encryption(&DES_EDE3_CBC).is_some());
        assert!(content_encryption(&RC2_CBC).is_some());
        assert!(content_encryption(&crate::asn1::oid::AES256_CBC).is_none());
        assert!(key_transport(&RSA_ENCRYPTION).is_some());
        assert!(key_transport(&crate::asn1::oid::RSAES_OAEP).is_none());
    }

    #[test]
    fn policy_judges() {
        let w = Weakness::algorithm("digest algorithm sha-1".into());
        match AlgorithmPolicy::default().judge(&w) {
            Judged::Problem(p) => assert_eq!(p.code, codes::WEAK_ALGORITHM),
            other => panic!("{other:?}"),
        }
        match AlgorithmPolicy::legacy().judge(&w) {
            Judged::Note(p) => {
                assert_eq!(p.code, codes::WEAK_ALGORITHM_ACCEPTED);
                assert!(p.message.contains("sha-1"));
            }
            other => panic!("{other:?}"),
        }
    }

    /// What the pure-Rust verification's decoder makes of `spki`: the key re-encoded and
    /// its size, or nothing.
    fn oracle(spki: &SubjectPublicKeyInfoOwned) -> Option<RsaKeyDer> {
        let key = rsa::RsaPublicKey::from_public_key_der(&spki.to_der().ok()?).ok()?;
        Some(RsaKeyDer {
            spki: key.to_public_key_der().ok()?.as_bytes().to_vec(),
            size: key.size(),
        })
    }

    fn spki_of(n: &[u8], e: &[u8], parameters: Option<der::Any>) -> SubjectPublicKeyInfoOwned {
        let key = rsa::pkcs1::RsaPublicKeyRef {
            modulus: der::asn1::UintRef::new(n).unwrap(),
            public_exponent: der::asn1::UintRef::new(e).unwrap(),
        };
        SubjectPublicKeyInfoOwned {
            algorithm: spki::AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters,
            },
            subject_public_key: der::asn1::BitString::from_bytes(&key.to_der().unwrap()).unwrap(),
        }
    }

    #[test]
    fn an_rsa_key_is_checked_as_the_rust_decoder_checks_it() {
        // Real keys: re-encoded exactly as the pure-Rust key re-encodes them.
        for file in [
            "tests/vectors/rfc9216-certs/alice@smime.example.sig.pem",
            "tests/vectors/rfc9216-certs/Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem",
            "tests/vectors/openssl/smroot.pem",
        ] {
            let pem = std::fs::read_to_string(file).unwrap();
            let cert = &crate::keys::certificates_from_pem(&pem).unwrap()[0];
            let spki = cert.tbs_certificate().subject_public_key_info();
            let got = rsa_public_key(spki);
            assert!(got.is_some(), "{file}");
            assert_eq!(got, oracle(spki), "{file}");
        }
        // Made-up moduli (the checks do not factor them): each accepted or refused alike.
        let null = Some(der::Any::from(der::asn1::AnyRef::NULL));
        let mut n2048 = vec![0xc5; 256];
        n2048[255] = 0x01;
        let mut even = n2048.clone();
        even[255] = 0x02;
        let mut n8192 = vec![0xff; 1024];
        n8192[0] = 0x80;
        let mut n8193 = vec![0x01];
        n8193.extend_from_slice(&n8192);
        let f4 = [0x01, 0x00, 0x01];
        let cases: Vec<(&str, SubjectPublicKeyInfoOwned)> = vec![
            ("2048 bits, F4", spki_of(&n2048, &f4, null.clone())),
            ("e = 3", spki_of(&n2048, &[3], null.clone())),
            ("even modulus", spki_of(&even, &f4, null.clone())),
            ("e = 1", spki_of(&n2048, &[1], null.clone())),
            ("even e", spki_of(&n2048, &[0x01, 0x00, 0x00], null.clone())),
            (
                "e = 2^33 - 1",
                spki_of(&n2048, &[1, 0xff, 0xff, 0xff, 0xff], null.clone()),
            ),
            (
                "e = 2^33 + 1",
                spki_of(&n2048, &[2, 0, 0, 0, 1], null.clone()),
            ),
            ("e = n", spki_of(&[0x01, 0x01], &[0x01, 0x01], null.clone())),
            ("e > n", spki_of(&[0x01, 0x01], &[0x01, 0x03], null.clone())),
            (
                "e < n, short",
                spki_of(&[0x01, 0x03], &[0x01, 0x01], null.clone()),
            ),
            ("8192 bits", spki_of(&n8192, &f4, null.clone())),
            ("8193 bits", spki_of(&n8193, &f4, null.clone())),
            ("zero modulus", spki_of(&[0], &f4, null.clone())),
            ("zero exponent", spki_of(&n2048, &[0], null.clone())),
            ("parameters absent", spki_of(&n2048, &f4, None)),
            (
                "parameters not NULL",
                spki_of(
                    &n2048,
                    &f4,
                    Some(der::Any::from(der::asn1::AnyRef::from(&RSA_ENCRYPTION))),
                ),
            ),
        ];
        for (what, spki) in &cases {
            assert_eq!(rsa_public_key(spki), oracle(spki), "{what}");
        }
        assert!(rsa_public_key(&cases[0].1).is_some_and(|k| k.size == 256));
        assert!(rsa_public_key(&cases[2].1).is_none());
        // An RSAPublicKey that is not DER, or with octets after it, is no key.
        let mut spki = cases[0].1.clone();
        let mut bits = spki.subject_public_key.raw_bytes().to_vec();
        bits.push(0);
        spki.subject_public_key = der::asn1::BitString::from_bytes(&bits).unwrap();
        assert_eq!(rsa_public_key(&spki), None);
        assert_eq!(oracle(&spki), None);
    }
}
