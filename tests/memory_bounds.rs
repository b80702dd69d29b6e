//! Memory held while reading hostile input, measured. This test binary's allocator counts
//! the octets each thread holds and the most it held; each test reads one hostile message on
//! its own thread and bounds that peak by a small multiple of the input. Time is bounded
//! elsewhere (the `dos` cases of `cargo bench --bench smime`); here it is the memory a
//! message of many small pieces would make the reader hold if it listed them all.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting per thread.
struct Counting;

thread_local! {
    static HELD: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn grew(n: usize) {
    let _ = HELD.try_with(|h| {
        let v = h.get().saturating_add(n);
        h.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

fn shrank(n: usize) {
    // Memory allocated on another thread and freed here is not this thread's: saturate.
    let _ = HELD.try_with(|h| h.set(h.get().saturating_sub(n)));
}

// SAFETY: every call is passed to `System` unchanged; the counting touches only
// thread-locals without destructors (no allocation, no re-entry).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What `f` returns, and the most this thread held above what it held before, while it ran.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = HELD.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, PEAK.with(Cell::get).saturating_sub(base))
}

const MIB: usize = 1024 * 1024;

/// A message of these header fields and body.
fn message(content_type: &str, body: &[u8]) -> Vec<u8> {
    [
        format!(
            "From: a@army.example\r\nTo: b@navy.example\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
        body,
    ]
    .concat()
}

/// A body of `n` delimiter lines of boundary `b`: `n - 1` empty parts, no close delimiter.
fn delimiters(n: usize) -> Vec<u8> {
    b"--b\r\n".repeat(n)
}

#[test]
fn the_counting_allocator_counts() {
    let (v, peak) = peak_during(|| vec![0u8; 3 * MIB]);
    assert!(peak >= 3 * MIB, "{peak}");
    let (_, peak) = peak_during(|| drop(v));
    assert_eq!(peak, 0);
}

/// A multipart/signed of a million delimiter lines: its two parts are taken, the others never
/// listed (a list of every part held about eight times the body: a slice and a delimiter
/// line's place per five octets).
#[test]
fn a_multipart_signed_of_a_million_delimiters_is_not_listed() {
    let m = message(
        "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=b",
        &delimiters(1_000_000),
    );
    let ctx = mmhs::verify::VerifyContext::default();
    let (r, peak) = peak_during(|| mmhs::verify::verify(&m, &ctx));
    // Two empty parts: no signature to read.
    let r = r.unwrap();
    assert!(!r.valid && !r.problems.is_empty(), "{:?}", r.problems);
    assert!(
        peak < m.len() / 2,
        "verify held {peak} octets for {} in",
        m.len()
    );
}

/// Displayed, a multipart of a million parts is read as far as the part limit.
#[test]
fn a_displayed_multipart_of_a_million_parts_is_read_to_the_limit() {
    let m = message("multipart/mixed; boundary=b", &delimiters(1_000_000));
    let (view, peak) = peak_during(|| {
        mmhs::mime::content::read_content(&m, &Default::default(), &Default::default())
    });
    assert!(view.unwrap().truncated);
    assert!(
        peak < m.len() / 2,
        "read_content held {peak} octets for {} in",
        m.len()
    );
}

/// A Legacy Display Element among a million alternatives: the changed alternative is copied,
/// the others are written back from where they lie (not copied one by one first).
#[test]
fn a_legacy_display_element_among_a_million_alternatives() {
    let element = "--b\r\nContent-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nSubject: x\r\n\r\nHello\r\n";
    let body = [element.as_bytes(), &delimiters(1_000_000), b"--b--\r\n"].concat();
    let entity = [
        b"Content-Type: multipart/alternative; boundary=b\r\n\r\n".as_slice(),
        &body,
    ]
    .concat();
    let (out, peak) = peak_during(|| mmhs::protect::remove_legacy_display(&entity));
    let out = out.unwrap();
    let (_, body) = mmhs::mime::entity::split(&out);
    let mut parts = mmhs::mime::entity::multipart_iter(body, "b").unwrap();
    assert_eq!(
        parts.next(),
        Some(&b"Content-Type: text/plain; hp-legacy-display=\"1\"\r\n\r\nHello"[..])
    );
    assert_eq!(parts.filter(|p| p.is_empty()).count(), 1_000_000);
    // The output itself, and little more.
    assert!(
        peak < out.len() + out.len() / 2,
        "held {peak} octets for an output of {}",
        out.len()
    );
}

/// A header section beyond the reader's limits is refused without being read whole (read
/// whole, a section of one-line fields took about 23 times its octets).
#[test]
fn a_header_section_beyond_the_limits_is_refused_unread() {
    use mmhs::coded::Coded;
    let fields: String = (0..200_000).map(|i| format!("X-F{i}: v\r\n")).collect();
    let m = [fields.as_bytes(), &message("text/plain", b"hi\r\n")].concat();
    let ctx = mmhs::verify::VerifyContext::default();
    let (r, peak) = peak_during(|| mmhs::verify::verify(&m, &ctx));
    assert_eq!(r.unwrap_err().code(), "header-too-many-fields");
    assert!(
        peak < m.len(),
        "verify held {peak} octets for {} in",
        m.len()
    );
}

/// The DER of the CMS content types (RFC 5652 §4–§6): id-data, id-signedData,
/// id-envelopedData.
const ID_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
];
const ID_SIGNED_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
];
const ID_ENVELOPED_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,
];

/// DER: tag, definite length, content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let n = content.len();
    let mut out = vec![tag];
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// CMS of a million two-octet elements where a structure takes a list — SignerInfos, fields
/// after a SignedData's, digest algorithms, certificates, CRLs, the chunks of a constructed
/// eContent, RecipientInfos, attributes: each is read one at a time or refused past its bound
/// (a list of every element held 21–35 times the DER, a list of decoded RecipientInfos more).
#[test]
fn cms_of_a_million_small_elements_is_not_listed() {
    const VERSION_1: &[u8] = &[0x02, 0x01, 0x01];
    let n = 1_000_000;
    let many = |e: &[u8]| e.repeat(n);
    let ci = |oid: &[u8], content: Vec<u8>| tlv(0x30, &[oid, &tlv(0xa0, &content)].concat());
    let eci = tlv(0x30, ID_DATA);
    let sd = |extra: &[u8], signers: &[u8]| {
        tlv(
            0x30,
            &[VERSION_1, &tlv(0x31, &[]), &eci, extra, &tlv(0x31, signers)].concat(),
        )
    };
    // A SignerInfo whose signed attributes are a million empty SEQUENCEs.
    let signer_info = tlv(
        0x30,
        &[
            VERSION_1,
            &tlv(0x80, &[1]),
            &tlv(0x30, &[0x06, 0x03, 0x55, 0x04, 0x03]),
            &tlv(0xa0, &many(b"\x30\x00")),
        ]
        .concat(),
    );
    let chunked = tlv(
        0x30,
        &[
            VERSION_1,
            &tlv(0x31, &[]),
            &tlv(
                0x30,
                &[ID_DATA, &tlv(0xa0, &tlv(0x24, &many(b"\x04\x00")))].concat(),
            ),
            &tlv(0x31, &[]),
        ]
        .concat(),
    );
    let signed = [
        (
            "signerInfos",
            ci(ID_SIGNED_DATA, sd(&[], &many(b"\x30\x00"))),
        ),
        (
            "trailing fields",
            ci(ID_SIGNED_DATA, [sd(&[], &[]), many(b"\x05\x00")].concat()),
        ),
        (
            "certificates",
            ci(ID_SIGNED_DATA, sd(&tlv(0xa0, &many(b"\x30\x00")), &[])),
        ),
        (
            "crls",
            ci(ID_SIGNED_DATA, sd(&tlv(0xa1, &many(b"\x30\x00")), &[])),
        ),
        ("eContent chunks", ci(ID_SIGNED_DATA, chunked)),
        ("signedAttrs", ci(ID_SIGNED_DATA, sd(&[], &signer_info))),
        (
            "digestAlgorithms",
            ci(
                ID_SIGNED_DATA,
                tlv(
                    0x30,
                    &[
                        VERSION_1,
                        &tlv(0x31, &many(b"\x30\x00")),
                        &eci,
                        &tlv(0x31, &[]),
                    ]
                    .concat(),
                ),
            ),
        ),
    ];
    let ctx = mmhs::verify::VerifyContext::default();
    for (name, der) in signed {
        let (v, peak) = peak_during(|| mmhs::verify::verify_cms(&der, None, &ctx));
        assert!(!v.report.valid && !v.report.problems.is_empty(), "{name}");
        // The eContent's octets are gathered into one buffer of at most the element's size.
        assert!(
            peak <= der.len() + 64 * 1024,
            "{name}: held {peak} for {} in",
            der.len()
        );
    }
    // RecipientInfos, in an S/MIME message read by `verify` and `decrypt`.
    let enveloped = ci(
        ID_ENVELOPED_DATA,
        tlv(
            0x30,
            &[
                &[0x02, 0x01, 0x00][..],
                &tlv(0x31, &many(b"\x30\x00")),
                &eci,
            ]
            .concat(),
        ),
    );
    let body = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &enveloped);
    let m = message(
        "application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64",
        body.as_bytes(),
    );
    let (r, peak) = peak_during(|| mmhs::verify::verify(&m, &ctx));
    assert!(!r.unwrap().valid);
    // The DER decoded from the base64 body, and the RecipientInfos read before the bound
    // (`MAX_RECIPIENT_INFOS` of them in `smime::enveloped`, about 6 MB decoded; a million
    // took hundreds of MB).
    assert!(
        peak < enveloped.len() * 2 + 8 * MIB,
        "verify held {peak} for {} of DER",
        enveloped.len()
    );
}

