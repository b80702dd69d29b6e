//! Producing SignedData (RFC 5652 §5, RFC 8551 §2): the [`Signer`], the [`SignOptions`] and
//! the DER encoding of SignerInfo / SignedData / ContentInfo.
//!
//! We build the DER from the `cms` / `x509-cert` value types (certificates, names, algorithm
//! identifiers) rather than through `cms::builder::SignedDataBuilder`, because that builder
//! reads the system clock for signingTime (a panic on wasm32), `unwrap`s internally, and
//! cannot express RSASSA-PSS parameters or a caller-chosen attribute set; the structure is
//! small and written out field by field below, each with its RFC 5652 clause.

use der::Encode;
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;

use super::algorithms::{self, DigestAlg, RsaPadding};
use super::attributes;
use super::key_operation::{sign_with_key, DigestRequest, SignRequest};
use super::receipt_request::ReceiptRequestOptions;
use super::sig_type::{self, SignatureType};
use super::Error;
use crate::asn1::content_info;
use crate::asn1::der::{constructed, der_set_of, primitive};
use crate::asn1::oid::{ID_DATA, ID_SIGNED_DATA};
use crate::ess::EssSecurityLabel;
use crate::keys::PrivateKey;
use crate::rng::CryptoRng;
use crate::trust::{SignatureCheck, SignatureChecks};

/// Who signs: the private key, its certificate, and the chain to include (intermediates,
/// optionally the root).
#[derive(Clone, Debug)]
pub struct Signer {
    /// The private key (RSA ≥ 2048 bits or P-256).
    pub key: PrivateKey,
    /// The signer's certificate (its public key must match `key`).
    pub cert: Certificate,
    /// Further certificates to include when certificates are included.
    pub chain: Vec<Certificate>,
}

impl Signer {
    /// Build a signer from PEM texts: a private key, the signer certificate (first
    /// CERTIFICATE block of `cert_pem`; any further blocks become the chain) and an optional
    /// extra chain. Checks that the key matches the certificate.
    pub fn from_pem(key_pem: &str, cert_pem: &str, chain_pem: Option<&str>) -> Result<Self, Error> {
        let key =
            PrivateKey::from_pem(key_pem).map_err(|e| Error::Key(format!("signer key: {e}")))?;
        let mut certs = parse_certificates_pem(cert_pem)?;
        if certs.is_empty() {
            return Err(Error::Key(
                "no CERTIFICATE in the signer certificate PEM".into(),
            ));
        }
        let cert = certs.remove(0);
        let mut chain = certs;
        if let Some(c) = chain_pem {
            chain.extend(parse_certificates_pem(c)?);
        }
        let s = Signer { key, cert, chain };
        s.check()?;
        Ok(s)
    }

    /// Check that the key matches the certificate and is strong enough (the algorithm policy,
    /// [`crate::algorithm_policy::refuse_for_production`]).
    pub fn check(&self) -> Result<(), Error> {
        let spki = &self.cert.tbs_certificate().subject_public_key_info();
        crate::algorithm_policy::refuse_for_production(spki).map_err(Error::Key)?;
        match &self.key {
            PrivateKey::Rsa(k) => {
                let der = spki.to_der().map_err(|e| Error::Key(e.to_string()))?;
                use rsa::pkcs8::DecodePublicKey;
                let pk = rsa::RsaPublicKey::from_public_key_der(&der)
                    .map_err(|_| Error::Key("the certificate does not hold an RSA key".into()))?;
                if pk != k.to_public_key() {
                    return Err(Error::Key(
                        "the private key does not match the certificate".into(),
                    ));
                }
            }
            PrivateKey::EcP256(k) => {
                let point = k.public_key().to_sec1_bytes();
                if spki.algorithm.oid != crate::asn1::oid::EC_PUBLIC_KEY
                    || spki.subject_public_key.raw_bytes() != point.as_ref()
                {
                    return Err(Error::Key(
                        "the private key does not match the certificate".into(),
                    ));
                }
            }
            #[allow(unreachable_patterns)]
            _ => return Err(Error::Key("unsupported private key type".into())),
        }
        Ok(())
    }
}

/// A signer's certificate and chain, whoever holds the private key: a [`Signer`], or a
/// caller that answers the [`SignRequest`]s itself (`super::key_operation`) and gives only
/// `(certificate, chain)`.
pub trait SignerCertificates {
    /// The signer's certificate.
    fn certificate(&self) -> &Certificate;
    /// Further certificates to include.
    fn chain(&self) -> &[Certificate];
}

