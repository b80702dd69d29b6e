//! `mmhs::asn1::ber::Tlv`: the BER/DER reader under every CMS structure (X.690 §8.1),
//! walked to the leaves with each accessor the CMS code uses (each child as a full parse of
//! its octets reads it; children read one at a time or to a bound are the children listed;
//! a SignedData's digest algorithms read ahead are the full parse's);
//! and the reader of an EnvelopedData's first octets (`Decryption::early_request`,
//! identifier and length octets only where the rest may be missing); an EnvelopedData read
//! after room before it (`Decryption::start_owned_after`) is read as without it; an
//! RSAPublicKey checked for a provider (`algorithm_policy::rsa_public_key_pkcs1`) is
//! accepted and re-encoded exactly as the rsa crate's own decoder accepts and re-encodes it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmhs::asn1::ber::Tlv;
use mmhs::smime::signed_parse;

fn walk(t: &Tlv<'_>) {
    let _ = t.to_der();
    if t.constructed {
        let _ = t.string_octets();
        if let Ok(kids) = t.children() {
            // Read one at a time or to a bound, the same children as listed.
            let one_by_one: Result<Vec<_>, _> = t.children_iter().expect("constructed").collect();
            assert_eq!(one_by_one.as_ref(), Ok(&kids));
            for n in [0, 1, 2, 7] {
                match t.children_at_most(n, "fuzz") {
                    Ok(some) => assert!(kids.len() <= n && some == kids),
                    Err(_) => assert!(kids.len() > n),
                }
                if t.is_universal(16) {
                    let first = t.sequence_first(n, "fuzz").expect("a SEQUENCE");
                    assert_eq!(first.as_slice(), &kids[..n.min(kids.len())]);
                }
            }
            // Each child as a full parse of the same octets reads it.
            let mut rest = t.content;
            for k in &kids {
                let (full, r) = Tlv::parse(rest).expect("a child of a parsed element parses");
                assert_eq!(*k, full);
                rest = r;
                walk(k);
            }
        }
    } else {
        let _ = t.oid("fuzz");
        let _ = t.small_uint("fuzz");
        let _ = t.octet_string("fuzz");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = Tlv::parse_all(data) {
        walk(&t);
        // A SignedData: the digest algorithms read ahead are those of the full parse.
        if let Ok(sd) = signed_parse::parse_signed_data(t) {
            let full: Vec<_> = sd
                .signer_infos
                .iter()
                .map(|si| si.digest_alg.clone())
                .collect();
            let ahead = signed_parse::signer_digest_algorithms(t, usize::MAX)
                .expect("a SignedData that parses has its digest algorithms");
            assert_eq!(ahead, full);
        }
    }
    let _ = mmhs::smime::Decryption::early_request(data, &[]);
    // Room before the ContentInfo changes nothing of what is read.
    let plain = mmhs::smime::Decryption::start_owned(data.to_vec(), &[]).map(|_| ());
    let room = 48;
    let mut after = vec![0u8; room];
    after.extend_from_slice(data);
    let roomy = mmhs::smime::Decryption::start_owned_after(after, room, &[]).map(|_| ());
    assert_eq!(
        plain.map_err(|e| e.to_string()),
        roomy.map_err(|e| e.to_string())
    );
    // The checks of an RSA key a provider computes with are the rsa crate's.
    let checked = mmhs::algorithm_policy::rsa_public_key_pkcs1(data).map(|k| (k.spki, k.size));
    let decoded = {
        use rsa::pkcs1::DecodeRsaPublicKey;
        use rsa::pkcs8::EncodePublicKey;
        use rsa::traits::PublicKeyParts;
        rsa::RsaPublicKey::from_pkcs1_der(data).ok().map(|k| {
            let spki = k.to_public_key_der().expect("a decoded key encodes");
            (spki.as_bytes().to_vec(), k.size())
        })
    };
    assert_eq!(checked, decoded);
});
