//! The audit log's hash chain.
//!
//! Every audit entry stores `hash = entry_hash(previous entry's hash,
//! fields)`, the first entry using [`GENESIS_HASH`] as its predecessor.
//! Changing, removing, inserting or reordering any stored entry then breaks
//! the chain from that point on, which a verification pass recomputing the
//! hashes in order detects. (The chain shows tampering; it cannot prevent
//! someone who can rewrite the whole table from recomputing every hash, so
//! the latest hash should also be copied somewhere the database
//! administrator cannot write, such as a daily report or an external log.)
//!
//! # Encoding (version 1)
//!
//! The SHA-256 input is the concatenation of
//!
//! 1. `LP("diaban-audit-chain-v1")`, a fixed domain label,
//! 2. `LP(prev_hash)`,
//! 3. the number of fields as an unsigned 64-bit big-endian integer,
//! 4. for each field in the given order: `LP(name) || LP(value)`,
//!
//! where `LP(s)` is the length of `s` in bytes as an unsigned 64-bit
//! big-endian integer followed by the bytes of `s` (UTF-8, exactly as given:
//! no normalisation, trimming or case change). The result is the digest as 64
//! lowercase hex digits.
//!
//! Because every string carries its length, no choice of names or values can
//! make two different field lists encode to the same bytes (`("ab", "c")` and
//! `("a", "bc")` differ), and field order is significant. Callers must
//! therefore always pass the fields in one fixed order, and render values
//! canonically (for example timestamps in RFC 3339 UTC, numbers in plain
//! decimal), since the hash covers the exact text.

use sha2::{Digest, Sha256};

use crate::encoding::hex_lower;

/// The predecessor hash of the first entry: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain label of encoding version 1.
const DOMAIN_LABEL: &str = "diaban-audit-chain-v1";

/// SHA-256, as 64 lowercase hex digits, of the encoding described in the
/// [module documentation](self) of `prev_hash` and `canonical_fields`.
#[must_use]
pub fn entry_hash(prev_hash: &str, canonical_fields: &[(&str, &str)]) -> String {
    let mut hasher = Sha256::new();
    length_prefixed(&mut hasher, DOMAIN_LABEL.as_bytes());
    length_prefixed(&mut hasher, prev_hash.as_bytes());
    hasher.update((canonical_fields.len() as u64).to_be_bytes());
    for (name, value) in canonical_fields {
        length_prefixed(&mut hasher, name.as_bytes());
        length_prefixed(&mut hasher, value.as_bytes());
    }
    hex_lower(&hasher.finalize())
}

fn length_prefixed(hasher: &mut Sha256, bytes: &[u8]) {
    // usize is at most 64 bits on every supported target, so this is exact.
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: [(&str, &str); 4] = [
        ("at", "2026-11-02T08:15:00Z"),
        ("actor", "user:17"),
        ("action", "person.view"),
        ("target", "person:4711"),
    ];

    #[test]
    fn genesis_is_64_zeros() {
        assert_eq!(GENESIS_HASH.len(), 64);
        assert!(GENESIS_HASH.bytes().all(|b| b == b'0'));
    }

    #[test]
    fn known_answers_pin_the_encoding() {
        // Computed independently from the documented encoding (Python
        // hashlib and struct.pack(">Q", ...)).
        assert_eq!(
            entry_hash(GENESIS_HASH, &FIELDS),
            "5219611c196c35c795f384ae1c9415a3a4d96d5a650681c26125458c9edb5f12"
        );
        assert_eq!(
            entry_hash(GENESIS_HASH, &[]),
            "d1d6ee3c3a65a754c7c276a55905583b725a4f88307ba3cdfb2ce333276247a6"
        );
    }

    #[test]
    fn output_is_64_lowercase_hex() {
        let h = entry_hash(GENESIS_HASH, &FIELDS);
        assert_eq!(h.len(), 64);
        assert!(h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }

    #[test]
    fn changing_any_name_or_value_changes_the_hash() {
        let base = entry_hash(GENESIS_HASH, &FIELDS);
        for i in 0..FIELDS.len() {
            let mut fields = FIELDS;
            fields[i].1 = "changed";
            assert_ne!(entry_hash(GENESIS_HASH, &fields), base, "value {i}");
            let mut fields = FIELDS;
            fields[i].0 = "renamed";
            assert_ne!(entry_hash(GENESIS_HASH, &fields), base, "name {i}");
        }
    }

    #[test]
    fn changing_the_order_changes_the_hash() {
        let base = entry_hash(GENESIS_HASH, &FIELDS);
        let mut swapped = FIELDS;
        swapped.swap(1, 2);
        assert_ne!(entry_hash(GENESIS_HASH, &swapped), base);
        let mut reversed = FIELDS;
        reversed.reverse();
        assert_ne!(entry_hash(GENESIS_HASH, &reversed), base);
    }

    #[test]
    fn adding_or_removing_fields_changes_the_hash() {
        let base = entry_hash(GENESIS_HASH, &FIELDS);
        assert_ne!(entry_hash(GENESIS_HASH, &FIELDS[..3]), base);
        let mut more = FIELDS.to_vec();
        more.push(("", ""));
        assert_ne!(entry_hash(GENESIS_HASH, &more), base);
    }

    #[test]
    fn boundaries_between_strings_are_unambiguous() {
        assert_ne!(entry_hash(GENESIS_HASH, &[("ab", "c")]), entry_hash(GENESIS_HASH, &[("a", "bc")]));
        assert_ne!(
            entry_hash(GENESIS_HASH, &[("a", "b"), ("c", "d")]),
            entry_hash(GENESIS_HASH, &[("a", "b\0c\0d")])
        );
        assert_ne!(entry_hash("ab", &[("c", "d")]), entry_hash("a", &[("bc", "d")]));
    }

    #[test]
    fn the_chain_links_entries() {
        let first = entry_hash(GENESIS_HASH, &FIELDS);
        let second = entry_hash(&first, &FIELDS);
        assert_ne!(first, second, "same fields, different predecessor");
        let forged_first = entry_hash(GENESIS_HASH, &[("at", "forged")]);
        assert_ne!(entry_hash(&forged_first, &FIELDS), second);
    }
}