impl SignerCertificates for Signer {
    fn certificate(&self) -> &Certificate {
        &self.cert
    }
    fn chain(&self) -> &[Certificate] {
        &self.chain
    }
}

impl SignerCertificates for (Certificate, Vec<Certificate>) {
    fn certificate(&self) -> &Certificate {
        &self.0
    }
    fn chain(&self) -> &[Certificate] {
        &self.1
    }
}

/// Parse every CERTIFICATE block of a PEM text.
pub fn parse_certificates_pem(pem: &str) -> Result<Vec<Certificate>, Error> {
    use der::Decode;
    let mut out = Vec::new();
    for block in crate::keys::pem_blocks(pem) {
        let (label, der) = block.map_err(|e| Error::Key(e.to_string()))?;
        if label == "CERTIFICATE" {
            out.push(
                Certificate::from_der(&der)
                    .map_err(|e| Error::Key(format!("bad certificate: {e}")))?,
            );
        }
    }
    Ok(out)
}

/// What to produce. Defaults: detached (multipart/signed), SHA-256, RSA PKCS#1 v1.5,
/// issuerAndSerialNumber, certificates included, sMIMECapabilities and signingCertificateV2
/// included, no signingTime unless a time is given.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignOptions {
    /// multipart/signed (true) or application/pkcs7-mime; smime-type=signed-data (false).
    pub detached: bool,
    /// Digest algorithm.
    pub digest: DigestAlg,
    /// RSA signature padding (ignored for EC keys).
    pub rsa_padding: RsaPadding,
    /// Identify the signer by subjectKeyIdentifier instead of issuerAndSerialNumber.
    pub use_ski: bool,
    /// Include the signer certificate and chain (false for impoverished links).
    pub include_certs: bool,
    /// signingTime value (the core never reads the clock); `None` omits the attribute.
    #[serde(with = "time::serde::rfc3339::option")]
    pub signing_time: Option<time::OffsetDateTime>,
    /// eSSSecurityLabel to include.
    pub security_label: Option<EssSecurityLabel>,
    /// signatureType attribute values; empty omits the attribute.
    pub signature_type: Vec<SignatureType>,
    /// Include sMIMECapabilities.
    pub capabilities: bool,
    /// Include signingCertificateV2 (RFC 5035).
    pub signing_certificate_v2: bool,
    /// Certificate to name in sMIMEEncryptionKeyPreference (the signer's encryption
    /// certificate); `None` omits the attribute.
    #[serde(skip)]
    pub encryption_cert: Option<Certificate>,
    /// Further signed attributes (each one `Attribute`'s DER), appended as they are: the
    /// mlExpansionHistory of a Mail List Agent (RFC 2634 §4.1) and the attributes it
    /// carries over from the outer signature it replaces (RFC 2634 §4.2,
    /// draft-melnikov-smime-msa-to-mda-04 §5). The caller keeps them distinct from the ones
    /// the options above produce.
    #[serde(skip)]
    pub extra_attributes: Vec<Vec<u8>>,
    /// Ask for signed receipts (RFC 2634 §2.2): a receiptRequest attribute with a fresh
    /// signedContentIdentifier is added when signing content; `None` omits it.
    pub receipt_request: Option<ReceiptRequestOptions>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            detached: true,
            digest: DigestAlg::Sha256,
            rsa_padding: RsaPadding::Pkcs1v15,
            use_ski: false,
            include_certs: true,
            signing_time: None,
            security_label: None,
            signature_type: Vec::new(),
            capabilities: true,
            signing_certificate_v2: true,
            encryption_cert: None,
            extra_attributes: Vec::new(),
            receipt_request: None,
        }
    }
}

fn cms(e: impl std::fmt::Display) -> Error {
    Error::Encode(e.to_string())
}

/// The SignerIdentifier DER for `cert` (issuerAndSerialNumber, or `[0]` subjectKeyIdentifier
/// which requires the certificate to carry the extension). Returns the SignerInfo version.
pub fn signer_identifier(cert: &Certificate, use_ski: bool) -> Result<(u32, Vec<u8>), Error> {
    if use_ski {
        let ski = cert
            .tbs_certificate()
            .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .map_err(cms)?
            .ok_or_else(|| {
                Error::Key("the signer certificate has no subjectKeyIdentifier extension".into())
            })?
            .1;
        Ok((3, primitive(0x80, ski.0.as_bytes())))
    } else {
        Ok((1, attributes::issuer_and_serial(cert).map_err(cms)?))
    }
}

/// The signed attributes of a new signature over content with digest `content_digest`.
pub fn signed_attributes(
    signer: &Signer,
    opts: &SignOptions,
    econtent_type: const_oid::ObjectIdentifier,
    content_digest: &[u8],
) -> Result<Vec<Vec<u8>>, Error> {
    signed_attributes_for(&signer.cert, opts, econtent_type, content_digest)
}

