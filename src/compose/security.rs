//! The per-copy security step (draft-melnikov-mmhs-profile-09 §4). Every copy — each
//! Bcc copy separately, so a Bcc recipient's certificate is only in its own copy — goes
//! through, in this order:
//!
//! 1. `SIO-Label` header field (RFC 7444) from the request's label when `sioLabel` is asked
//!    (`type=":ess"` carrying the same label as the ESS attribute, formatted by
//!    [`crate::fields::SioLabel`]); added by [`super::compose_with_keys`] to the copy's header;
//! 2. header protection: `wrapped` ([`crate::protect::wrap_parts`]: the whole message as
//!    `message/rfc822; forwarded=no`, profile §4.2.6, RFC 8551 §3.1 — the default whenever
//!    signing or encrypting), `injected` ([`crate::protect::inject_with`], RFC 9788), or
//!    `none` ([`crate::smime::sign::split_entity`]: only the MIME entity is protected);
//! 3. compression ([`crate::smime::compress_content`], RFC 3274) of that entity — once and
//!    innermost (profile §4.2.1.4.1), as an `application/pkcs7-mime;
//!    smime-type=compressed-data` part;
//! 4. signature ([`crate::smime::sign_entity`], RFC 8551 §3.5) with the ESS security label
//!    (RFC 2634 §3) and the other signed attributes of [`SignOptions`];
//! 5. encryption ([`crate::smime::encrypt_content`], RFC 8551 §3.3) for the copy's envelope
//!    recipients **and** the sender; AuthEnvelopedData AES-GCM when every one of them
//!    advertises it, else EnvelopedData AES-CBC ([`crate::smime::choose_content_cipher`]);
//!    KARI for P-256 certificates, KTRI (OAEP by default) for RSA ones;
//! 6. with `tripleWrap`, a second (outer) signature over the encrypted part (RFC 2634 §1.1,
//!    profile §4.2.2).
//!
//! Key material comes from the request (PEM, [`super::SecretPem`]) or from [`ComposeKeys`]
//! (the CLI's files, the server's configuration), never both for the same role.

use std::borrow::Cow;

use const_oid::ObjectIdentifier;
use x509_cert::Certificate;

use super::request::{ComposeRequest, Recipient};
use super::security_request::{
    LabelRequest, ProtectHeaders, ProtectHeadersRequest, SignerIdentifier,
};
use super::{ComposeContext, Error};
use crate::asn1::oid::{AES128_CBC, AES128_GCM, AES256_CBC, AES256_GCM};
use crate::fields::{self as mmhs, names, EssSecurityLabel, SioLabel};
use crate::mime::encode::{Message, Part};
use crate::protect::{self, Hcp, InjectOptions};
use crate::rng::CryptoRng;
use crate::smime::{self, ContentCipher, SignOptions, Signer, SmimeType};

/// Key material supplied by the caller instead of in the request.
#[derive(Clone, Copy, Default)]
pub struct ComposeKeys<'a> {
    /// The signer (key + certificate + chain), for `sign` without `key`.
    pub signer: Option<&'a Signer>,
    /// The sender's encryption certificate (encrypt-to-self); default: the signer's.
    pub sender_certificate: Option<&'a Certificate>,
    /// Recipient certificates (capabilities unknown); each recipient's is found by its
    /// e-mail address, like the request's `encrypt.certificates`.
    pub recipient_certificates: &'a [Certificate],
}

impl std::fmt::Debug for ComposeKeys<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComposeKeys")
            .field("signer", &self.signer.is_some())
            .field("sender_certificate", &self.sender_certificate.is_some())
            .field("recipient_certificates", &self.recipient_certificates.len())
            .finish()
    }
}

/// The key material a facade holds beside a request, owned: the signer and the recipient
/// certificates read from the CLI's key flags and `--recipient-cert` files, or from the wasm
/// `options` ([`super::ComposeOptions::material`]). [`super::compose_with_material`] composes
/// with it.
#[derive(Default)]
pub struct ComposeMaterial {
    /// The signer for `sign` without `key`.
    pub signer: Option<Signer>,
    /// Recipient certificates for `encrypt`, found by e-mail address.
    pub recipient_certificates: Vec<Certificate>,
}