/// Inside a signed attribute's value, a list of a million two-octet elements: a receipt
/// request's receiptList is read to its bound (listed, it held about 21 times the value).
/// (An ESS security label is refused above `MAX_LABEL_BYTES` before it is read.)
#[test]
fn attribute_values_of_a_million_small_elements_are_not_listed() {
    let request = tlv(
        0x30,
        &[
            &tlv(0x04, b"id")[..],
            &tlv(0xa1, &b"\x30\x00".repeat(1_000_000)),
            &tlv(0x30, &tlv(0x30, &tlv(0x81, b"a@army.example"))),
        ]
        .concat(),
    );
    let (t, _) = mmhs::asn1::ber::Tlv::parse(&request).unwrap();
    let (r, peak) = peak_during(|| mmhs::smime::ReceiptRequest::decode(&t));
    assert!(r.is_err());
    assert!(
        peak < request.len() / 2,
        "the request held {peak} for {}",
        request.len()
    );
}

/// A PKCS#12 file whose SafeContents is a million two-octet bags: read one at a time, the
/// first is refused (listed, the bags held about 24 times the file). What remains is the
/// file's two unwrapped copies (the AuthenticatedSafe's octets and the SafeContents').
#[test]
fn a_pkcs12_of_a_million_small_bags_is_not_listed() {
    let data = |content: &[u8]| tlv(0x30, &[ID_DATA, &tlv(0xa0, &tlv(0x04, content))].concat());
    let safe_contents = tlv(0x30, &b"\x30\x00".repeat(1_000_000));
    let auth_safe = tlv(0x30, &data(&safe_contents));
    let pfx = tlv(0x30, &[&[0x02, 0x01, 0x03][..], &data(&auth_safe)].concat());
    let (r, peak) = peak_during(|| mmhs::keys::import_pkcs12(&pfx, ""));
    assert!(r.is_err());
    assert!(peak < 3 * pfx.len(), "import held {peak} for {}", pfx.len());
}