/// [`signed_attributes`] for a signer known by its certificate alone (the private key is
/// the provider's, `super::key_operation`).
pub fn signed_attributes_for(
    cert: &Certificate,
    opts: &SignOptions,
    econtent_type: const_oid::ObjectIdentifier,
    content_digest: &[u8],
) -> Result<Vec<Vec<u8>>, Error> {
    let mut attrs = vec![
        attributes::content_type(econtent_type).map_err(cms)?,
        attributes::message_digest(content_digest).map_err(cms)?,
    ];
    if let Some(t) = opts.signing_time {
        attrs.push(attributes::signing_time(t).map_err(cms)?);
    }
    if opts.capabilities {
        attrs.push(attributes::smime_capabilities().map_err(cms)?);
    }
    if let Some(c) = &opts.encryption_cert {
        attrs.push(attributes::encryption_key_preference(c).map_err(cms)?);
    }
    if let Some(l) = &opts.security_label {
        attrs.push(attributes::security_label(l).map_err(|e| Error::Label(e.to_string()))?);
    }
    if opts.signing_certificate_v2 {
        attrs.push(attributes::signing_certificate_v2(cert).map_err(cms)?);
    }
    if !opts.signature_type.is_empty() {
        attrs.push(
            sig_type::signature_type_attribute(&opts.signature_type).map_err(Error::Options)?,
        );
    }
    attrs.extend(opts.extra_attributes.iter().cloned());
    Ok(attrs)
}

/// A SignerInfo (RFC 5652 §5.3) waiting for its signature value: everything else is
/// encoded, and [`Self::request`] says what to sign (the DER SET OF signed attributes,
/// RFC 5652 §5.4) and how.
#[derive(Debug, Clone)]
pub struct PendingSignerInfo {
    version: u32,
    sid: Vec<u8>,
    digest_alg: Vec<u8>,
    sig_alg: spki::AlgorithmIdentifierOwned,
    spki: spki::SubjectPublicKeyInfoOwned,
    request: SignRequest,
}

impl PendingSignerInfo {
    /// Begin a SignerInfo by the key of `cert` over `signed_attrs` (each one Attribute's DER).
    pub fn begin(
        cert: &Certificate,
        opts: &SignOptions,
        signed_attrs: Vec<Vec<u8>>,
    ) -> Result<Self, Error> {
        let (version, sid) = signer_identifier(cert, opts.use_ski)?;
        let request = SignRequest::new(
            cert,
            opts.digest,
            opts.rsa_padding,
            der_set_of(signed_attrs),
        )?;
        Ok(PendingSignerInfo {
            version,
            sid,
            digest_alg: opts.digest.algorithm_identifier().to_der().map_err(cms)?,
            sig_alg: request.signature_algorithm()?,
            spki: cert.tbs_certificate().subject_public_key_info().clone(),
            request,
        })
    }

    /// What the private key must sign.
    pub fn request(&self) -> &SignRequest {
        &self.request
    }

    /// The SignerInfo DER with `signature` (for ECDSA the DER `Ecdsa-Sig-Value`). The
    /// signature is verified with the certificate's public key first, so a wrong key, a
    /// faulty provider or a fault in an RSA-CRT computation never leaves the core.
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        self.finish_checked(signature, None)
    }

    /// The check of `signature` with the certificate's public key, for a provider to
    /// verify ([`Self::finish_checked`]); `None` when the algorithm is not delegated.
    pub fn signature_check(&self, signature: &[u8]) -> Option<SignatureCheck> {
        SignatureCheck::new(
            &self.spki,
            &self.sig_alg,
            self.request.hash.check_hash(),
            &self.request.data,
            signature,
        )
    }

    /// [`Self::finish`], the signature's verification answered by `checks` when the
    /// provider verified it ([`Self::signature_check`]); otherwise it is verified in Rust.
    pub fn finish_checked(
        self,
        signature: &[u8],
        checks: Option<&SignatureChecks>,
    ) -> Result<Vec<u8>, Error> {
        let (si, check) = self.assemble(signature)?;
        check.verify(checks)?;
        Ok(si)
    }

    /// The SignerInfo DER with `signature`, not verified yet: it is the caller's to hold back
    /// until [`SignatureToVerify::verify`] passes (so that the output is assembled while a
    /// provider verifies the signature).
    pub(crate) fn assemble(self, signature: &[u8]) -> Result<(Vec<u8>, SignatureToVerify), Error> {
        let check = SignatureToVerify {
            spki: self.spki,
            hash: self.request.hash,
            sig_alg: self.sig_alg.clone(),
            data: self.request.data.clone(),
            signature: signature.to_vec(),
        };
        // signedAttrs [0] IMPLICIT: same contents, tag A0.
        let mut implicit = self.request.data;
        if let Some(b) = implicit.first_mut() {
            *b = 0xA0;
        }
        let version = primitive(0x02, &[self.version as u8]);
        let sig_alg = self.sig_alg.to_der().map_err(cms)?;
        let sig = primitive(0x04, signature);
        let si = constructed(
            0x30,
            &[
                &version,
                &self.sid,
                &self.digest_alg,
                &implicit,
                &sig_alg,
                &sig,
            ],
        );
        Ok((si, check))
    }
}

