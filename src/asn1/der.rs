//! The crate's one DER writer (X.690 §10): identifier and definite-length octets, primitive
//! and constructed elements, SET OF in DER order, unsigned INTEGERs.
//!
//! Structures whose exact octets matter (SignedData, SignerInfo, signed attributes, ESS
//! attributes, PKCS#12) are assembled from these pieces so that what is signed or MACed is
//! exactly what is sent; leaf values (certificates, AlgorithmIdentifiers, times) are encoded
//! with `der` / `x509-cert` and spliced in. Reading is [`super::ber`]'s.

/// Write identifier and definite length octets.
pub fn write_header(out: &mut Vec<u8>, class: u8, constructed: bool, number: u32, len: usize) {
    let c = if constructed { 0x20 } else { 0 };
    if number < 0x1F {
        // number < 31 fits in the low five bits.
        out.push(class | c | (number as u8));
    } else {
        out.push(class | c | 0x1F);
        let mut groups = Vec::new();
        let mut n = number;
        loop {
            groups.push((n & 0x7F) as u8);
            n >>= 7;
            if n == 0 {
                break;
            }
        }
        for (i, g) in groups.iter().enumerate().rev() {
            out.push(if i == 0 { *g } else { g | 0x80 });
        }
    }
    write_len(out, len);
}

/// Write definite length octets (X.690 §8.1.3, DER minimal form).
pub fn write_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encode a constructed element `[tag byte][len][children…]` (tag byte given whole).
pub fn constructed(tag: u8, children: &[&[u8]]) -> Vec<u8> {
    let len: usize = children.iter().map(|c| c.len()).sum();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    write_len(&mut out, len);
    for c in children {
        out.extend_from_slice(c);
    }
    out
}

/// Encode a primitive element with a whole tag byte.
pub fn primitive(tag: u8, content: &[u8]) -> Vec<u8> {
    constructed(tag, &[content])
}

/// Encode a DER SET OF: elements sorted by their encodings (X.690 §11.6).
pub fn der_set_of(mut elements: Vec<Vec<u8>>) -> Vec<u8> {
    elements.sort();
    let refs: Vec<&[u8]> = elements.iter().map(|e| e.as_slice()).collect();
    constructed(0x31, &refs)
}

/// Encode a non-negative INTEGER from its big-endian magnitude (X.690 §8.3): leading zero
/// octets dropped (one kept for zero), a zero octet prepended when the high bit is set.
pub fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let first = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len().saturating_sub(1));
    let digits = magnitude.get(first..).unwrap_or_default();
    let mut body = Vec::with_capacity(digits.len() + 1);
    if digits.first().is_none_or(|b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(digits);
    primitive(0x02, &body)
}

/// Encode a BMPString (X.680 §41: UCS-2, big-endian), as PKCS#12 friendlyName uses.
pub fn bmp_string(s: &str) -> Vec<u8> {
    let b: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    primitive(0x1e, &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers() {
        assert_eq!(unsigned_integer(&3u32.to_be_bytes()), vec![2, 1, 3]);
        assert_eq!(unsigned_integer(&0u32.to_be_bytes()), vec![2, 1, 0]);
        assert_eq!(unsigned_integer(&[]), vec![2, 1, 0]);
        assert_eq!(unsigned_integer(&128u32.to_be_bytes()), vec![2, 2, 0, 128]);
        assert_eq!(
            unsigned_integer(&10_000u32.to_be_bytes()),
            vec![2, 2, 0x27, 0x10]
        );
        assert_eq!(primitive(4, &[0u8; 200])[..3], [4, 0x81, 200]);
        assert_eq!(primitive(4, &[0u8; 300])[..4], [4, 0x82, 1, 44]);
        assert_eq!(bmp_string("a\u{e9}"), vec![0x1e, 4, 0, b'a', 0, 0xe9]);
    }

    #[test]
    fn set_of_is_sorted_and_high_tags_encode() {
        assert_eq!(
            der_set_of(vec![vec![0x02, 0x01, 0x05], vec![0x02, 0x01, 0x01]]),
            vec![0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x05]
        );
        let mut out = Vec::new();
        write_header(&mut out, 0x80, true, 200, 0);
        assert_eq!(out, vec![0xbf, 0x81, 0x48, 0x00]);
    }
}
