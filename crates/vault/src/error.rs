//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in this crate, except password-policy
/// violations (those are [`crate::PolicyError`], meant for end users).
///
/// Messages are English, aimed at operators and developers, and never
/// contain key material, plaintexts, passwords or the text of a key-file line
/// (a malformed line may well be a key pasted in the wrong place).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The key file does not exist.
    #[error(
        "key file {} does not exist; create one with the key-generation command first",
        path.display()
    )]
    KeyFileMissing {
        /// The path that was tried.
        path: PathBuf,
    },

    /// Reading or writing the key file failed at the operating-system level.
    #[error("cannot access key file {}: {source}", path.display())]
    KeyFileIo {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// `save` found a file already at the target path.
    #[error(
        "key file {} already exists; refusing to overwrite it (that would destroy the keys needed to read existing data)",
        path.display()
    )]
    KeyFileExists {
        /// The key file.
        path: PathBuf,
    },

    /// The key file can be read or written by users other than its owner.
    #[error(
        "key file {} has mode {mode:03o}, so users other than its owner can access it; run `chmod 600` on it (or explicitly allow insecure permissions, for development only)",
        path.display()
    )]
    InsecurePermissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits (for example `0o644`).
        mode: u32,
    },

    /// The key file's content is not a valid key file.
    #[error("key file {} is invalid at line {line}: {reason}", path.display())]
    KeyFileInvalid {
        /// The key file.
        path: PathBuf,
        /// 1-based line number; 0 when the problem is the file as a whole.
        line: usize,
        /// What is wrong, without quoting the line.
        reason: String,
    },

    /// A value was sealed under a key that is not in this key ring.
    #[error("no key with id {key_id} in the key ring (was it retired, or is this the wrong key file?)")]
    UnknownKeyId {
        /// The key id named by the sealed value.
        key_id: u32,
    },

    /// A key-ring operation named a key that cannot be used that way.
    #[error("key {key_id}: {reason}")]
    KeyOperation {
        /// The key concerned.
        key_id: u32,
        /// Why the operation was refused.
        reason: &'static str,
    },

    /// A sealed value does not have the expected structure.
    #[error("sealed value is malformed: {reason}")]
    MalformedSealed {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// Authenticated decryption failed.
    #[error(
        "decryption failed: the value was altered, belongs to another field (associated data differs), or was sealed with a different key of the same id"
    )]
    DecryptionFailed,

    /// The decrypted bytes are not UTF-8, so `open` cannot return a `String`.
    #[error("decrypted value is not UTF-8 text (was it sealed with seal_bytes?)")]
    NotUtf8,

    /// Argon2 parameters were rejected.
    #[error("invalid password-hashing parameters: {reason}")]
    InvalidPasswordParams {
        /// What the Argon2 implementation objected to.
        reason: String,
    },

    /// Computing a password hash failed.
    #[error("password hashing failed: {reason}")]
    PasswordHashing {
        /// The underlying error, which never contains the password.
        reason: String,
    },

    /// A stored password hash could not be used.
    #[error("stored password hash is unusable: {reason}")]
    InvalidPasswordHash {
        /// What is wrong with it.
        reason: String,
    },
}