/// A signature value to verify with the signer certificate's public key before what carries
/// it leaves the core ([`PendingSignerInfo::assemble`]).
pub(crate) struct SignatureToVerify {
    spki: spki::SubjectPublicKeyInfoOwned,
    hash: super::DigestAlg,
    sig_alg: spki::AlgorithmIdentifierOwned,
    data: Vec<u8>,
    signature: Vec<u8>,
}

impl SignatureToVerify {
    /// Verify it (the verification answered by `checks` when the provider verified it,
    /// otherwise in Rust), so that a wrong key, a faulty provider or a fault in an RSA-CRT
    /// computation never leaves the core.
    ///
    /// Errors: `signer-key-invalid` when it does not verify.
    pub(crate) fn verify(&self, checks: Option<&SignatureChecks>) -> Result<(), Error> {
        algorithms::verify_signature_with(
            checks,
            &self.spki,
            self.hash,
            &self.sig_alg,
            &self.data,
            &self.signature,
        )
        .map_err(|e| {
            let why = match e {
                algorithms::VerifyFailure::Unsupported(w)
                | algorithms::VerifyFailure::Invalid(w)
                | algorithms::VerifyFailure::NoProvider(w) => w,
            };
            Error::Key(format!(
                "the signature does not verify with the signer certificate's key: {why}"
            ))
        })
    }
}

/// Build one SignerInfo (DER) with the given signed attributes (each one Attribute's DER),
/// signed by the pure-Rust provider with `signer.key`.
pub fn build_signer_info<R: CryptoRng + ?Sized>(
    signer: &Signer,
    opts: &SignOptions,
    signed_attrs: Vec<Vec<u8>>,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let pending = PendingSignerInfo::begin(&signer.cert, opts, signed_attrs)?;
    let sig = sign_with_key(&signer.key, pending.request(), rng)?;
    pending.finish(&sig)
}

/// A ContentInfo(SignedData) waiting for the signature of its one SignerInfo.
#[derive(Debug, Clone)]
pub struct PendingSignedData {
    signer_info: PendingSignerInfo,
    version: u8,
    digest_alg: Vec<u8>,
    econtent_type: const_oid::ObjectIdentifier,
    econtent: Option<Vec<u8>>,
    certs: Vec<Vec<u8>>,
}

impl PendingSignedData {
    /// Begin a SignedData over `content` (MIME entity octets) by the key of `cert`, with
    /// `chain` as the further certificates to include. Detached when `opts.detached`
    /// (eContent absent). Draws the receiptRequest identifier from `rng`.
    pub fn begin<R: CryptoRng + ?Sized>(
        content: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let digest = DigestRequest {
            alg: opts.digest,
            data: content,
        }
        .answer_with_rust();
        Self::begin_with_digest(content, &digest, cert, chain, opts, rng)
    }

    /// [`Self::begin`] with the message digest of `content` (by `opts.digest`) computed by the
    /// provider ([`DigestRequest`]); an answer of the wrong length is refused.
    pub fn begin_with_digest<R: CryptoRng + ?Sized>(
        content: &[u8],
        digest: &[u8],
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
        rng: &mut R,
    ) -> Result<Self, Error> {
        DigestRequest {
            alg: opts.digest,
            data: content,
        }
        .check(digest)?;
        let mut attrs = signed_attributes_for(cert, opts, ID_DATA, digest)?;
        if let Some(r) = &opts.receipt_request {
            let request = r.generate(rng).map_err(Error::Options)?;
            attrs.push(request.attribute().map_err(Error::Options)?);
        }
        Self::with_attributes(content, ID_DATA, attrs, cert, chain, opts)
    }