/// A certificate of `n` empty subjectKeyIdentifier extensions (nine octets each), well formed.
fn certificate_of_extensions(n: usize) -> Vec<u8> {
    let alg = tlv(
        0x30,
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
    );
    let time = tlv(0x17, b"250101000000Z");
    let ext = tlv(
        0x30,
        &[&[0x06, 0x03, 0x55, 0x1d, 0x0e][..], &tlv(0x04, &[])].concat(),
    );
    let spki = tlv(
        0x30,
        &[
            &tlv(
                0x30,
                &[
                    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
                    0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
                ],
            )[..],
            &tlv(0x03, &[0x00, 0x04]),
        ]
        .concat(),
    );
    let tbs = tlv(
        0x30,
        &[
            &tlv(0xa0, &[0x02, 0x01, 0x02])[..],
            &[0x02, 0x01, 0x01],
            &alg,
            &tlv(0x30, &[]),
            &tlv(0x30, &[&time[..], &time].concat()),
            &tlv(0x30, &[]),
            &spki,
            &tlv(0xa3, &tlv(0x30, &ext.repeat(n))),
        ]
        .concat(),
    );
    tlv(0x30, &[&tbs[..], &alg, &tlv(0x03, &[0x00, 0x01])].concat())
}

/// A ContentInfo(SignedData) of no signers carrying `cert`.
fn signed_data_carrying(cert: &[u8]) -> Vec<u8> {
    let sd = tlv(
        0x30,
        &[
            &[0x02, 0x01, 0x01][..],
            &tlv(0x31, &[]),
            &tlv(0x30, ID_DATA),
            &tlv(0xa0, cert),
            &tlv(0x31, &[]),
        ]
        .concat(),
    );
    tlv(0x30, &[ID_SIGNED_DATA, &tlv(0xa0, &sd)].concat())
}