impl ComposeMaterial {
    /// The borrowed form the security step reads (the sender's certificate: the signer's).
    pub fn keys(&self) -> ComposeKeys<'_> {
        ComposeKeys {
            signer: self.signer.as_ref(),
            sender_certificate: None,
            recipient_certificates: &self.recipient_certificates,
        }
    }
}

impl std::fmt::Debug for ComposeMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.keys().fmt(f)
    }
}

/// What every copy needs, resolved once from the request and the keys.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    signer: Option<Cow<'a, Signer>>,
    sign_options: SignOptions,
    triple_wrap: bool,
    encrypt: Option<EncryptPlan>,
    protect: ProtectHeadersRequest,
    compress: bool,
    sio_label: Option<String>,
}

#[derive(Debug)]
struct EncryptPlan {
    sender: Certificate,
    /// Recipient certificates with the content-cipher OIDs they advertise (`None`: unknown).
    recipients: Vec<(Certificate, Option<Vec<ObjectIdentifier>>)>,
    options: smime::EncryptOptions,
    /// Whether a recipient's domain certificate (DCA, gateway) stands in or joins
    /// (draft-melnikov-smime-msa-to-mda-04 §4 case (b)).
    domain_encryption: crate::domain::DomainEncryption,
}

impl Plan<'_> {
    /// Whether any S/MIME processing happens.
    pub(crate) fn secured(&self) -> bool {
        self.signer.is_some() || self.encrypt.is_some()
    }

    /// The `SIO-Label` field value, when one is asked for.
    pub(crate) fn sio_label(&self) -> Option<&str> {
        self.sio_label.as_deref()
    }
}

fn cipher_oid(c: ContentCipher) -> ObjectIdentifier {
    match c {
        ContentCipher::Aes128Cbc => AES128_CBC,
        ContentCipher::Aes256Cbc => AES256_CBC,
        ContentCipher::Aes128Gcm => AES128_GCM,
        ContentCipher::Aes256Gcm => AES256_GCM,
    }
}

/// Every content cipher we produce and read: the sender's own capabilities.
const OWN_CIPHERS: [ContentCipher; 4] = [
    ContentCipher::Aes256Gcm,
    ContentCipher::Aes128Gcm,
    ContentCipher::Aes256Cbc,
    ContentCipher::Aes128Cbc,
];

fn parse_certificates(what: &str, pem: &str) -> Result<Vec<Certificate>, Error> {
    let certs = smime::signed_build::parse_certificates_pem(pem)
        .map_err(|e| Error::CertificateInvalid(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(Error::CertificateInvalid(format!(
            "{what}: no CERTIFICATE block"
        )));
    }
    Ok(certs)
}

fn parse_certificate(what: &str, pem: &str) -> Result<Certificate, Error> {
    parse_certificates(what, pem)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::CertificateInvalid(format!("{what}: no CERTIFICATE block")))
}

fn conflict(msg: &str) -> Error {
    Error::SecurityOptionConflict(msg.to_string())
}

