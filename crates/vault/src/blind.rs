//! Blind indexes: exact-match search over encrypted fields.
//!
//! A sealed field cannot be searched, since the same plaintext seals to a
//! different text every time. Next to it the store keeps a *blind index*: a
//! keyed hash of the normalised plaintext. Searching for "ID number
//! 079123456789" computes the same keyed hash and looks it up with `=`.
//! Without the key, the index reveals nothing usable: it cannot be
//! recomputed from a guessed ID number, unlike a plain hash.
//!
//! # Which key (design decision)
//!
//! Blind indexes are computed from the ring's **index key**, a separate
//! 256-bit key stored on its own `diaban-index` line of the key file, not from
//! the active data key. Data-key rotation ([`KeyRing::rotate`]) keeps the
//! index key, so rotating data keys never forces recomputing every index, and
//! search keeps working during a rotation. The index key changes only through
//! the explicit [`KeyRing::rotate_index_key`], after which the caller must
//! recompute all indexes (from plaintexts opened with the data keys); the
//! alternative of deriving the index key from a data key would have coupled
//! the two and made every rotation a re-index.
//!
//! # Construction
//!
//! For a domain `d` (a short ASCII label such as [`DOMAIN_IDNUM`]):
//!
//! 1. `blind_key_d = HKDF-SHA256(salt = none, IKM = index key,
//!    info = "diaban-vault/blind-index/v1/" || d, L = 64 bytes)`.
//!    One key per domain, so equal strings in two domains (a name that
//!    happens to equal an ID number) never share an index value. 64 bytes is
//!    HMAC-SHA256's block size, so the key is used as is.
//! 2. `index = HMAC-SHA256(blind_key_d, UTF-8 bytes of the normalised value)`,
//!    truncated to the first 16 bytes and written as 32 lowercase hex digits.
//!
//! 128 bits make accidental collisions negligible for any realistic number
//! of records, while keeping the column short. Blind indexes do reveal which
//! rows share a value (that is their purpose), so index only fields where
//! that is acceptable, and only with the normalisation the search needs.
//!
//! # Normalisation
//!
//! The index matches exact byte strings, so the caller must normalise the
//! same way when storing and when searching. [`normalize_name`] handles
//! Unicode forms, case and spacing; [`fold_diacritics`] also removes
//! Vietnamese tone and vowel marks, so that "Nguyễn Văn A", "NGUYỄN VĂN A" and
//! "NGUYEN VAN A" match. The name + birth-year index
//! ([`KeyRing::blind_name_birthyear`]) uses the folded form because names are
//! often recorded without diacritics (old systems, typing on phones).
//! Folding also merges the old and new tone placements ("Hoà" / "Hòa").

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use zeroize::Zeroizing;

use crate::encoding::hex_lower;
use crate::keys::KeyRing;

/// Domain of the national ID number index (CCCD / CMND / passport number).
pub const DOMAIN_IDNUM: &str = "idnum";
/// Domain of the folded name + birth year index.
pub const DOMAIN_NAME_BIRTHYEAR: &str = "name_birthyear";
/// Bytes kept from the HMAC output (rendered as twice as many hex digits).
pub const BLIND_INDEX_BYTES: usize = 16;

/// Fixed prefix of the HKDF `info`; the domain follows it.
const HKDF_LABEL: &[u8] = b"diaban-vault/blind-index/v1/";
/// HMAC-SHA256's block size, the natural length of an HMAC key.
const BLIND_KEY_LEN: usize = 64;

type HmacSha256 = Hmac<Sha256>;

