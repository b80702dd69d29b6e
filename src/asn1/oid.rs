//! Every OBJECT IDENTIFIER the crate reads or writes, named once.
//!
//! Values come from `const-oid`'s database (generated from the RFC ASN.1 modules) where it has
//! the name; the few it lacks are spelled here with the document that assigns them. Modules
//! import from here and never spell an OID themselves.

use const_oid::db::{rfc2985, rfc5280, rfc5753, rfc5911, rfc5912, rfc6268, rfc7292};
pub use const_oid::ObjectIdentifier as Oid;

// ---- CMS content types (RFC 5652 §4–§9, RFC 5083, RFC 3274, RFC 2634 §2.7) ----
/// id-data.
pub const ID_DATA: Oid = rfc5911::ID_DATA;
/// id-signedData.
pub const ID_SIGNED_DATA: Oid = rfc5911::ID_SIGNED_DATA;
/// id-envelopedData.
pub const ID_ENVELOPED_DATA: Oid = rfc5911::ID_ENVELOPED_DATA;
/// id-encryptedData (PKCS #12 password-encrypted SafeContents, RFC 7292 §4.1).
pub const ID_ENCRYPTED_DATA: Oid = rfc5911::ID_ENCRYPTED_DATA;
/// id-ct-authEnvelopedData (RFC 5083 §1).
pub const ID_AUTH_ENVELOPED_DATA: Oid = rfc5911::ID_CT_AUTH_ENVELOPED_DATA;
/// id-ct-compressedData (RFC 3274 §1.1).
pub const ID_COMPRESSED_DATA: Oid = rfc6268::ID_CT_COMPRESSED_DATA;
/// id-ct-receipt (RFC 2634 §2.7).
pub const ID_CT_RECEIPT: Oid = rfc5911::ID_CT_RECEIPT;
/// id-alg-zlibCompress (RFC 3274 §2).
pub const ID_ALG_ZLIB: Oid = rfc6268::ID_ALG_ZLIB_COMPRESS;

// ---- CMS and ESS attributes (RFC 5652 §11, RFC 2634, RFC 5035, RFC 8551 §2.5) ----
/// contentType.
pub const CONTENT_TYPE: Oid = rfc5911::ID_CONTENT_TYPE;
/// messageDigest.
pub const MESSAGE_DIGEST: Oid = rfc5911::ID_MESSAGE_DIGEST;
/// signingTime.
pub const SIGNING_TIME: Oid = rfc5911::ID_SIGNING_TIME;
/// countersignature (unsigned).
pub const COUNTERSIGNATURE: Oid = rfc5911::ID_COUNTERSIGNATURE;
/// smimeCapabilities.
pub const SMIME_CAPABILITIES: Oid = rfc5911::SMIME_CAPABILITIES;
/// id-aa-encrypKeyPref (sMIMEEncryptionKeyPreference).
pub const ENCRYPT_KEY_PREF: Oid = rfc5911::ID_AA_ENCRYP_KEY_PREF;
/// id-aa-securityLabel (eSSSecurityLabel, RFC 2634 §3.2).
pub const SECURITY_LABEL: Oid = rfc5911::ID_AA_SECURITY_LABEL;
/// id-aa-equivalentLabels (RFC 2634 §3.4).
pub const EQUIVALENT_LABELS: Oid = rfc5911::ID_AA_EQUIVALENT_LABELS;
/// id-aa-signingCertificate (ESS v1, SHA-1; RFC 2634 §5.4).
pub const SIGNING_CERTIFICATE: Oid = rfc5911::ID_AA_SIGNING_CERTIFICATE;
/// id-aa-signingCertificateV2 (RFC 5035 §3).
pub const SIGNING_CERTIFICATE_V2: Oid = rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2;
/// id-aa-signatureType (RFC 3183 arc; the msa-to-mda draft's short arc is a typo).
pub const SIGNATURE_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.28");
/// id-aa-receiptRequest (RFC 2634 §2.2).
pub const RECEIPT_REQUEST: Oid = rfc5911::ID_AA_RECEIPT_REQUEST;
/// id-aa-mlExpandHistory (RFC 2634 §4.2).
pub const ML_EXPAND_HISTORY: Oid = rfc5911::ID_AA_ML_EXPAND_HISTORY;
/// id-aa-msgSigDigest (RFC 2634 §2.10).
pub const MSG_SIG_DIGEST: Oid = rfc5911::ID_AA_MSG_SIG_DIGEST;