/// Check the security members of `req` against each other and the keys, parse the key
/// material, and return what each copy needs.
pub(crate) fn plan<'a>(req: &ComposeRequest, keys: &ComposeKeys<'a>) -> Result<Plan<'a>, Error> {
    let label = req.labels.as_ref();
    let protect = req.protect_headers.unwrap_or(ProtectHeadersRequest {
        scheme: if req.sign.is_some() || req.encrypt.is_some() {
            ProtectHeaders::Wrapped
        } else {
            ProtectHeaders::None
        },
        policy: Hcp::default(),
        legacy_display: false,
    });
    let secured = req.sign.is_some() || req.encrypt.is_some();
    if protect.scheme != ProtectHeaders::None && !secured {
        return Err(conflict("protectHeaders needs sign or encrypt"));
    }
    if req.compress && !secured {
        return Err(conflict(
            "compress is only used inside a signature or encryption (profile §4.2.1.4.1)",
        ));
    }
    if let Some(l) = label {
        if req.sign.is_none() && l.sio_label.is_none() {
            return Err(conflict(
                "a security label is a signed attribute: it needs sign (or sioLabel for the header field alone)",
            ));
        }
    }

    // The one label: ESS attribute and SIO-Label (checked here, with its own code, before
    // any copy is built).
    let ess_label = match label {
        Some(l) => Some(ess_label(l)?),
        None => None,
    };

    // ---- signer
    let mut signer: Option<Cow<'a, Signer>> = None;
    let mut sign_options = SignOptions::default();
    let mut triple_wrap = false;
    if let Some(s) = &req.sign {
        signer = Some(match (&s.key, keys.signer) {
            (Some(_), Some(_)) => {
                return Err(conflict(
                    "the signer key is given both in the request and by the caller",
                ))
            }
            (Some(key), None) => {
                let cert = s.certificate.as_deref().ok_or(Error::SignerMissing)?;
                Cow::Owned(
                    Signer::from_pem(key.expose(), cert, s.chain.as_deref())
                        .map_err(Error::Smime)?,
                )
            }
            (None, Some(k)) => {
                if s.certificate.is_some() || s.chain.is_some() {
                    return Err(conflict(
                        "sign.certificate without sign.key: the caller already supplies the signer",
                    ));
                }
                Cow::Borrowed(k)
            }
            (None, None) => return Err(Error::SignerMissing),
        });
        if s.triple_wrap && req.encrypt.is_none() {
            return Err(conflict("tripleWrap needs encrypt"));
        }
        triple_wrap = s.triple_wrap;
        sign_options = SignOptions {
            detached: !s.opaque,
            digest: s.digest,
            rsa_padding: s.rsa_padding,
            use_ski: s.signer_identifier == SignerIdentifier::Ski,
            include_certs: s.include_certificates.unwrap_or(true),
            signing_time: None, // set from the context per copy
            security_label: ess_label.clone(),
            signature_type: s.signature_type.clone(),
            receipt_request: s.receipt_request.clone(),
            ..SignOptions::default()
        };
        // draft-melnikov-smime-msa-to-mda-04 §3.2: a type list the draft forbids, or a type
        // that must encapsulate another signature (domain, review, additional attributes) —
        // compose makes the originator's signature over the content it composes; those are
        // added afterwards around the signed message (`crate::domain::sign_typed`).
        crate::domain::signing::check_types(&sign_options.signature_type)
            .map_err(|e| conflict(&e.to_string()))?;
        if crate::domain::signing::must_encapsulate(&sign_options.signature_type) {
            return Err(conflict(
                "signatureType domain, review and additionalAttributes encapsulate the signed message (draft-melnikov-smime-msa-to-mda-04 §3.2): sign the composed message with them afterwards",
            ));
        }
        if let Some(r) = &s.receipt_request {
            r.check()
                .map_err(|m| Error::Smime(smime::Error::Options(format!("receiptRequest: {m}"))))?;
        }
        if sign_options.digest == smime::DigestAlg::Sha1 {
            return Err(Error::Smime(smime::Error::Unsupported(
                "SHA-1 signatures are not produced".into(),
            )));
        }
    }

    // ---- encryption
    let mut encrypt = None;
    if let Some(e) = &req.encrypt {
        let sender = match (&e.sender_certificate, keys.sender_certificate) {
            (Some(_), Some(_)) => {
                return Err(conflict(
                    "the sender certificate is given both in the request and by the caller",
                ))
            }
            (Some(pem), None) => parse_certificate("encrypt.senderCertificate", pem)?,
            (None, Some(c)) => c.clone(),
            (None, None) => signer
                .as_ref()
                .map(|s| s.cert.clone())
                .ok_or(Error::SenderCertificateMissing)?,
        };
        let mut recipients =
            Vec::with_capacity(e.certificates.len() + keys.recipient_certificates.len());
        for (i, rc) in e.certificates.iter().enumerate() {
            let cert = parse_certificate(&format!("encrypt.certificates[{i}]"), &rc.certificate)?;
            let caps = rc
                .capabilities
                .as_ref()
                .map(|c| c.iter().map(|c| cipher_oid(*c)).collect());
            recipients.push((cert, caps));
        }
        for c in keys.recipient_certificates {
            recipients.push((c.clone(), None));
        }
        encrypt = Some(EncryptPlan {
            sender,
            recipients,
            options: smime::EncryptOptions {
                cipher: e.cipher,
                rsa_padding: e.key_transport,
                recipient_id: e.recipient_identifier,
                ..smime::EncryptOptions::default()
            },
            domain_encryption: e.domain_encryption,
        });
    }

    if let Some(s) = &signer {
        sign_options.encryption_cert = encrypt.as_ref().map(|e| e.sender.clone());
        check_signer_address(req, &s.cert)?;
    }

    Ok(Plan {
        signer,
        sign_options,
        triple_wrap,
        encrypt,
        protect,
        compress: req.compress,
        sio_label: sio_label(req, ess_label.as_ref())?,
    })
}

