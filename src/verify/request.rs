//! The requests of reading a message: [`VerifyRequest`] (`verify`, `verifyReceipt`,
//! `mmhs verify`) and [`MakeReceiptRequest`] (`makeReceipt`, `mmhs receipt`). Material is
//! given as PEM texts; [`VerifyRequest::context`] parses it into the core's
//! [`VerifyContext`] with the caller's clock (the core reads none).

use serde::Deserialize;
use time::OffsetDateTime;

use super::{make_receipt, ReceiptInProgress, ReceiptOptions, SignedReceipt, VerifyContext};
use crate::algorithm_policy::AlgorithmPolicy;
use crate::keys;
use crate::request::time_or;
use crate::rng::CryptoRng;
use crate::smime::{Error, Signer};
use x509_cert::Certificate;

/// Declare a request type that carries the verification material every reading operation
/// takes (`verify`, `release`, `releaseGate`): `trustAnchors`, `certificates` and `crls`, PEM
/// texts, and `at`, the validation time — and, after a leading `decryption_key;`, the
/// `decryptionKey` that opens enveloped layers — as the first members of the struct, flat in
/// the JSON: serde's `flatten` cannot be combined with `deny_unknown_fields`, so the members
/// are written here once and stamped into each request. The type also gets `material()`: a
/// [`VerifyRequest`] holding just those members, to which the operation adds its own.
macro_rules! with_verify_material {
    (decryption_key; $($item:tt)*) => {
        $crate::verify::with_verify_material! { @stamp
            [
                /// The key that opens enveloped layers.
                #[serde(default)]
                pub decryption_key: Option<$crate::smime::KeyUse>,
            ]
            [decryption_key]
            $($item)*
        }
    };
    (@stamp [$($extra:tt)*] [$($extra_field:ident)*]
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$fmeta:meta])* pub $field:ident : $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            /// Trust anchors (PEM texts).
            #[serde(default)]
            #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
            pub trust_anchors: Vec<String>,
            /// Extra certificates: intermediates, or signer certificates (PEM texts).
            #[serde(default)]
            #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
            pub certificates: Vec<String>,
            /// CRLs (PEM `X509 CRL` texts).
            #[serde(default)]
            #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
            pub crls: Vec<String>,
            /// Validation time, also the time of the operation (RFC 3339); default: the
            /// caller's clock.
            #[serde(default, with = "time::serde::rfc3339::option")]
            #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
            pub at: Option<time::OffsetDateTime>,
            $($extra)*
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $name {
            /// The request's verification material alone (the members
            /// `with_verify_material!` stamps in), as a
            /// [`VerifyRequest`](crate::verify::VerifyRequest).
            pub fn material(&self) -> $crate::verify::VerifyRequest {
                $crate::verify::VerifyRequest {
                    trust_anchors: self.trust_anchors.clone(),
                    certificates: self.certificates.clone(),
                    crls: self.crls.clone(),
                    at: self.at,
                    $($extra_field: self.$extra_field.clone(),)*
                    ..$crate::verify::VerifyRequest::default()
                }
            }
        }
    };
    ($($item:tt)*) => {
        $crate::verify::with_verify_material! { @stamp [] [] $($item)* }
    };
}
pub(crate) use with_verify_material;

with_verify_material! { decryption_key;
    /// The request of `verify` (JSON `VerifyRequest`; docs/js-api.md, docs/cli.md `--json`).
    #[derive(Debug, Clone, Default, Deserialize)]
    #[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    pub struct VerifyRequest {
        /// Maximum nesting of S/MIME layers (0 or absent: the default, 8).
        #[serde(default)]
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub max_depth: usize,
        /// Also return the innermost content: the result is then `{ report, content }`.
        #[serde(default)]
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub with_content: bool,
        /// Legacy receive: weak algorithms and keys become the note `weak-algorithm-accepted`
        /// instead of problems (docs/security.md, Algorithm policy).
        #[serde(default)]
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub allow_weak: bool,
        /// The reader's address: the report's `mmhs.readerPrecedence` (MMHS profile §3.5.1).
        #[serde(default)]
        pub reader: Option<String>,
        /// The authserv-ids (RFC 8601) whose `Authentication-Results` the report shows.
        #[serde(default)]
        #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
        pub trusted_authserv_ids: Vec<String>,
    }
}