// ---- signature types (RFC 3183 §3, draft-melnikov-smime-msa-to-mda-04 §3) ----
/// id-sti-originatorSig.
pub const STI_ORIGINATOR: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.9.1");
/// id-sti-domainSig.
pub const STI_DOMAIN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.9.2");
/// id-sti-addAttribSig.
pub const STI_ADDITIONAL_ATTRIBUTES: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.9.3");
/// id-sti-reviewSig.
pub const STI_REVIEW: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.9.4");
/// id-sti-delegatedOriginatorSig (draft-melnikov-smime-msa-to-mda-04 §3).
pub const STI_DELEGATED_ORIGINATOR: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.9.5");

// ---- digests (RFC 3370 §2, RFC 5754 §2) ----
/// md5 (refused; named to report it).
pub const MD5: Oid = rfc5912::ID_MD_5;
/// sha1.
pub const SHA1: Oid = rfc5912::ID_SHA_1;
/// sha224.
pub const SHA224: Oid = rfc5912::ID_SHA_224;
/// sha256.
pub const SHA256: Oid = rfc5912::ID_SHA_256;
/// sha384.
pub const SHA384: Oid = rfc5912::ID_SHA_384;
/// sha512.
pub const SHA512: Oid = rfc5912::ID_SHA_512;

// ---- RSA (RFC 8017, RFC 4055) ----
/// rsaEncryption.
pub const RSA_ENCRYPTION: Oid = rfc5912::RSA_ENCRYPTION;
/// md2WithRSAEncryption (refused; named to report it).
pub const MD2_WITH_RSA: Oid = rfc5912::MD_2_WITH_RSA_ENCRYPTION;
/// md5WithRSAEncryption (refused; named to report it).
pub const MD5_WITH_RSA: Oid = rfc5912::MD_5_WITH_RSA_ENCRYPTION;
/// sha1WithRSAEncryption.
pub const SHA1_WITH_RSA: Oid = rfc5912::SHA_1_WITH_RSA_ENCRYPTION;
/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid = rfc5912::SHA_256_WITH_RSA_ENCRYPTION;
/// sha384WithRSAEncryption.
pub const SHA384_WITH_RSA: Oid = rfc5912::SHA_384_WITH_RSA_ENCRYPTION;
/// sha512WithRSAEncryption.
pub const SHA512_WITH_RSA: Oid = rfc5912::SHA_512_WITH_RSA_ENCRYPTION;
/// id-RSASSA-PSS.
pub const RSASSA_PSS: Oid = rfc5912::ID_RSASSA_PSS;
/// id-RSAES-OAEP.
pub const RSAES_OAEP: Oid = rfc5912::ID_RSAES_OAEP;
/// id-mgf1.
pub const MGF1: Oid = rfc5912::ID_MGF_1;
/// id-pSpecified.
pub const P_SPECIFIED: Oid = rfc5912::ID_P_SPECIFIED;

// ---- elliptic curves and ECDSA (RFC 5480, RFC 5758) ----
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: Oid = rfc5912::ID_EC_PUBLIC_KEY;
/// secp256r1 / prime256v1.
pub const P256: Oid = rfc5912::SECP_256_R_1;
/// secp384r1.
pub const P384: Oid = rfc5912::SECP_384_R_1;
/// ecdsa-with-SHA1 (RFC 3279 §2.2.3; not in const-oid's database).
pub const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
/// ecdsa-with-SHA256.
pub const ECDSA_SHA256: Oid = rfc5912::ECDSA_WITH_SHA_256;
/// ecdsa-with-SHA384.
pub const ECDSA_SHA384: Oid = rfc5912::ECDSA_WITH_SHA_384;
/// ecdsa-with-SHA512.
pub const ECDSA_SHA512: Oid = rfc5912::ECDSA_WITH_SHA_512;

