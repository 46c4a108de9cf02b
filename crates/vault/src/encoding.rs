//! Small text encodings shared by the modules: lowercase hex, unpadded
//! base64url (through the constant-time `base64ct`) and RFC 4648 base32.
//!
//! Hex and base32 are written here because each is a few lines and the crate
//! then needs no further dependency for them.

use base64ct::{Base64UrlUnpadded, Encoding};

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hexadecimal, two characters per byte.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        out.push(char::from(HEX_DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Unpadded base64url (RFC 4648 section 5): safe in URLs, cookies and
/// dot-separated formats.
pub(crate) fn b64url_encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Inverse of [`b64url_encode`]; `None` on any invalid or padded input.
pub(crate) fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(text).ok()
}

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without `=` padding, as authenticator apps expect.
pub(crate) fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    // Bits waiting to be emitted sit in the low `bits` bits of `acc`.
    let mut acc: u16 = 0;
    let mut bits: u32 = 0;
    for &b in bytes {
        acc = (acc << 8) | u16::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32_ALPHABET[usize::from((acc >> bits) & 0x1f)]));
        }
        // Keep only the bits not yet emitted so the shift above never overflows.
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32_ALPHABET[usize::from((acc << (5 - bits)) & 0x1f)]));
    }
    out
}

/// Decodes base32 as people and apps actually write it: case-insensitive,
/// with optional `=` padding, ignoring spaces and hyphens (secrets are often
/// shown in groups of four). `None` on any other character, or when the
/// leftover bits are not zero (which would mean a truncated or altered secret).
pub(crate) fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut acc: u16 = 0;
    let mut bits: u32 = 0;
    let mut padding_started = false;
    for c in text.chars() {
        if c == ' ' || c == '-' {
            continue;
        }
        if c == '=' {
            padding_started = true;
            continue;
        }
        if padding_started {
            // Data after padding is not base32.
            return None;
        }
        let value = match c.to_ascii_uppercase() {
            u @ 'A'..='Z' => u as u16 - u16::from(b'A'),
            d @ '2'..='7' => d as u16 - u16::from(b'2') + 26,
            _ => return None,
        };
        acc = (acc << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            // Truncation to the low byte is the point: the higher bits were
            // emitted already.
            out.push(((acc >> bits) & 0xff) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A valid encoding leaves fewer than 5 bits, all zero.
    if bits >= 5 || acc != 0 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercase_and_two_digits_per_byte() {
        assert_eq!(hex_lower(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(hex_lower(&[]), "");
    }

    #[test]
    fn base64url_roundtrip_and_rejects_padding() {
        let data = [0xfbu8, 0xff, 0xfe, 0x00, 0x01];
        let text = b64url_encode(&data);
        assert!(!text.contains(['+', '/', '=']));
        assert_eq!(b64url_decode(&text).as_deref(), Some(&data[..]));
        assert_eq!(b64url_decode("AA=="), None);
        assert_eq!(b64url_decode("A*"), None);
    }

    // RFC 4648 section 10 test vectors, without padding.
    const RFC4648: [(&str, &str); 7] = [
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ];

    #[test]
    fn base32_matches_rfc4648_vectors() {
        for (plain, encoded) in RFC4648 {
            assert_eq!(base32_encode(plain.as_bytes()), encoded, "encode {plain:?}");
            assert_eq!(base32_decode(encoded).as_deref(), Some(plain.as_bytes()), "decode {encoded:?}");
        }
    }

    #[test]
    fn base32_decode_is_lenient_about_case_padding_and_grouping() {
        assert_eq!(base32_decode("mzxw6ytboi======").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(base32_decode("MZXW 6YTB-OI").as_deref(), Some(&b"foobar"[..]));
    }

    #[test]
    fn base32_decode_rejects_garbage() {
        assert_eq!(base32_decode("MZXW1"), None, "1 is not in the alphabet");
        assert_eq!(base32_decode("MY=A"), None, "data after padding");
        assert_eq!(base32_decode("MZ"), None, "non-zero leftover bits");
        assert_eq!(base32_decode("M"), None, "a lone character is 5 bits");
    }

    #[test]
    fn base32_roundtrips_all_lengths() {
        let data: Vec<u8> = (0u8..=40).map(|i| i.wrapping_mul(37)).collect();
        for len in 0..data.len() {
            let text = base32_encode(&data[..len]);
            assert_eq!(base32_decode(&text).as_deref(), Some(&data[..len]));
        }
    }
}
