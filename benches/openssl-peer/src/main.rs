//! OpenSSL 3 in-process, the native ceiling beside the wasm core and PKI.js
//! (`benches/webcrypto.mjs`) and beside the native core (`cargo bench --bench smime`); they
//! build and run it, it is not a test. It times their S/MIME operations through libcrypto's
//! CMS API on the very inputs they time (the messages, the core's signed and encrypted
//! output, the keys and certificates), as
//! `openssl cms` does them but without a process per call, each twice:
//!
//! - the CMS layer alone, DER in and out and the content as is (`CMS_BINARY`), as PKI.js
//!   works: the signed content and the SignedData given apart, the EnvelopedData's DER;
//! - S/MIME in and out, as our API and `openssl cms` work: `SMIME_read_CMS` (which reads the
//!   entity line by line) and `SMIME_write_CMS`, text canonicalised (RFC 8551 §3.1.1).
//!
//! The operations:
//!
//! - `sign`: `CMS_sign` (signer certificate included, OpenSSL's default signed attributes:
//!   contentType, signingTime, messageDigest, SMIMECapabilities), detached: multipart/signed
//!   (RFC 8551 §3.5.3) or the SignedData's DER out;
//! - `verify`: `CMS_verify` with the root in an `X509_STORE`: the signature, the content's
//!   digest and the RFC 5280 path (S/MIME signing purpose);
//! - `encrypt`: `CMS_encrypt` and `CMS_add1_recipient_cert` with RSA-OAEP SHA-256 (RFC 8017
//!   §7.1, RFC 4055) or ECDH with the SHA-256 X9.63 KDF (RFC 5753 §3.1) and AES-256 key
//!   wrap, AES-256-CBC EnvelopedData or AES-256-GCM AuthEnvelopedData (RFC 5083, RFC 5084),
//!   `CMS_final`: application/pkcs7-mime or the ContentInfo's DER out;
//! - `decrypt`: `CMS_decrypt` with the key and its certificate.
//!
//! Input: a job file, one job per line, tab-separated: `OP KEY INPUT GCM RUNS WARM_MS` (OP one of
//! sign, verify, encrypt, decrypt; KEY a file stem in the job file's directory with
//! `KEY.key` (PEM private key) and `KEY.pem` (certificate); `ca.pem` the root there; INPUT
//! the message (sign, encrypt) or the S/MIME entity (verify, decrypt), which OpenSSL reads
//! once, untimed, for the DER form; GCM 0 or 1). Output: one line per job, the two medians
//! in milliseconds, DER then S/MIME, tab-separated, each of RUNS timed calls after RUNS
//! untimed ones and WARM_MS milliseconds of them at least (as `median()` in webcrypto.mjs);
//! or `failed: REASON`.
//!
//! The calls are C calls into libcrypto (`#[link(name = "crypto")]`, OpenSSL 3's stable ABI);
//! every pointer it returns is checked for null and freed once.

use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr::null_mut;
use std::time::{Duration, Instant};

type P = *mut c_void;

#[link(name = "crypto")]
extern "C" {
    fn BIO_new_mem_buf(buf: *const c_void, len: c_int) -> P;
    fn BIO_new(method: *const c_void) -> P;
    fn BIO_s_mem() -> *const c_void;
    fn BIO_s_null() -> *const c_void;
    fn BIO_free(b: P) -> c_int;
    fn BIO_free_all(b: P);
    fn BIO_ctrl(b: P, cmd: c_int, larg: c_long, parg: *mut c_void) -> c_long;
    fn PEM_read_bio_X509(b: P, x: *mut P, cb: P, u: P) -> P;
    fn PEM_read_bio_PrivateKey(b: P, x: *mut P, cb: P, u: P) -> P;
    fn X509_free(x: P);
    fn EVP_PKEY_free(k: P);
    fn X509_STORE_new() -> P;
    fn X509_STORE_add_cert(s: P, x: P) -> c_int;
    fn X509_STORE_free(s: P);
    fn EVP_aes_256_cbc() -> *const c_void;
    fn EVP_aes_256_gcm() -> *const c_void;
    fn EVP_PKEY_CTX_ctrl_str(ctx: P, name: *const c_char, value: *const c_char) -> c_int;
    fn CMS_sign(cert: P, key: P, certs: P, data: P, flags: c_uint) -> P;
    fn CMS_verify(cms: P, certs: P, store: P, dcont: P, out: P, flags: c_uint) -> c_int;
    fn CMS_encrypt(certs: P, data: P, cipher: *const c_void, flags: c_uint) -> P;
    fn CMS_add1_recipient_cert(cms: P, cert: P, flags: c_uint) -> P;
    fn CMS_RecipientInfo_get0_pkey_ctx(ri: P) -> P;
    fn CMS_final(cms: P, data: P, dcont: P, flags: c_uint) -> c_int;
    fn CMS_decrypt(cms: P, key: P, cert: P, dcont: P, out: P, flags: c_uint) -> c_int;
    fn CMS_ContentInfo_free(cms: P);
    fn SMIME_read_CMS(b: P, bcont: *mut P) -> P;
    fn SMIME_write_CMS(b: P, cms: P, data: P, flags: c_int) -> c_int;
    fn i2d_CMS_ContentInfo(cms: P, out: *mut *mut u8) -> c_int;
    fn d2i_CMS_ContentInfo(cms: *mut P, input: *mut *const u8, len: c_long) -> P;
    fn BIO_read(b: P, data: *mut c_void, len: c_int) -> c_int;
    fn ERR_get_error() -> c_ulong;
    fn ERR_error_string_n(e: c_ulong, buf: *mut c_char, len: usize);
    fn ERR_clear_error();
}