/// An originator signature must name a From or the Sender address (the verifier flags
/// `signer-address-mismatch` otherwise); compose makes no other kind (see the signature-type
/// check above).
fn check_signer_address(req: &ComposeRequest, cert: &Certificate) -> Result<(), Error> {
    let claimed = req
        .from
        .iter()
        .map(|m| m.address.as_str())
        .chain(req.sender.iter().map(|m| m.address.as_str()));
    if claimed
        .clone()
        .any(|a| crate::trust::address_matches(cert, a))
    {
        return Ok(());
    }
    Err(Error::SignerAddressMismatch(
        claimed.collect::<Vec<_>>().join(", "),
    ))
}

/// The request's label as the DER-encodable ESS label (`label-invalid` when it cannot be
/// encoded: policy not an OID, classification over 256, category value not DER …).
pub(crate) fn ess_label(label: &LabelRequest) -> Result<EssSecurityLabel, Error> {
    let ess = crate::ess::from_report(&label.security_label()).map_err(Error::LabelInvalid)?;
    ess.to_der()
        .map_err(|e| Error::LabelInvalid(e.to_string()))?;
    Ok(ess)
}

/// The `SIO-Label` value for the request, if one is asked for (RFC 7444 §3, profile §4.2.5:
/// the same label as the ESS security label).
pub(crate) fn sio_label(
    req: &ComposeRequest,
    ess: Option<&EssSecurityLabel>,
) -> Result<Option<String>, Error> {
    let (Some(label), Some(ess)) = (&req.labels, ess) else {
        return Ok(None);
    };
    let Some(sio) = &label.sio_label else {
        return Ok(None);
    };
    let field = names::SIO_LABEL;
    let color = |c: &Option<String>| -> Result<Option<mmhs::Color>, Error> {
        c.as_deref()
            .map(|c| c.parse().map_err(|error| Error::Field { field, error }))
            .transpose()
    };
    if let Some(m) = &sio.marking {
        super::validate::header_text(field, m)?;
    }
    let sio = SioLabel::from_ess(
        ess,
        sio.marking.clone(),
        color(&sio.fgcolor)?,
        color(&sio.bgcolor)?,
    )
    .map_err(|error| Error::Field { field, error })?;
    Ok(Some(sio.to_string()))
}

fn protect_error(e: protect::Error) -> Error {
    Error::Protect(e)
}