impl VerifyRequest {
    /// The core's context: certificates and CRLs parsed, the decryption key opened, `at`
    /// or else `now`.
    pub fn context(&self, now: OffsetDateTime) -> Result<VerifyContext, Error> {
        let mut crls = Vec::new();
        for text in &self.crls {
            crls.extend(keys::crls_from_pem(text)?);
        }
        let mut ctx = VerifyContext {
            trust_anchors: keys::certificates_from_texts(&self.trust_anchors)?,
            certificates: keys::certificates_from_texts(&self.certificates)?,
            crls,
            at: Some(time_or(self.at, now)),
            max_depth: self.max_depth,
            algorithms: AlgorithmPolicy {
                allow_weak: self.allow_weak,
            },
            reader: self.reader.clone(),
            trusted_authserv_ids: self.trusted_authserv_ids.clone(),
            ..VerifyContext::default()
        };
        if let Some(k) = &self.decryption_key {
            // The stored key is opened and used in the core: the pure-Rust provider's work.
            if !cfg!(feature = "rust-crypto") {
                return Err(Error::ProviderUnsupported(
                    "decryptionKey (a stored key opened in the core) needs a build with the pure-Rust crypto provider: use the full module, or pass an unlocked key (AsyncKey)".into(),
                ));
            }
            let s = k.signer()?;
            ctx.certificates.extend(s.chain.iter().cloned());
            ctx.decryption_keys.push((s.key, s.cert));
        }
        Ok(ctx)
    }
}

/// The receipt message options of `makeReceipt` (JSON `MakeReceiptRequest`; RFC 2634 §2.3).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MakeReceiptRequest {
    /// Message-ID of the receipt message, without angle brackets.
    pub message_id: String,
    /// Date and signingTime of the receipt (RFC 3339); default: the verification time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "string", optional))]
    pub date: Option<OffsetDateTime>,
    /// Include the recipient's certificate and chain (default true).
    #[serde(default)]
    pub include_certs: Option<bool>,
    /// Identify the signer by subjectKeyIdentifier.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(as = "Option<_>", optional))]
    pub use_ski: bool,
}

impl MakeReceiptRequest {
    /// The core's options; `at` is the verification time (the date when none is given).
    pub fn options(&self, at: OffsetDateTime) -> ReceiptOptions {
        ReceiptOptions {
            date: time_or(self.date, at),
            message_id: self.message_id.clone(),
            include_certs: self.include_certs.unwrap_or(true),
            use_ski: self.use_ski,
        }
    }

    /// The signed receipt `recipient` returns for `raw` ([`make_receipt`]): `raw` is verified
    /// in `ctx` with the recipient's key added ([`add_recipient_key`]), at `ctx.at`, else
    /// `now`, which is also the receipt's date unless the request gives one.
    pub fn make<R: CryptoRng + ?Sized>(
        &self,
        raw: &[u8],
        mut ctx: VerifyContext,
        recipient: &Signer,
        now: OffsetDateTime,
        rng: &mut R,
    ) -> Result<SignedReceipt, Error> {
        add_recipient_key(&mut ctx, recipient);
        let at = *ctx.at.get_or_insert(now);
        make_receipt(raw, &ctx, recipient, &self.options(at), rng)
    }

    /// [`Self::make`] with the recipient's key held outside the core, known here by its
    /// certificate `cert` and `chain`: the steps of [`ReceiptInProgress`].
    pub fn begin<'a>(
        &self,
        raw: &'a [u8],
        mut ctx: VerifyContext,
        cert: &Certificate,
        chain: &[Certificate],
        now: OffsetDateTime,
    ) -> ReceiptInProgress<'a> {
        let at = *ctx.at.get_or_insert(now);
        ReceiptInProgress::begin(raw, ctx, cert, chain, self.options(at))
    }
}

/// Add the recipient's key to the context a received message is verified in before a
/// receipt is made for it: the key opens the original when it is encrypted to the recipient,
/// its chain helps build paths.
pub fn add_recipient_key(ctx: &mut VerifyContext, recipient: &Signer) {
    ctx.certificates.extend(recipient.chain.iter().cloned());
    ctx.decryption_keys
        .push((recipient.key.clone(), recipient.cert.clone()));
}