// openssl/cms.h, openssl/bio.h
const CMS_DETACHED: c_uint = 0x40;
const CMS_BINARY: c_uint = 0x80;
const CMS_STREAM: c_uint = 0x1000;
const CMS_PARTIAL: c_uint = 0x4000;
const CMS_KEY_PARAM: c_uint = 0x40000;
const BIO_CTRL_INFO: c_int = 3;

/// libcrypto's first queued error, as text (and the queue cleared).
fn ossl_error(what: &str) -> String {
    // SAFETY: ERR_* read and clear this thread's error queue; the buffer is 256 octets and
    // ERR_error_string_n writes at most `len` including the terminating NUL.
    unsafe {
        let e = ERR_get_error();
        let mut buf = [0 as c_char; 256];
        ERR_error_string_n(e, buf.as_mut_ptr(), buf.len());
        ERR_clear_error();
        format!("{what}: {}", CStr::from_ptr(buf.as_ptr()).to_string_lossy())
    }
}

fn nonnull(p: P, what: &str) -> Result<P, String> {
    if p.is_null() {
        Err(ossl_error(what))
    } else {
        Ok(p)
    }
}

/// A read-only memory BIO over `data` (no copy; `data` outlives it).
struct ReadBio(P);
impl ReadBio {
    fn new(data: &[u8]) -> Result<Self, String> {
        let len = c_int::try_from(data.len()).map_err(|_| "input too large".to_string())?;
        // SAFETY: BIO_new_mem_buf reads `len` octets of `data`, which lives longer than the BIO.
        nonnull(
            unsafe { BIO_new_mem_buf(data.as_ptr().cast(), len) },
            "BIO_new_mem_buf",
        )
        .map(Self)
    }
}
impl Drop for ReadBio {
    fn drop(&mut self) {
        // SAFETY: the BIO was made by BIO_new_mem_buf and is freed once.
        unsafe { BIO_free(self.0) };
    }
}

/// A growing memory BIO (the operation's output) or the null sink.
struct WriteBio(P);
impl WriteBio {
    fn mem() -> Result<Self, String> {
        // SAFETY: a new, empty memory BIO.
        nonnull(unsafe { BIO_new(BIO_s_mem()) }, "BIO_new").map(Self)
    }
    fn null() -> Result<Self, String> {
        // SAFETY: a new null BIO.
        nonnull(unsafe { BIO_new(BIO_s_null()) }, "BIO_new").map(Self)
    }
    /// Octets written (BIO_get_mem_data).
    fn len(&self) -> c_long {
        let mut data: *mut c_void = null_mut();
        // SAFETY: BIO_CTRL_INFO on a memory BIO stores a pointer to its data in `parg`.
        unsafe {
            BIO_ctrl(
                self.0,
                BIO_CTRL_INFO,
                0,
                (&mut data as *mut *mut c_void).cast(),
            )
        }
    }
}
impl Drop for WriteBio {
    fn drop(&mut self) {
        // SAFETY: made by BIO_new, freed once.
        unsafe { BIO_free(self.0) };
    }
}

/// A CMS_ContentInfo, freed once.
struct Cms(P);
impl Drop for Cms {
    fn drop(&mut self) {
        // SAFETY: made by CMS_sign / CMS_encrypt / SMIME_read_CMS, freed once.
        unsafe { CMS_ContentInfo_free(self.0) };
    }
}

/// The detached content `SMIME_read_CMS` hands back (a BIO chain of its own, made from the
/// entity's first part), or null; freed once.
struct ContentBio(P);
impl Drop for ContentBio {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the BIO chain SMIME_read_CMS made, freed once.
            unsafe { BIO_free_all(self.0) };
        }
    }
}