/// A SignedData carrying a certificate of half a million extensions (4.5 MB): refused before
/// it is decoded (decoded, it held 78 MB), as is any SignedData whose certificates are more
/// than 4 MiB together.
#[test]
fn a_certificate_of_half_a_million_extensions_is_not_decoded() {
    let cert = certificate_of_extensions(500_000);
    let der = signed_data_carrying(&cert);
    let ctx = mmhs::verify::VerifyContext::default();
    let (v, peak) = peak_during(|| mmhs::verify::verify_cms(&der, None, &ctx));
    assert!(
        v.report.problems.iter().any(|p| p.code == "cms-malformed"),
        "{:?}",
        v.report.problems
    );
    assert!(peak < der.len() / 2, "verify held {peak} for {}", der.len());
}

/// A certificate within the SignedData's 4 MiB of certificates but made of many small
/// elements (400 000 extensions, 3.6 MB; decoded, about 17 times that) is refused before it
/// is decoded, by itself and inside a SignedData.
#[test]
fn a_certificate_of_many_elements_under_the_octet_bound_is_not_decoded() {
    let cert = certificate_of_extensions(400_000);
    assert!(cert.len() < mmhs::smime::signed_parse::MAX_CERTIFICATE_OCTETS);
    let (r, peak) = peak_during(|| mmhs::keys::certificate_from_der(&cert));
    assert_eq!(
        r.err(),
        Some(mmhs::keys::CertificateDecodeError::TooManyElements)
    );
    assert!(
        peak < cert.len() / 2,
        "decoding held {peak} for {}",
        cert.len()
    );
    let der = signed_data_carrying(&cert);
    let ctx = mmhs::verify::VerifyContext::default();
    let (v, peak) = peak_during(|| mmhs::verify::verify_cms(&der, None, &ctx));
    assert!(
        v.report
            .problems
            .iter()
            .any(|p| p.code == "cms-malformed" && p.message.contains("ASN.1 elements")),
        "{:?}",
        v.report.problems
    );
    assert!(peak < der.len() / 2, "verify held {peak} for {}", der.len());
}

/// Header fields within the header reader's limits (a field of about 1 MB) but of many small
/// tokens: an address list of 166 000 addresses or of 333 000 comments, or of 250 000 empty
/// groups, read as a token list, held about 50 times the field (18 times for the comments);
/// an address list is read to `fields::address::MAX_ADDRESS_TOKENS` tokens and names no one
/// past them.
#[test]
fn address_fields_of_many_tokens_are_not_listed() {
    let ctx = mmhs::verify::VerifyContext::default();
    let n = 1_000_000;
    for field in [
        format!("To: {}a@b.c\r\n", "a@b.c,".repeat(n / 6)),
        format!("To: {}\r\n", "g:;,".repeat(n / 4)),
        format!("Cc: {}a@b.c\r\n", "(x)".repeat(n / 3)),
    ] {
        let m = [field.as_bytes(), &message("text/plain", b"hi\r\n")].concat();
        let (r, peak) = peak_during(|| mmhs::verify::verify(&m, &ctx));
        assert!(r.is_ok());
        // A few copies of the field (unfolded values, the report's problems), no token list.
        assert!(peak < 8 * m.len(), "verify held {peak} for {}", m.len());
    }
}

/// Address fields of tens of thousands of nested groups (`g:g:g:…`, within the header
/// reader's limits and the address reader's tokens): each reader of addresses — the
/// verification's signer binding and authorisations, the MMHS view, the content view — refuses
/// them as lists without descending a level per group (the parser's recursion overflowed
/// the thread's stack and aborted the process).
#[test]
fn nested_groups_in_every_address_field_do_not_exhaust_the_stack() {
    let deep = "g:".repeat(30_000);
    let ctx = mmhs::verify::VerifyContext::default();
    for name in [
        "From",
        "Sender",
        "To",
        "Cc",
        "Reply-To",
        "MMHS-Authorizing-Users",
        "Disposition-Notification-To",
    ] {
        let m = [
            format!("{name}: {deep}\r\n").as_bytes(),
            &message("text/plain", b"hi\r\n"),
        ]
        .concat();
        assert!(mmhs::verify::verify(&m, &ctx).is_ok(), "{name}");
        assert!(
            mmhs::fields::inspect::inspect(&m, &Default::default()).is_ok(),
            "{name}"
        );
        assert!(
            mmhs::mime::content::read_content(&m, &Default::default(), &Default::default()).is_ok(),
            "{name}"
        );
    }
}