// ---- DSA (RFC 3279 §2.3.2, RFC 5758 §3.1) ----
/// id-dsa (public key, also used as signature algorithm by some senders).
pub const DSA: Oid = rfc5912::ID_DSA;
/// id-dsa-with-sha1.
pub const DSA_SHA1: Oid = rfc5912::DSA_WITH_SHA_1;
/// dsa-with-sha256.
pub const DSA_SHA256: Oid = rfc5912::DSA_WITH_SHA_256;

// ---- content encryption (RFC 3565 §4.1, RFC 5084 §3.2, RFC 3370 §5) ----
/// id-aes128-CBC.
pub const AES128_CBC: Oid = rfc5911::ID_AES_128_CBC;
/// id-aes192-CBC.
pub const AES192_CBC: Oid = rfc5911::ID_AES_192_CBC;
/// id-aes256-CBC.
pub const AES256_CBC: Oid = rfc5911::ID_AES_256_CBC;
/// id-aes128-GCM.
pub const AES128_GCM: Oid = rfc5911::ID_AES_128_GCM;
/// id-aes192-GCM.
pub const AES192_GCM: Oid = rfc5911::ID_AES_192_GCM;
/// id-aes256-GCM.
pub const AES256_GCM: Oid = rfc5911::ID_AES_256_GCM;
/// des-ede3-cbc.
pub const DES_EDE3_CBC: Oid = rfc5911::DES_EDE_3_CBC;
/// rc2-cbc (RFC 3370 §5.2; recognised to name it in errors, not supported).
pub const RC2_CBC: Oid = rfc5911::RC_2_CBC;
/// desCBC (OIW, RFC 8018 Appendix B.2.1; not in const-oid's database).
pub const DES_CBC: Oid = Oid::new_unwrap("1.3.14.3.2.7");

// ---- key wrap and key agreement (RFC 3565 §2.3.2, RFC 3370 §4.3, RFC 5753 §7.1.4) ----
/// id-aes128-wrap.
pub const AES128_WRAP: Oid = rfc5911::ID_AES_128_WRAP;
/// id-aes192-wrap.
pub const AES192_WRAP: Oid = rfc5911::ID_AES_192_WRAP;
/// id-aes256-wrap.
pub const AES256_WRAP: Oid = rfc5911::ID_AES_256_WRAP;
/// id-alg-CMS3DESwrap.
pub const CMS3DES_WRAP: Oid = rfc5911::ID_ALG_CMS_3_DE_SWRAP;
/// dhSinglePass-stdDH-sha1kdf-scheme.
pub const STD_DH_SHA1: Oid = rfc5753::DH_SINGLE_PASS_STD_DH_SHA_1_KDF_SCHEME;
/// dhSinglePass-stdDH-sha224kdf-scheme.
pub const STD_DH_SHA224: Oid = rfc5753::DH_SINGLE_PASS_STD_DH_SHA_224_KDF_SCHEME;
/// dhSinglePass-stdDH-sha256kdf-scheme.
pub const STD_DH_SHA256: Oid = rfc5753::DH_SINGLE_PASS_STD_DH_SHA_256_KDF_SCHEME;
/// dhSinglePass-stdDH-sha384kdf-scheme.
pub const STD_DH_SHA384: Oid = rfc5753::DH_SINGLE_PASS_STD_DH_SHA_384_KDF_SCHEME;
/// dhSinglePass-stdDH-sha512kdf-scheme.
pub const STD_DH_SHA512: Oid = rfc5753::DH_SINGLE_PASS_STD_DH_SHA_512_KDF_SCHEME;
/// dhSinglePass-cofactorDH-sha1kdf-scheme.
pub const COF_DH_SHA1: Oid = rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_1_KDF_SCHEME;
/// dhSinglePass-cofactorDH-sha224kdf-scheme.
pub const COF_DH_SHA224: Oid = rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_224_KDF_SCHEME;
/// dhSinglePass-cofactorDH-sha256kdf-scheme.
pub const COF_DH_SHA256: Oid = rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_256_KDF_SCHEME;
/// dhSinglePass-cofactorDH-sha384kdf-scheme.
pub const COF_DH_SHA384: Oid = rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_384_KDF_SCHEME;
/// dhSinglePass-cofactorDH-sha512kdf-scheme.
pub const COF_DH_SHA512: Oid = rfc5753::DH_SINGLE_PASS_COFACTOR_DH_SHA_512_KDF_SCHEME;

