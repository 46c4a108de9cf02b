//! Field and attachment encryption with XChaCha20-Poly1305.
//!
//! XChaCha20-Poly1305 is chosen for its 192-bit nonce: nonces can be drawn at
//! random for every value with no realistic risk of a repeat under one key,
//! so no nonce counter has to be kept consistent across processes and
//! database restores.
//!
//! # Text form (for TEXT columns): [`KeyRing::seal`] / [`KeyRing::open`]
//!
//! ```text
//! v1.<key id>.<payload>
//! ```
//!
//! - `v1` is the format version.
//! - `<key id>` is the data key's id in decimal, without sign or leading zeros.
//! - `<payload>` is unpadded base64url (RFC 4648 section 5) of
//!   `nonce (24 bytes) || ciphertext || tag (16 bytes)`.
//!
//! The result is ASCII, contains no quote, comma or whitespace, and for a
//! plaintext of `len` bytes is `ceil((len + 40) * 4 / 3)` characters of
//! payload after a header of 5 to 14 characters.
//!
//! # Binary form (for attachments): [`KeyRing::seal_bytes`] / [`KeyRing::open_bytes`]
//!
//! ```text
//! "DBV1" (4 bytes) || key id (u32, big-endian) || nonce (24) || ciphertext || tag (16)
//! ```
//!
//! # Associated data
//!
//! The caller's `aad` names what the value is, for example `b"person:name"`
//! or `b"attachment:1234"`. It is not stored, and opening with a different
//! `aad` fails, so a sealed value copied into another column (or another
//! row, if the row id is part of `aad`) is rejected instead of being shown
//! as that other field.
//!
//! The AEAD's associated data is the header followed by the caller's `aad`:
//! `"v1.<key id>."` for text and the 8 header bytes for binary. Each header
//! has a self-delimiting length (text: it ends at its second `.`, and key ids
//! have no `.`; binary: fixed length), so the concatenation is unambiguous.
//! Binding the header means its version and key id cannot be altered without
//! detection, and a text value cannot be replayed as a binary one or back.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use zeroize::Zeroize;

use crate::VaultError;
use crate::encoding::{b64url_decode, b64url_encode};
use crate::keys::{KeyMaterial, KeyRing, parse_id};
use crate::token::fill_random;

/// Version tag of the text form.
const TEXT_VERSION: &str = "v1";
/// Magic and version of the binary form.
const BINARY_MAGIC: &[u8; 4] = b"DBV1";
/// Length of the binary header: magic and key id.
const BINARY_HEADER_LEN: usize = 8;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

impl KeyRing {
    /// Encrypts `plaintext` under the active key into the text form
    /// `v1.<key id>.<payload>` (see the [module documentation](self)).
    ///
    /// # Panics
    ///
    /// If the OS random generator fails (see [`crate::token::fill_random`]),
    /// or if `plaintext` exceeds XChaCha20-Poly1305's limit of 256 GiB.
    #[must_use]
    pub fn seal(&self, plaintext: &str, aad: &[u8]) -> String {
        let (key_id, key) = self.active_key();
        let header = text_header(key_id);
        let payload = encrypt(key, header.as_bytes(), aad, plaintext.as_bytes());
        let mut out = header;
        out.push_str(&b64url_encode(&payload));
        out
    }

    /// Decrypts a value made by [`KeyRing::seal`] with any key of this ring,
    /// chosen by the key id in the value.
    ///
    /// # Errors
    ///
    /// [`VaultError::MalformedSealed`] if the text is not in the sealed
    /// format, [`VaultError::UnknownKeyId`] if its key is not in the ring,
    /// [`VaultError::DecryptionFailed`] if it was altered or `aad` differs
    /// from the one used to seal, [`VaultError::NotUtf8`] if it holds bytes
    /// that are not text.
    pub fn open(&self, sealed: &str, aad: &[u8]) -> Result<String, VaultError> {
        let (key_id, payload) = split_text(sealed)?;
        let key = self.data_key(key_id).ok_or(VaultError::UnknownKeyId { key_id })?;
        let payload = b64url_decode(payload)
            .ok_or(VaultError::MalformedSealed { reason: "payload is not unpadded base64url" })?;
        let plaintext = decrypt(key, text_header(key_id).as_bytes(), aad, &payload)?;
        String::from_utf8(plaintext).map_err(|err| {
            // Not returned to the caller, so wipe it here.
            err.into_bytes().zeroize();
            VaultError::NotUtf8
        })
    }