/// An S/MIME entity read by OpenSSL: its ContentInfo and, for multipart/signed, the first
/// part (the signed content).
fn read_smime(input: &[u8]) -> Result<(Cms, ContentBio), String> {
    let bio = ReadBio::new(input)?;
    let mut content: P = null_mut();
    // SAFETY: parses the entity; the parts it keeps are copied into BIOs of their own.
    let cms = Cms(nonnull(
        unsafe { SMIME_read_CMS(bio.0, &mut content) },
        "SMIME_read_CMS",
    )?);
    Ok((cms, ContentBio(content)))
}

/// The key, its certificate and a store holding the root.
struct Material {
    cert: P,
    key: P,
    store: P,
}
impl Drop for Material {
    fn drop(&mut self) {
        // SAFETY: each was made by PEM_read_bio_* / X509_STORE_new and is freed once (the
        // store holds its own reference to the root).
        unsafe {
            X509_free(self.cert);
            EVP_PKEY_free(self.key);
            X509_STORE_free(self.store);
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn pem_cert(path: &Path) -> Result<P, String> {
    let data = read(path)?;
    let bio = ReadBio::new(&data)?;
    // SAFETY: reads one certificate from the BIO; the caller frees it.
    nonnull(
        unsafe { PEM_read_bio_X509(bio.0, null_mut(), null_mut(), null_mut()) },
        "PEM_read_bio_X509",
    )
}

fn material(dir: &Path, stem: &str) -> Result<Material, String> {
    let cert = pem_cert(&dir.join(format!("{stem}.pem")))?;
    let key_pem = read(&dir.join(format!("{stem}.key")))?;
    let bio = ReadBio::new(&key_pem)?;
    // SAFETY: reads one unencrypted private key (no password callback); freed by Material.
    let key = unsafe { PEM_read_bio_PrivateKey(bio.0, null_mut(), null_mut(), null_mut()) };
    // SAFETY: a new store; the root is added (the store takes its own reference).
    let store = unsafe { X509_STORE_new() };
    let m = Material { cert, key, store };
    nonnull(m.key, "PEM_read_bio_PrivateKey")?;
    nonnull(m.store, "X509_STORE_new")?;
    let root = pem_cert(&dir.join("ca.pem"))?;
    // SAFETY: both valid; the store up-references the root, which is then released here.
    let ok = unsafe { X509_STORE_add_cert(m.store, root) };
    // SAFETY: this function's reference to the root, released once.
    unsafe { X509_free(root) };
    if ok != 1 {
        return Err(ossl_error("X509_STORE_add_cert"));
    }
    Ok(m)
}

/// The ContentInfo's DER (`i2d_CMS_ContentInfo`, length first, then into the buffer).
fn to_der(cms: &Cms) -> Result<Vec<u8>, String> {
    // SAFETY: with a null output pointer i2d only measures.
    let len = unsafe { i2d_CMS_ContentInfo(cms.0, null_mut()) };
    let len = usize::try_from(len)
        .ok()
        .filter(|&l| l > 0)
        .ok_or_else(|| ossl_error("i2d_CMS_ContentInfo"))?;
    let mut der = vec![0u8; len];
    let mut p = der.as_mut_ptr();
    // SAFETY: `der` has the `len` octets i2d writes; it advances the local pointer only.
    if unsafe { i2d_CMS_ContentInfo(cms.0, &mut p) } as usize != len {
        return Err(ossl_error("i2d_CMS_ContentInfo"));
    }
    Ok(der)
}

fn from_der(der: &[u8]) -> Result<Cms, String> {
    let mut p = der.as_ptr();
    let len = c_long::try_from(der.len()).map_err(|_| "input too large".to_string())?;
    // SAFETY: d2i reads at most `len` octets of `der`, advancing the local pointer only.
    nonnull(
        unsafe { d2i_CMS_ContentInfo(null_mut(), &mut p, len) },
        "d2i_CMS_ContentInfo",
    )
    .map(Cms)
}

/// DER in and out (the CMS layer alone, content as is): `CMS_sign` detached, binary.
fn sign_der(m: &Material, input: &[u8]) -> Result<(), String> {
    let data = ReadBio::new(input)?;
    // SAFETY: certificate and key are valid; the content is read and signed here.
    let cms = Cms(nonnull(
        unsafe { CMS_sign(m.cert, m.key, null_mut(), data.0, CMS_DETACHED | CMS_BINARY) },
        "CMS_sign",
    )?);
    to_der(&cms).map(drop)
}

/// A multipart/signed entity read once by OpenSSL (`SMIME_read_CMS`): its SignedData's DER
/// and its first part (the signed content), the input of [`verify_der`].
fn split_signed(input: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (cms, content) = read_smime(input)?;
    if content.0.is_null() {
        return Err("not a multipart/signed entity".into());
    }
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        // SAFETY: reads at most `buf.len()` octets into `buf`.
        let n = unsafe { BIO_read(content.0, buf.as_mut_ptr().cast(), buf.len() as c_int) };
        if n <= 0 {
            break;
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
    Ok((to_der(&cms)?, out))
}

/// DER SignedData and its detached content, binary: signature, digest and path.
fn verify_der(m: &Material, der: &[u8], content: &[u8]) -> Result<(), String> {
    let cms = from_der(der)?;
    let data = ReadBio::new(content)?;
    let sink = WriteBio::null()?;
    // SAFETY: all pointers valid or null (no extra certificates); the store holds the root.
    if unsafe { CMS_verify(cms.0, null_mut(), m.store, data.0, sink.0, CMS_BINARY) } != 1 {
        return Err(ossl_error("CMS_verify"));
    }
    Ok(())
}

/// The DER of an application/pkcs7-mime entity's ContentInfo, read once by OpenSSL.
fn enveloped_der(input: &[u8]) -> Result<Vec<u8>, String> {
    to_der(&read_smime(input)?.0)
}

fn decrypt_der(m: &Material, der: &[u8]) -> Result<(), String> {
    let cms = from_der(der)?;
    let out = WriteBio::mem()?;
    // SAFETY: key and certificate valid; the plaintext is written to `out`.
    if unsafe { CMS_decrypt(cms.0, m.key, m.cert, null_mut(), out.0, CMS_BINARY) } != 1
        || out.len() <= 0
    {
        return Err(ossl_error("CMS_decrypt"));
    }
    Ok(())
}

fn sign(m: &Material, input: &[u8]) -> Result<(), String> {
    let flags = CMS_DETACHED | CMS_STREAM;
    let data = ReadBio::new(input)?;
    // SAFETY: certificate and key are valid; with CMS_STREAM the content is read and the
    // signature made by SMIME_write_CMS.
    let cms = Cms(nonnull(
        unsafe { CMS_sign(m.cert, m.key, null_mut(), data.0, flags) },
        "CMS_sign",
    )?);
    let out = WriteBio::mem()?;
    // SAFETY: all pointers valid; writes the multipart/signed entity to `out`.
    if unsafe { SMIME_write_CMS(out.0, cms.0, data.0, flags as c_int) } != 1 || out.len() <= 0 {
        return Err(ossl_error("SMIME_write_CMS"));
    }
    Ok(())
}

fn verify(m: &Material, input: &[u8]) -> Result<(), String> {
    let (cms, content) = read_smime(input)?;
    let sink = WriteBio::null()?;
    // SAFETY: all pointers valid or null (no extra certificates); the store holds the root.
    if unsafe { CMS_verify(cms.0, null_mut(), m.store, content.0, sink.0, 0) } != 1 {
        return Err(ossl_error("CMS_verify"));
    }
    Ok(())
}

/// `smime`: S/MIME out (text canonicalised, as `openssl cms -encrypt`), else binary and DER.
fn encrypt(m: &Material, input: &[u8], gcm: bool, ec: bool, smime: bool) -> Result<(), String> {
    let flags = if smime {
        CMS_PARTIAL
    } else {
        CMS_PARTIAL | CMS_BINARY
    };
    let data = ReadBio::new(input)?;
    // SAFETY: the cipher objects are static.
    let cipher = unsafe {
        if gcm {
            EVP_aes_256_gcm()
        } else {
            EVP_aes_256_cbc()
        }
    };
    let cms = Cms(nonnull(
        // SAFETY: no recipients yet (PARTIAL); the content is read by CMS_final.
        unsafe { CMS_encrypt(null_mut(), data.0, cipher, flags) },
        "CMS_encrypt",
    )?);
    // SAFETY: `cms` and the certificate are valid; the RecipientInfo belongs to `cms`.
    let ri = nonnull(
        unsafe { CMS_add1_recipient_cert(cms.0, m.cert, flags | CMS_KEY_PARAM) },
        "CMS_add1_recipient_cert",
    )?;
    let pctx = nonnull(
        // SAFETY: the RecipientInfo just added; its key context belongs to it.
        unsafe { CMS_RecipientInfo_get0_pkey_ctx(ri) },
        "CMS_RecipientInfo_get0_pkey_ctx",
    )?;
    let params: &[(&str, &str)] = if ec {
        &[("ecdh_kdf_md", "sha256")]
    } else {
        &[
            ("rsa_padding_mode", "oaep"),
            ("rsa_oaep_md", "sha256"),
            ("rsa_mgf1_md", "sha256"),
        ]
    };
    for (k, v) in params {
        let (k, v) = (CString::new(*k).unwrap(), CString::new(*v).unwrap());
        // SAFETY: a valid key context and NUL-terminated strings.
        if unsafe { EVP_PKEY_CTX_ctrl_str(pctx, k.as_ptr(), v.as_ptr()) } <= 0 {
            return Err(ossl_error("EVP_PKEY_CTX_ctrl_str"));
        }
    }
    // SAFETY: encrypts the content read from `data`.
    if unsafe { CMS_final(cms.0, data.0, null_mut(), flags) } != 1 {
        return Err(ossl_error("CMS_final"));
    }
    if !smime {
        return to_der(&cms).map(drop);
    }
    let out = WriteBio::mem()?;
    // SAFETY: writes application/pkcs7-mime to `out`.
    if unsafe { SMIME_write_CMS(out.0, cms.0, null_mut(), flags as c_int) } != 1 || out.len() <= 0 {
        return Err(ossl_error("SMIME_write_CMS"));
    }
    Ok(())
}

fn decrypt(m: &Material, input: &[u8]) -> Result<(), String> {
    let (cms, _) = read_smime(input)?;
    let out = WriteBio::mem()?;
    // SAFETY: key and certificate valid; the plaintext is written to `out`.
    if unsafe { CMS_decrypt(cms.0, m.key, m.cert, null_mut(), out.0, 0) } != 1 || out.len() <= 0 {
        return Err(ossl_error("CMS_decrypt"));
    }
    Ok(())
}

/// The median of `runs` timed calls after untimed ones (`runs` of them, and for `warm` at
/// least), in milliseconds.
fn median(
    runs: usize,
    warm: Duration,
    mut f: impl FnMut() -> Result<(), String>,
) -> Result<f64, String> {
    let from = Instant::now();
    let mut i = 0;
    while i < runs || from.elapsed() < warm {
        f()?;
        i += 1;
    }
    let mut t = Vec::with_capacity(runs);
    for _ in 0..runs {
        let s = Instant::now();
        f()?;
        t.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

/// The job's medians: the CMS layer with DER in and out, and S/MIME in and out.
fn job(dir: &Path, line: &str) -> Result<(f64, f64), String> {
    let f: Vec<&str> = line.split('\t').collect();
    let [op, stem, input, gcm, runs, warm] = f[..] else {
        return Err(format!("bad job line {line:?}"));
    };
    let runs = runs
        .parse::<usize>()
        .map_err(|_| format!("bad run count {runs:?}"))?
        .max(1);
    let warm = Duration::from_millis(
        warm.parse()
            .map_err(|_| format!("bad warm-up time {warm:?}"))?,
    );
    let m = material(dir, stem)?;
    let input = read(&PathBuf::from(input))?;
    let ec = stem.starts_with("p256");
    let gcm = gcm == "1";
    match op {
        "sign" => Ok((
            median(runs, warm, || sign_der(&m, &input))?,
            median(runs, warm, || sign(&m, &input))?,
        )),
        "verify" => {
            let (der, content) = split_signed(&input)?;
            Ok((
                median(runs, warm, || verify_der(&m, &der, &content))?,
                median(runs, warm, || verify(&m, &input))?,
            ))
        }
        "encrypt" => Ok((
            median(runs, warm, || encrypt(&m, &input, gcm, ec, false))?,
            median(runs, warm, || encrypt(&m, &input, gcm, ec, true))?,
        )),
        "decrypt" => {
            let der = enveloped_der(&input)?;
            Ok((
                median(runs, warm, || decrypt_der(&m, &der))?,
                median(runs, warm, || decrypt(&m, &input))?,
            ))
        }
        _ => Err(format!("unknown operation {op:?}")),
    }
}

fn main() {
    let Some(jobs) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: mmhs-openssl-peer JOBS.tsv");
        std::process::exit(2);
    };
    let dir = jobs.parent().unwrap_or(Path::new(".")).to_path_buf();
    let text = match std::fs::read_to_string(&jobs) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", jobs.display());
            std::process::exit(2);
        }
    };
    for line in text.lines().filter(|l| !l.is_empty()) {
        match job(&dir, line) {
            Ok((der, smime)) => println!("{der:.4}\t{smime:.4}"),
            Err(e) => println!("failed: {}", e.replace('\n', " ")),
        }
    }
}
