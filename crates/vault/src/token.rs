//! Random tokens, identifiers and constant-time comparison.
//!
//! - **API tokens** ([`new_token`]): shown to the user once; only their
//!   SHA-256 is stored. A plain, unsalted hash is enough here because the
//!   token has 256 bits of entropy: there is nothing to brute-force, unlike a
//!   password, and a fast hash lets the lookup be `WHERE token_hash = ?`.
//! - **Session ids and CSRF tokens** ([`random_id`]): unpadded base64url of
//!   random bytes, safe in cookies, headers and HTML attributes. Store session
//!   ids hashed as well ([`hash_token`]) so that a leaked database dump does
//!   not hand out live sessions.
//! - **Comparison** of anything secret ([`constant_time_eq`], [`verify_token`])
//!   takes time independent of where the inputs first differ.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::encoding::{b64url_encode, hex_lower};

/// Prefix of API tokens. It makes a leaked token recognisable by secret
/// scanners and tells support staff what kind of string they are looking at.
pub const TOKEN_PREFIX: &str = "dbn_";

/// Random bytes in an API token (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// Fills `buf` from the operating system's random generator.
///
/// # Panics
///
/// If the operating system cannot provide random bytes. On the platforms
/// diaban runs on this does not happen once the system has booted; if it
/// ever did, no key, nonce, salt or token could be made safely, and carrying
/// on with predictable values would be far worse than stopping. That is why
/// the functions built on this one return plain values rather than `Result`.
pub fn fill_random(buf: &mut [u8]) {
    if let Err(err) = getrandom::fill(buf) {
        panic!("the operating system's random number generator failed: {err}");
    }
}

/// A new API token: `(token, hash)`.
///
/// `token` is `"dbn_"` followed by 43 base64url characters (32 random
/// bytes); show it to the user once and never store it. `hash` is
/// [`hash_token`] of it (64 lowercase hex digits); store that.
///
/// # Panics
///
/// If the OS random generator fails (see [`fill_random`]).
#[must_use]
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; TOKEN_BYTES];
    fill_random(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", b64url_encode(&bytes));
    let hash = hash_token(&token);
    (token, hash)
}

/// SHA-256 of the token's UTF-8 bytes, as 64 lowercase hex digits.
///
/// The whole presented string is hashed, prefix included, so a token with the
/// wrong prefix simply does not match anything.
#[must_use]
pub fn hash_token(token: &str) -> String {
    hex_lower(&Sha256::digest(token.as_bytes()))
}

/// Whether `token` hashes to `stored_hash`, compared in constant time.
///
/// Looking a token up by its hash in the database is usually enough; this is
/// for when the expected hash is already in hand (for example a one-off
/// reset token attached to a user row).
#[must_use]
pub fn verify_token(token: &str, stored_hash: &str) -> bool {
    constant_time_eq(hash_token(token).as_bytes(), stored_hash.as_bytes())
}

/// Byte-wise equality whose running time depends only on the lengths, not on
/// the contents. Unequal lengths return `false` at once: lengths of tokens,
/// hashes and MACs are public anyway.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// `bytes` random bytes as unpadded base64url (`ceil(bytes * 4 / 3)`
/// characters). Use at least 16 bytes (128 bits) for anything an attacker
/// must not guess; 32 is the usual choice for session ids and CSRF tokens.
///
/// # Panics
///
/// If the OS random generator fails (see [`fill_random`]).
#[must_use]
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    b64url_encode(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_token_has_prefix_length_and_matching_hash() {
        let (token, hash) = new_token();
        assert!(token.starts_with(TOKEN_PREFIX));
        assert_eq!(token.len(), TOKEN_PREFIX.len() + 43);
        assert!(
            token[TOKEN_PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(hash.len(), 64);
        assert_eq!(hash, hash_token(&token));
        assert!(verify_token(&token, &hash));
        let (other, _) = new_token();
        assert_ne!(token, other);
        assert!(!verify_token(&other, &hash));
    }

    #[test]
    fn hash_token_is_sha256_hex() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn constant_time_eq_behaves_like_eq() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sama"));
        assert!(!constant_time_eq(b"same", b"same!"));
    }

    #[test]
    fn random_id_length_and_alphabet() {
        assert_eq!(random_id(32).len(), 43);
        assert_eq!(random_id(16).len(), 22);
        assert_eq!(random_id(0), "");
        let id = random_id(24);
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(random_id(32), random_id(32));
    }
}