    /// Begin a SignedData over `content` of type `econtent_type` whose one SignerInfo carries
    /// `signed_attrs` (each one Attribute's DER, contentType and messageDigest among them), by
    /// the key of `cert`, with `chain` as the further certificates to include. Detached when
    /// `opts.detached`.
    pub fn with_attributes(
        content: &[u8],
        econtent_type: const_oid::ObjectIdentifier,
        signed_attrs: Vec<Vec<u8>>,
        cert: &Certificate,
        chain: &[Certificate],
        opts: &SignOptions,
    ) -> Result<Self, Error> {
        let signer_info = PendingSignerInfo::begin(cert, opts, signed_attrs)?;
        let mut certs = Vec::new();
        if opts.include_certs {
            for c in std::iter::once(cert).chain(chain) {
                certs.push(crate::keys::certificate_der(c).map_err(cms)?);
            }
        }
        Ok(PendingSignedData {
            signer_info,
            // RFC 5652 §5.1: version 3 when a SignerInfo is version 3 (subjectKeyIdentifier)
            // or eContentType is not id-data.
            version: if opts.use_ski || econtent_type != ID_DATA {
                3
            } else {
                1
            },
            digest_alg: opts.digest.algorithm_identifier().to_der().map_err(cms)?,
            econtent_type,
            econtent: (!opts.detached).then(|| content.to_vec()),
            certs,
        })
    }

    /// What the private key must sign.
    pub fn request(&self) -> &SignRequest {
        self.signer_info.request()
    }

    /// The ContentInfo(SignedData) DER with `signature` ([`PendingSignerInfo::finish`]).
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        self.finish_checked(signature, None)
    }

    /// [`PendingSignerInfo::signature_check`].
    pub fn signature_check(&self, signature: &[u8]) -> Option<SignatureCheck> {
        self.signer_info.signature_check(signature)
    }

    /// [`Self::finish`] with [`PendingSignerInfo::finish_checked`].
    pub fn finish_checked(
        self,
        signature: &[u8],
        checks: Option<&SignatureChecks>,
    ) -> Result<Vec<u8>, Error> {
        let (cms, check) = self.assemble(signature)?;
        check.verify(checks)?;
        Ok(cms)
    }

    /// [`PendingSignerInfo::assemble`]: the ContentInfo(SignedData) DER, to hold back until
    /// the signature verifies.
    pub(crate) fn assemble(self, signature: &[u8]) -> Result<(Vec<u8>, SignatureToVerify), Error> {
        let (si, check) = self.signer_info.assemble(signature)?;
        let cms = assemble_signed_data(
            self.version,
            &[self.digest_alg],
            self.econtent_type,
            self.econtent.as_deref(),
            &self.certs,
            &[si],
        )?;
        Ok((cms, check))
    }
}

/// Produce a ContentInfo(SignedData) DER over `content` (MIME entity octets), signed by the
/// pure-Rust provider. Detached when `opts.detached` (eContent absent).
pub fn sign_content<R: CryptoRng + ?Sized>(
    content: &[u8],
    signer: &Signer,
    opts: &SignOptions,
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let pending = PendingSignedData::begin(content, &signer.cert, &signer.chain, opts, rng)?;
    let sig = sign_with_key(&signer.key, pending.request(), rng)?;
    pending.finish(&sig)
}

/// Assemble SignedData and its ContentInfo from DER parts (RFC 5652 §5.1).
pub fn assemble_signed_data(
    version: u8,
    digest_algs: &[Vec<u8>],
    econtent_type: const_oid::ObjectIdentifier,
    econtent: Option<&[u8]>,
    certs: &[Vec<u8>],
    signer_infos: &[Vec<u8>],
) -> Result<Vec<u8>, Error> {
    let mut uniq: Vec<Vec<u8>> = Vec::new();
    for d in digest_algs {
        if !uniq.contains(d) {
            uniq.push(d.clone());
        }
    }
    let ct = econtent_type.to_der().map_err(cms)?;
    let eci = match econtent {
        Some(c) => constructed(0x30, &[&ct, &constructed(0xA0, &[&primitive(0x04, c)])]),
        None => constructed(0x30, &[&ct]),
    };
    let mut fields: Vec<Vec<u8>> = vec![primitive(0x02, &[version]), der_set_of(uniq), eci];
    if !certs.is_empty() {
        let mut set = der_set_of(certs.to_vec());
        if let Some(b) = set.first_mut() {
            *b = 0xA0;
        }
        fields.push(set);
    }
    fields.push(der_set_of(signer_infos.to_vec()));
    let refs: Vec<&[u8]> = fields.iter().map(|f| f.as_slice()).collect();
    let sd = constructed(0x30, &refs);
    Ok(content_info::encode(ID_SIGNED_DATA, &sd))
}