// ---- PKCS #12 (RFC 7292 §4.2, Appendix C) and PKCS #5 (RFC 8018 Appendix A.4) ----
/// keyBag.
pub const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// pkcs8ShroudedKeyBag.
pub const SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// certBag.
pub const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// safeContentsBag.
pub const SAFE_CONTENTS_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.6");
/// x509Certificate (certTypes, RFC 7292 §4.2.3).
pub const X509_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
/// pkcs-9-at-friendlyName (RFC 2985 §5.5.1).
pub const FRIENDLY_NAME: Oid = rfc2985::PKCS_9_AT_FRIENDLY_NAME;
/// pkcs-9-at-localKeyId (RFC 2985 §5.5.2).
pub const LOCAL_KEY_ID: Oid = rfc2985::PKCS_9_AT_LOCAL_KEY_ID;
/// pbeWithSHAAnd3-KeyTripleDES-CBC.
pub const PBE_SHA_3DES3: Oid = rfc7292::PBE_WITH_SHA_AND_3_KEY_TRIPLE_DES_CBC;
/// pbeWithSHAAnd2-KeyTripleDES-CBC.
pub const PBE_SHA_3DES2: Oid = rfc7292::PBE_WITH_SHA_AND_2_KEY_TRIPLE_DES_CBC;
/// pbeWithSHAAnd128BitRC2-CBC.
pub const PBE_SHA_RC2_128: Oid = rfc7292::PBE_WITH_SHA_AND_128_BIT_RC_2_CBC;
/// pbewithSHAAnd40BitRC2-CBC.
pub const PBE_SHA_RC2_40: Oid = rfc7292::PBEWITH_SHA_AND_40_BIT_RC_2_CBC;
/// id-PBES2 (RFC 8018 Appendix A.4; not in const-oid's database).
pub const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");

// ---- names, certificates and clearances (RFC 5280, RFC 2985, RFC 5755, X.501) ----
/// PKCS #9 emailAddress (RFC 2985 §5.2.1).
pub const EMAIL_ADDRESS: Oid = rfc2985::PKCS_9_AT_EMAIL_ADDRESS;
/// id-ce-subjectDirectoryAttributes (RFC 5280 §4.2.1.8).
pub const ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES: Oid = rfc5280::ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES;
/// id-at-clearance (X.501; RFC 5755 §4.4.6).
pub const ID_AT_CLEARANCE: Oid = Oid::new_unwrap("2.5.4.55");
/// id-at-clearance of RFC 3281 §4.4.6 (the erroneous arc RFC 5755 replaced, still sent).
pub const ID_AT_CLEARANCE_RFC3281: Oid = Oid::new_unwrap("2.5.1.5.55");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_values_are_the_expected_arcs() {
        // The database names are long; pin a few values so a renamed constant is caught.
        for (oid, dotted) in [
            (ID_DATA, "1.2.840.113549.1.7.1"),
            (ID_COMPRESSED_DATA, "1.2.840.113549.1.9.16.1.9"),
            (SECURITY_LABEL, "1.2.840.113549.1.9.16.2.2"),
            (SIGNING_CERTIFICATE_V2, "1.2.840.113549.1.9.16.2.47"),
            (SHA256, "2.16.840.1.101.3.4.2.1"),
            (P256, "1.2.840.10045.3.1.7"),
            (CMS3DES_WRAP, "1.2.840.113549.1.9.16.3.6"),
            (STD_DH_SHA256, "1.3.132.1.11.1"),
            (FRIENDLY_NAME, "1.2.840.113549.1.9.20"),
            (LOCAL_KEY_ID, "1.2.840.113549.1.9.21"),
            (PBE_SHA_RC2_40, "1.2.840.113549.1.12.1.6"),
            (ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES, "2.5.29.9"),
        ] {
            assert_eq!(oid.to_string(), dotted);
        }
    }
}