/// Apply the security step to one copy and serialise it. `rcpts` are the copy's envelope
/// recipients (for encryption).
pub(crate) fn finish<R: CryptoRng + ?Sized>(
    message: &Message,
    plan: &Plan<'_>,
    ctx: &ComposeContext,
    rcpts: &[&Recipient],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let raw = message.to_bytes().map_err(|_| Error::HeaderTooLong {
        field: "header line",
    })?;
    if !plan.secured() {
        return Ok(raw);
    }
    // 2. header protection: (outer header section, the entity to protect)
    let (outer, mut entity) = match plan.protect.scheme {
        ProtectHeaders::Wrapped => {
            let w = protect::wrap_parts(&raw).map_err(protect_error)?;
            (w.outer_headers, w.entity)
        }
        ProtectHeaders::Injected => {
            let i = protect::inject_with(
                &raw,
                &InjectOptions {
                    confidential: plan.encrypt.is_some(),
                    policy: plan.protect.policy,
                    legacy_display: plan.protect.legacy_display,
                },
            )
            .map_err(protect_error)?;
            (i.outer_headers, i.payload_entity)
        }
        ProtectHeaders::None => smime::sign::split_entity(&raw),
    };
    drop(raw);
    // 3. compression, innermost
    if plan.compress {
        let der = smime::compress_content(&entity).map_err(Error::Smime)?;
        entity = smime::pkcs7_mime_entity(SmimeType::CompressedData, &der).map_err(Error::Smime)?;
    }
    // 4. signature
    let sign_opts = SignOptions {
        signing_time: Some(ctx.now),
        ..plan.sign_options.clone()
    };
    if let Some(signer) = &plan.signer {
        entity = smime::sign_entity(&entity, signer, &sign_opts, rng).map_err(Error::Smime)?;
    }
    // 5. encryption for this copy's recipients and the sender
    if let Some(e) = &plan.encrypt {
        let mut certs: Vec<Certificate> = Vec::with_capacity(rcpts.len() + 1);
        let mut caps: Vec<Option<Vec<ObjectIdentifier>>> = Vec::with_capacity(rcpts.len() + 1);
        let pool: Vec<Certificate> = e.recipients.iter().map(|(c, _)| c.clone()).collect();
        for r in rcpts {
            let chosen = crate::domain::recipient_certificates(
                &r.address,
                &pool,
                e.domain_encryption,
                |_| true,
            )
            .map_err(|_| Error::RecipientCertificateMissing(r.address.clone()))?;
            for (i, _) in chosen {
                let Some((cert, cap)) = e.recipients.get(i) else {
                    continue;
                };
                if !certs.contains(cert) {
                    certs.push(cert.clone());
                    caps.push(cap.clone());
                }
            }
        }
        if !certs.contains(&e.sender) {
            certs.push(e.sender.clone());
            caps.push(Some(OWN_CIPHERS.iter().map(|c| cipher_oid(*c)).collect()));
        }
        let opts = smime::EncryptOptions {
            recipient_capabilities: caps,
            ..e.options.clone()
        };
        let aead = smime::choose_content_cipher(&opts, certs.len()).is_aead();
        let der = smime::encrypt_content(&entity, &certs, &opts, rng).map_err(Error::Smime)?;
        let kind = if aead {
            SmimeType::AuthEnvelopedData
        } else {
            SmimeType::EnvelopedData
        };
        entity = smime::pkcs7_mime_entity(kind, &der).map_err(Error::Smime)?;
        // 6. triple wrapping: sign the encrypted part again (same signer and attributes;
        // RFC 2634 §1.1.1 lets the outer label equal the inner one). A receipt request stays
        // on the inner signature only (RFC 2634 §2.2: an inner attribute).
        if plan.triple_wrap {
            if let Some(signer) = &plan.signer {
                let outer_opts = SignOptions {
                    receipt_request: None,
                    ..sign_opts.clone()
                };
                entity =
                    smime::sign_entity(&entity, signer, &outer_opts, rng).map_err(Error::Smime)?;
            }
        }
    }
    // the outer message: the (protected copy of the) RFC 5322 fields, MIME-Version, the entity
    Part::entity(entity)
        .to_message(&outer)
        .map_err(|_| Error::HeaderTooLong {
            field: "header line",
        })
}