impl KeyRing {
    /// The blind index of an already-normalised value in `domain`: 32
    /// lowercase hex digits. See the [module documentation](self) for the
    /// construction. Deterministic for a given index key, domain and value.
    ///
    /// # Panics
    ///
    /// Never: the one `expect` inside guards a length that is a constant
    /// within HKDF's limit.
    #[must_use]
    pub fn blind_index(&self, domain: &str, normalized: &str) -> String {
        let mut blind_key = Zeroizing::new([0u8; BLIND_KEY_LEN]);
        Hkdf::<Sha256>::new(None, self.index_key().expose())
            .expand_multi_info(&[HKDF_LABEL, domain.as_bytes()], &mut blind_key[..])
            // HKDF-SHA256 can expand up to 255 * 32 bytes; 64 is always fine.
            .expect("64 bytes is within HKDF-SHA256's output limit");
        // A key of exactly the block size is HMAC's native key type, so this
        // constructor cannot fail.
        let mut mac = HmacSha256::new((&*blind_key).into());
        mac.update(normalized.as_bytes());
        let tag = mac.finalize().into_bytes();
        hex_lower(&tag[..BLIND_INDEX_BYTES])
    }

    /// Blind index of an ID number in [`DOMAIN_IDNUM`], after
    /// [`normalize_idnum`].
    #[must_use]
    pub fn blind_idnum(&self, idnum: &str) -> String {
        self.blind_index(DOMAIN_IDNUM, &normalize_idnum(idnum))
    }

    /// Blind index of a full name and birth year in
    /// [`DOMAIN_NAME_BIRTHYEAR`], computed over [`name_birthyear_key`] (the
    /// folded name).
    #[must_use]
    pub fn blind_name_birthyear(&self, full_name: &str, birth_year: u16) -> String {
        self.blind_index(DOMAIN_NAME_BIRTHYEAR, &name_birthyear_key(full_name, birth_year))
    }
}

/// Canonical form of a personal name for comparison: Unicode NFC, leading
/// and trailing whitespace removed, inner runs of whitespace (any Unicode
/// white space, including non-breaking spaces and tabs) replaced by one ASCII
/// space, lowercase. Diacritics are kept; see [`fold_diacritics`].
///
/// NFC comes first because the same Vietnamese name may arrive composed
/// (`ễ` as one code point, usual from keyboards) or decomposed (`e` plus two
/// combining marks, from some input methods and macOS file names).
#[must_use]
pub fn normalize_name(name: &str) -> String {
    let composed: String = name.nfc().collect();
    let spaced = composed.split_whitespace().collect::<Vec<_>>().join(" ");
    // Lowercasing can yield decomposed sequences for a few letters (Turkish
    // dotted I, for example), so compose again.
    spaced.to_lowercase().nfc().collect()
}