    /// Encrypts bytes (an attachment) under the active key into the binary
    /// form (see the [module documentation](self)).
    ///
    /// # Panics
    ///
    /// As for [`KeyRing::seal`].
    #[must_use]
    pub fn seal_bytes(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let (key_id, key) = self.active_key();
        let header = binary_header(key_id);
        let payload = encrypt(key, &header, aad, plaintext);
        let mut out = Vec::with_capacity(BINARY_HEADER_LEN + payload.len());
        out.extend_from_slice(&header);
        out.extend_from_slice(&payload);
        out
    }

    /// Decrypts a value made by [`KeyRing::seal_bytes`].
    ///
    /// # Errors
    ///
    /// As for [`KeyRing::open`], except that any bytes are accepted as
    /// plaintext.
    pub fn open_bytes(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, VaultError> {
        let key_id = Self::sealed_bytes_key_id(sealed)?;
        let key = self.data_key(key_id).ok_or(VaultError::UnknownKeyId { key_id })?;
        let (header, payload) = sealed.split_at(BINARY_HEADER_LEN);
        decrypt(key, header, aad, payload)
    }

    /// Whether a text-form value was sealed under a key other than the
    /// active one and should be re-sealed ([`KeyRing::reseal`]).
    ///
    /// Returns `false` for a value that is not in the sealed format: such a
    /// value cannot be re-sealed, and [`KeyRing::open`] reports what is wrong
    /// with it.
    #[must_use]
    pub fn needs_rotation(&self, sealed: &str) -> bool {
        Self::sealed_key_id(sealed).is_ok_and(|id| id != self.active_key_id())
    }

    /// [`KeyRing::needs_rotation`] for the binary form.
    #[must_use]
    pub fn needs_rotation_bytes(&self, sealed: &[u8]) -> bool {
        Self::sealed_bytes_key_id(sealed).is_ok_and(|id| id != self.active_key_id())
    }

    /// Opens a text-form value and seals it again under the active key, with
    /// the same `aad`. The rotation job calls this for every value for which
    /// [`KeyRing::needs_rotation`] is true.
    ///
    /// # Errors
    ///
    /// As for [`KeyRing::open`].
    pub fn reseal(&self, sealed: &str, aad: &[u8]) -> Result<String, VaultError> {
        let mut plaintext = self.open(sealed, aad)?;
        let resealed = self.seal(&plaintext, aad);
        plaintext.zeroize();
        Ok(resealed)
    }

    /// The key id recorded in a text-form value, without decrypting it (for
    /// example to count values per key before retiring one).
    ///
    /// # Errors
    ///
    /// [`VaultError::MalformedSealed`] if the header is not in the sealed
    /// format. The payload is not checked.
    pub fn sealed_key_id(sealed: &str) -> Result<u32, VaultError> {
        split_text(sealed).map(|(key_id, _)| key_id)
    }

    /// The key id recorded in a binary-form value.
    ///
    /// # Errors
    ///
    /// [`VaultError::MalformedSealed`] if the value is too short to be sealed
    /// or does not start with the binary magic.
    pub fn sealed_bytes_key_id(sealed: &[u8]) -> Result<u32, VaultError> {
        if sealed.len() < BINARY_HEADER_LEN + NONCE_LEN + TAG_LEN {
            return Err(VaultError::MalformedSealed { reason: "too short to be a sealed value" });
        }
        let (magic, rest) = sealed.split_at(BINARY_MAGIC.len());
        if magic != BINARY_MAGIC {
            return Err(VaultError::MalformedSealed { reason: "does not start with the DBV1 header" });
        }
        let mut id = [0u8; 4];
        id.copy_from_slice(&rest[..4]);
        Ok(u32::from_be_bytes(id))
    }
}

fn text_header(key_id: u32) -> String {
    format!("{TEXT_VERSION}.{key_id}.")
}

fn binary_header(key_id: u32) -> [u8; BINARY_HEADER_LEN] {
    let mut header = [0u8; BINARY_HEADER_LEN];
    header[..4].copy_from_slice(BINARY_MAGIC);
    header[4..].copy_from_slice(&key_id.to_be_bytes());
    header
}

/// Splits `v1.<id>.<payload>` into the key id and the still-encoded payload.
fn split_text(sealed: &str) -> Result<(u32, &str), VaultError> {
    let malformed = |reason| VaultError::MalformedSealed { reason };
    let mut parts = sealed.splitn(3, '.');
    let (Some(version), Some(id), Some(payload)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed("expected v1.<key id>.<payload>"));
    };
    if version != TEXT_VERSION {
        return Err(malformed("unsupported version (expected v1)"));
    }
    let key_id = parse_id(id).ok_or_else(|| malformed("key id is not a canonical decimal number"))?;
    Ok((key_id, payload))
}

