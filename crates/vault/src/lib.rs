//! Security primitives for diaban.
//!
//! diaban holds records about people who use drugs: health data and data about
//! offences, both "sensitive personal data" under Decree 13/2023/ND-CP and the
//! Law on Personal Data Protection (91/2025/QH15). This crate keeps every
//! cryptographic decision in one place so that the storage, web and command
//! line crates only call small, hard-to-misuse functions:
//!
//! | module | what it is for |
//! | --- | --- |
//! | [`keys`] | the data-key file and the in-memory [`KeyRing`] |
//! | [`seal`] | encrypting single fields and attachments (XChaCha20-Poly1305) |
//! | [`digest`] | the SHA-256 of an attachment's content |
//! | [`blind`] | keyed blind indexes for exact-match search on encrypted fields, and name normalisation |
//! | [`password`] | Argon2id password hashing and the password policy |
//! | [`token`] | API tokens, session ids, CSRF tokens, constant-time comparison |
//! | [`totp`] | time-based one-time passwords (RFC 6238) for second-factor login |
//! | [`chain`] | the hash chain that makes the audit log tamper-evident |
//!
//! Conventions that hold across the crate:
//!
//! - Secret key material lives only in types that wipe themselves on drop and
//!   whose `Debug` output shows no key bytes. Error messages never contain
//!   secrets, plaintexts or key-file lines.
//! - Randomness comes from the operating system (`getrandom`). If the OS
//!   cannot provide it the process panics rather than continue with
//!   predictable nonces or keys (see [`token::fill_random`]).
//! - Everything that produces text meant for a database column is plain ASCII.
//!
//! ```
//! use diaban_vault::{KeyRing, password, token};
//!
//! # fn main() -> Result<(), diaban_vault::VaultError> {
//! // In production: KeyRing::load("/etc/diaban/keys")?
//! let ring = KeyRing::generate();
//!
//! // Encrypt a field, bound to its column by the associated data.
//! let sealed = ring.seal("Nguyễn Văn A", b"person:name");
//! assert_eq!(ring.open(&sealed, b"person:name")?, "Nguyễn Văn A");
//!
//! // Blind index for exact-match search, insensitive to diacritics and case.
//! assert_eq!(
//!     ring.blind_name_birthyear("Nguyễn Văn A", 1990),
//!     ring.blind_name_birthyear("NGUYEN VAN A", 1990),
//! );
//!
//! // API token: show `shown` once, store `stored`.
//! let (shown, stored) = token::new_token();
//! assert_eq!(token::hash_token(&shown), stored);
//!
//! // Password policy before hashing.
//! assert_eq!(password::check_password_policy("short").unwrap_err().code(), "too_short");
//! # Ok(())
//! # }
//! ```

pub mod blind;
pub mod chain;
pub mod digest;
mod encoding;
mod error;
pub mod keys;
pub mod password;
pub mod seal;
pub mod token;
pub mod totp;

pub use error::VaultError;
pub use keys::{KeyRing, LoadOptions};
pub use password::{PasswordParams, PolicyError};
