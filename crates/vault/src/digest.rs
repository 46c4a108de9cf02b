//! Content digests: the SHA-256 of an attachment's plaintext, stored beside the sealed
//! content so a file can be identified (the same scan uploaded twice) and checked after
//! opening without decrypting every copy.

use sha2::{Digest, Sha256};

use crate::encoding::hex_lower;

/// SHA-256 of `bytes`, as 64 lowercase hex digits.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_published_test_vector() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