/// Removes diacritics: decomposes (NFD), drops every combining mark (tones,
/// breve, circumflex, horn), maps `đ` to `d` and `Đ` to `D` (the stroke is
/// not a combining mark, so decomposition alone leaves it), and recomposes
/// (NFC). Case and spacing are kept; combine with [`normalize_name`] for a
/// comparison key.
///
/// `Đ` becomes `D`, not `d`, so that folding never changes case as a side
/// effect; after [`normalize_name`] both end as `d`.
#[must_use]
pub fn fold_diacritics(text: &str) -> String {
    text.nfd()
        .filter(|&c| !is_combining_mark(c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .nfc()
        .collect()
}

/// The string indexed in [`DOMAIN_NAME_BIRTHYEAR`]: the folded, normalised
/// name, a `|`, and the year as at least four digits, for example
/// `"nguyen van a|1990"`. `|` cannot occur in a normalised name that came
/// from a form, and the year is last, so the split is unambiguous.
#[must_use]
pub fn name_birthyear_key(full_name: &str, birth_year: u16) -> String {
    format!("{}|{birth_year:04}", normalize_name(&fold_diacritics(full_name)))
}

/// Canonical form of an identity-document number: NFKC (so full-width
/// digits typed on some phones become ASCII), with spaces, hyphens and dots
/// removed and ASCII letters uppercased (passport numbers have a letter).
/// Leading zeros are significant and kept: `001…` is a province code.
#[must_use]
pub fn normalize_idnum(idnum: &str) -> String {
    idnum
        .nfkc()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_with_index_key(byte: u8) -> KeyRing {
        use base64ct::{Base64, Encoding};
        let data = Base64::encode_string(&[0x11; 32]);
        let index = Base64::encode_string(&[byte; 32]);
        KeyRing::parse(&format!("diaban-key v1 1 {data}\ndiaban-index v1 1 {index}\n")).unwrap()
    }

    #[test]
    fn known_answer_pins_the_construction() {
        // Computed independently (Python hmac/hashlib, HKDF per RFC 5869)
        // for index key = 32 bytes of 0x42.
        let ring = ring_with_index_key(0x42);
        assert_eq!(ring.blind_index("idnum", "079123456789"), "6a44716201b9ff528d22a2e48499125f");
        assert_eq!(
            ring.blind_index("name_birthyear", "nguyen van a|1990"),
            "d2b485fe977ca083fd167f936bc905e4"
        );
    }

    #[test]
    fn index_is_32_hex_and_deterministic() {
        let ring = KeyRing::generate();
        let a = ring.blind_index(DOMAIN_IDNUM, "079123456789");
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(a, ring.blind_index(DOMAIN_IDNUM, "079123456789"));
        assert_ne!(a, ring.blind_index(DOMAIN_IDNUM, "079123456788"));
    }

    #[test]
    fn domains_are_separated() {
        let ring = KeyRing::generate();
        assert_ne!(ring.blind_index(DOMAIN_IDNUM, "same"), ring.blind_index(DOMAIN_NAME_BIRTHYEAR, "same"));
    }

    #[test]
    fn depends_on_the_index_key_only() {
        let ring = KeyRing::generate();
        let index = ring.blind_index(DOMAIN_IDNUM, "079123456789");
        assert_ne!(index, KeyRing::generate().blind_index(DOMAIN_IDNUM, "079123456789"));
        // Data-key rotation keeps indexes; index-key rotation changes them.
        assert_eq!(index, ring.rotate().blind_index(DOMAIN_IDNUM, "079123456789"));
        assert_ne!(index, ring.rotate_index_key().blind_index(DOMAIN_IDNUM, "079123456789"));
    }

    #[test]
    fn normalize_name_handles_forms_case_and_spacing() {
        let composed = "Nguyễn Văn A";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(normalize_name(composed), "nguyễn văn a");
        assert_eq!(normalize_name(&decomposed), "nguyễn văn a");
        assert_eq!(normalize_name("  NGUYỄN\u{a0}\u{a0}VĂN\t\nA  "), "nguyễn văn a");
        assert_eq!(normalize_name(""), "");
        assert_eq!(normalize_name(" \t "), "");
    }

    #[test]
    fn fold_diacritics_strips_vietnamese_marks() {
        assert_eq!(fold_diacritics("Nguyễn Văn A"), "Nguyen Van A");
        assert_eq!(fold_diacritics("ĐẶNG THỊ ƯỚC"), "DANG THI UOC");
        assert_eq!(fold_diacritics("đỗ ơn"), "do on");
        assert_eq!(fold_diacritics("Hoà"), fold_diacritics("Hòa"));
        let decomposed: String = "Trần Thị Bích".nfd().collect();
        assert_eq!(fold_diacritics(&decomposed), "Tran Thi Bich");
    }

    #[test]
    fn name_birthyear_key_matches_across_spellings() {
        let expected = "nguyen van a|1990";
        assert_eq!(name_birthyear_key("Nguyễn Văn A", 1990), expected);
        assert_eq!(name_birthyear_key("NGUYEN  VAN A", 1990), expected);
        assert_eq!(name_birthyear_key(" nguyễn văn a ", 1990), expected);
        assert_ne!(name_birthyear_key("Nguyễn Văn A", 1991), expected);
        assert_eq!(name_birthyear_key("A", 999), "a|0999");
        let ring = KeyRing::generate();
        assert_eq!(
            ring.blind_name_birthyear("Nguyễn Văn A", 1990),
            ring.blind_name_birthyear("NGUYEN VAN A", 1990)
        );
    }

    #[test]
    fn normalize_idnum_removes_separators_and_widths() {
        assert_eq!(normalize_idnum(" 079-123.456 789 "), "079123456789");
        assert_eq!(normalize_idnum("０７９１２３"), "079123");
        assert_eq!(normalize_idnum("b1234567"), "B1234567");
        let ring = KeyRing::generate();
        assert_eq!(ring.blind_idnum("079 123 456 789"), ring.blind_idnum("079123456789"));
    }
}