/// `nonce || ciphertext || tag` of `plaintext` under `key`, with associated
/// data `header || aad`.
fn encrypt(key: &KeyMaterial, header: &[u8], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(<&Key>::from(key.expose()));
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce);
    let full_aad = [header, aad].concat();
    let sealed = cipher.encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: &full_aad });
    // The only failure is a plaintext over 2^32 ChaCha blocks (256 GiB);
    // fields and attachments are orders of magnitude smaller, and a caller
    // holding such a buffer has a bug that returning an error would not fix.
    let Ok(ciphertext) = sealed else {
        panic!("plaintext is larger than XChaCha20-Poly1305 can encrypt (256 GiB)");
    };
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

/// Inverse of [`encrypt`].
fn decrypt(key: &KeyMaterial, header: &[u8], aad: &[u8], payload: &[u8]) -> Result<Vec<u8>, VaultError> {
    if payload.len() < NONCE_LEN + TAG_LEN {
        return Err(VaultError::MalformedSealed { reason: "too short to be a sealed value" });
    }
    let (nonce, ciphertext) = payload.split_at(NONCE_LEN);
    let mut nonce_bytes = [0u8; NONCE_LEN];
    nonce_bytes.copy_from_slice(nonce);
    let cipher = XChaCha20Poly1305::new(<&Key>::from(key.expose()));
    let full_aad = [header, aad].concat();
    cipher
        .decrypt(&XNonce::from(nonce_bytes), Payload { msg: ciphertext, aad: &full_aad })
        .map_err(|_| VaultError::DecryptionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AAD: &[u8] = b"person:name";

    #[test]
    fn seal_open_roundtrip_with_vietnamese_text() {
        let ring = KeyRing::generate();
        for plaintext in ["Nguyễn Văn A", "", "079 123 456 789", &"x".repeat(10_000)] {
            let sealed = ring.seal(plaintext, AAD);
            assert!(sealed.starts_with("v1.1."), "{sealed}");
            assert!(sealed.is_ascii());
            assert!(!sealed.contains(['\'', '"', ',', ' ', '+', '/', '=']));
            assert_eq!(ring.open(&sealed, AAD).unwrap(), plaintext);
        }
    }

    #[test]
    fn sealed_length_matches_documented_formula() {
        let ring = KeyRing::generate();
        for len in [0usize, 1, 2, 3, 100] {
            let sealed = ring.seal(&"a".repeat(len), AAD);
            let payload_chars = ((len + 40) * 4).div_ceil(3);
            assert_eq!(sealed.len(), "v1.1.".len() + payload_chars);
        }
    }

    #[test]
    fn sealing_twice_gives_different_texts() {
        let ring = KeyRing::generate();
        assert_ne!(ring.seal("same", AAD), ring.seal("same", AAD));
    }

    #[test]
    fn wrong_associated_data_is_rejected() {
        let ring = KeyRing::generate();
        let sealed = ring.seal("Nguyễn Văn A", b"person:name");
        assert!(matches!(ring.open(&sealed, b"person:alias"), Err(VaultError::DecryptionFailed)));
        assert!(matches!(ring.open(&sealed, b""), Err(VaultError::DecryptionFailed)));
    }

    #[test]
    fn any_altered_payload_character_is_rejected() {
        let ring = KeyRing::generate();
        let sealed = ring.seal("secret", AAD);
        let start = "v1.1.".len();
        for i in start..sealed.len() {
            let mut chars: Vec<char> = sealed.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            match ring.open(&altered, AAD) {
                Err(VaultError::DecryptionFailed | VaultError::MalformedSealed { .. }) => {}
                other => panic!("position {i}: {other:?}"),
            }
        }
    }

    #[test]
    fn key_id_in_header_is_authenticated() {
        // Two keys in the ring: relabelling a value to the other key's id
        // must fail authentication, not decrypt to garbage.
        let ring = KeyRing::generate().rotate();
        let sealed = ring.seal("secret", AAD);
        assert!(sealed.starts_with("v1.2."));
        let relabelled = sealed.replacen("v1.2.", "v1.1.", 1);
        assert!(matches!(ring.open(&relabelled, AAD), Err(VaultError::DecryptionFailed)));
    }

    #[test]
    fn another_ring_with_the_same_key_id_cannot_open() {
        let sealed = KeyRing::generate().seal("secret", AAD);
        assert!(matches!(KeyRing::generate().open(&sealed, AAD), Err(VaultError::DecryptionFailed)));
    }

    #[test]
    fn malformed_values_are_reported_as_such() {
        let ring = KeyRing::generate();
        let good = ring.seal("x", AAD);
        let payload = &good["v1.1.".len()..];
        let cases = [
            String::new(),
            "v1".to_owned(),
            "v1.1".to_owned(),
            format!("v2.1.{payload}"),
            format!("v1.01.{payload}"),
            format!("v1.-1.{payload}"),
            format!("v1..{payload}"),
            "v1.1.!!!!".to_owned(),
            format!("v1.1.{payload}="),
            "v1.1.AAAA".to_owned(),
            "plain text that was never sealed".to_owned(),
        ];
        for case in cases {
            match ring.open(&case, AAD) {
                Err(VaultError::MalformedSealed { .. }) => {}
                other => panic!("{case:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_key_id_is_reported() {
        let ring = KeyRing::generate();
        let sealed = ring.rotate().seal("x", AAD);
        assert!(matches!(ring.open(&sealed, AAD), Err(VaultError::UnknownKeyId { key_id: 2 })));
    }

    #[test]
    fn rotation_keeps_old_values_readable_and_reseal_moves_them() {
        let old_ring = KeyRing::generate();
        let old_value = old_ring.seal("Trần Thị B", AAD);
        let ring = old_ring.rotate();
        assert!(ring.needs_rotation(&old_value));
        assert!(!old_ring.needs_rotation(&old_value));
        assert_eq!(ring.open(&old_value, AAD).unwrap(), "Trần Thị B");

        let new_value = ring.reseal(&old_value, AAD).unwrap();
        assert_eq!(KeyRing::sealed_key_id(&new_value).unwrap(), 2);
        assert!(!ring.needs_rotation(&new_value));
        assert!(!ring.needs_rotation("not sealed"));

        let retired = ring.retire(1).unwrap();
        assert_eq!(retired.open(&new_value, AAD).unwrap(), "Trần Thị B");
        assert!(matches!(retired.open(&old_value, AAD), Err(VaultError::UnknownKeyId { key_id: 1 })));
    }

    #[test]
    fn non_utf8_plaintext_is_reported() {
        let ring = KeyRing::generate();
        let (id, key) = ring.active_key();
        let header = text_header(id);
        let payload = encrypt(key, header.as_bytes(), AAD, &[0xff, 0xfe]);
        let sealed = format!("{header}{}", b64url_encode(&payload));
        assert!(matches!(ring.open(&sealed, AAD), Err(VaultError::NotUtf8)));
    }

    #[test]
    fn bytes_roundtrip_and_header() {
        let ring = KeyRing::generate().rotate();
        let data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let sealed = ring.seal_bytes(&data, b"attachment:42");
        assert_eq!(&sealed[..4], b"DBV1");
        assert_eq!(&sealed[4..8], &2u32.to_be_bytes());
        assert_eq!(sealed.len(), 8 + 24 + data.len() + 16);
        assert_eq!(ring.open_bytes(&sealed, b"attachment:42").unwrap(), data);
        assert!(matches!(ring.open_bytes(&sealed, b"attachment:43"), Err(VaultError::DecryptionFailed)));
        assert!(!ring.needs_rotation_bytes(&sealed));
        assert!(ring.rotate().needs_rotation_bytes(&sealed));
        assert_eq!(ring.open_bytes(&ring.seal_bytes(b"", b""), b"").unwrap(), b"");
    }

    #[test]
    fn bytes_tampering_and_malformed_input_are_rejected() {
        let ring = KeyRing::generate();
        let sealed = ring.seal_bytes(b"scan.pdf contents", b"a");
        for i in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[i] ^= 0x01;
            assert!(ring.open_bytes(&altered, b"a").is_err(), "byte {i}");
        }
        assert!(matches!(ring.open_bytes(&sealed[..30], b"a"), Err(VaultError::MalformedSealed { .. })));
        let mut wrong_magic = sealed.clone();
        wrong_magic[0] = b'X';
        assert!(matches!(ring.open_bytes(&wrong_magic, b"a"), Err(VaultError::MalformedSealed { .. })));
    }

    #[test]
    fn text_and_binary_forms_cannot_be_swapped() {
        // Same key, same nonce and ciphertext bytes, but the header differs,
        // so the associated data differs and authentication fails.
        let ring = KeyRing::generate();
        let text = ring.seal("abc", AAD);
        let payload = b64url_decode(&text["v1.1.".len()..]).unwrap();
        let mut as_binary = binary_header(1).to_vec();
        as_binary.extend_from_slice(&payload);
        assert!(matches!(ring.open_bytes(&as_binary, AAD), Err(VaultError::DecryptionFailed)));
    }
}
