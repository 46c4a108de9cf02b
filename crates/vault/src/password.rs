//! Password hashing (Argon2id) and the password policy.
//!
//! Hashes are PHC strings such as
//! `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`: algorithm, version and
//! cost parameters travel with each hash, so parameters can be raised later
//! and old hashes still verify ([`needs_rehash`] tells when to re-hash at the
//! next successful login). Salts are 16 random bytes, hashes 32 bytes.
//!
//! Passwords are converted to Unicode NFC before hashing and verifying. A
//! Vietnamese password typed on two devices may arrive composed on one and
//! decomposed on the other; without this step the same password would fail
//! to verify. This is part of the stored-hash format: changing it would lock
//! out users whose passwords contain diacritics.
//!
//! Logins for unknown user names must call [`dummy_verify`] so that they take
//! as long as a wrong password for a real user, and do not reveal which
//! accounts exist.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, PasswordHasher, PasswordVerifier, Version};
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

use crate::VaultError;

/// Argon2id cost parameters.
///
/// The default is OWASP's baseline for Argon2id (19 MiB of memory, 2 passes,
/// 1 lane), which keeps one login well under the 300 ms budget on a 2-core
/// server while making each guess of an offline attack cost 19 MiB of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordParams {
    /// Memory in KiB (Argon2 `m`).
    pub memory_kib: u32,
    /// Passes over memory (Argon2 `t`).
    pub iterations: u32,
    /// Lanes (Argon2 `p`). This build computes lanes one after another, so a
    /// higher value costs time without using more cores.
    pub parallelism: u32,
}

impl PasswordParams {
    /// OWASP's Argon2id baseline: m = 19456 KiB, t = 2, p = 1.
    pub const OWASP_BASELINE: PasswordParams =
        PasswordParams { memory_kib: 19_456, iterations: 2, parallelism: 1 };

    fn to_argon2(self) -> Result<Argon2<'static>, VaultError> {
        let params = argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|err| VaultError::InvalidPasswordParams { reason: err.to_string() })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self::OWASP_BASELINE
    }
}

/// Stored hashes demanding more than these are refused rather than computed:
/// a corrupted or malicious row must not be able to make one login allocate
/// gigabytes or run for minutes.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;
const MAX_PARALLELISM: u32 = 16;

/// Fixed salt for [`dummy_verify`]; its value is irrelevant, only its
/// length (the same as real salts) matters for timing.
const DUMMY_SALT: &[u8; 16] = b"diaban-dummy-slt";

/// Hashes a password with the default [`PasswordParams`].
///
/// # Errors
///
/// [`VaultError::PasswordHashing`] if Argon2 fails (it does not for passwords
/// of sane length), or if the OS random generator fails to provide a salt.
pub fn hash_password(password: &str) -> Result<String, VaultError> {
    hash_password_with(password, &PasswordParams::default())
}

/// Hashes a password with explicit parameters.
///
/// # Errors
///
/// [`VaultError::InvalidPasswordParams`] if Argon2 rejects `params` (for
/// example memory below 8 KiB per lane), otherwise as for [`hash_password`].
pub fn hash_password_with(password: &str, params: &PasswordParams) -> Result<String, VaultError> {
    let argon2 = params.to_argon2()?;
    let normalized = nfc(password);
    let hash = argon2
        .hash_password(normalized.as_bytes())
        .map_err(|err| VaultError::PasswordHashing { reason: err.to_string() })?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC string, using the parameters
/// recorded in it. The final comparison is constant-time.
///
/// Returns `Ok(false)` for a wrong password.
///
/// # Errors
///
/// [`VaultError::InvalidPasswordHash`] if `phc` is not an Argon2id PHC string,
/// or asks for more than 1 GiB of memory, 64 passes or 16 lanes.
pub fn verify_password(password: &str, phc: &str) -> Result<bool, VaultError> {
    let invalid = |reason: String| VaultError::InvalidPasswordHash { reason };
    let hash = PasswordHash::new(phc).map_err(|err| invalid(err.to_string()))?;
    if hash.algorithm.as_str() != argon2::ARGON2ID_IDENT.as_str() {
        return Err(invalid("not an argon2id hash".to_owned()));
    }
    // The generic verifier would answer "wrong password" for these, which
    // would hide a corrupted row behind ordinary failed logins.
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err(invalid("salt or hash output missing".to_owned()));
    }
    let params = argon2::Params::try_from(&hash).map_err(|err| invalid(err.to_string()))?;
    if params.m_cost() > MAX_MEMORY_KIB
        || params.t_cost() > MAX_ITERATIONS
        || params.p_cost() > MAX_PARALLELISM
    {
        return Err(invalid("cost parameters exceed the allowed maximum".to_owned()));
    }
    let normalized = nfc(password);
    // The verifier takes algorithm, version and parameters from `hash`; the
    // instance's own settings are not used.
    match Argon2::default().verify_password(normalized.as_bytes(), &hash) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(err) => Err(invalid(err.to_string())),
    }
}

/// Whether a stored hash should be replaced by a fresh
/// [`hash_password_with`]`(password, params)` after the next successful
/// login: true if it is not Argon2id version 19 with exactly `params`, or is
/// not parseable at all.
#[must_use]
pub fn needs_rehash(phc: &str, params: &PasswordParams) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return true;
    };
    let Ok(stored) = argon2::Params::try_from(&hash) else {
        return true;
    };
    hash.algorithm.as_str() != argon2::ARGON2ID_IDENT.as_str()
        || hash.version != Some(Version::V0x13.into())
        || stored.m_cost() != params.memory_kib
        || stored.t_cost() != params.iterations
        || stored.p_cost() != params.parallelism
}

/// Spends as long as [`verify_password`] does for a hash made with the
/// default parameters, and checks nothing. Call it when the user name is
/// unknown, then reject the login.
pub fn dummy_verify() {
    dummy_verify_with(&PasswordParams::default());
}

/// [`dummy_verify`] for hashes made with `params`: pass the parameters that
/// real hashes use.
pub fn dummy_verify_with(params: &PasswordParams) {
    // Verification is one Argon2 computation plus microseconds of parsing
    // and comparing, so one computation with the same cost matches it.
    let Ok(argon2) = params.to_argon2() else {
        return;
    };
    let mut out = [0u8; 32];
    // The result is irrelevant: with parameters that `to_argon2` accepted
    // and a valid salt this does not fail, and nothing is being checked.
    let _ = argon2.hash_password_into(b"not a password of anyone", DUMMY_SALT, &mut out);
    // Keep the optimiser from discarding the work.
    std::hint::black_box(out);
}

fn nfc(password: &str) -> Zeroizing<String> {
    Zeroizing::new(password.nfc().collect())
}

/// Minimum password length, in characters (Unicode scalar values after NFC).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Maximum password length, in characters: generous for passphrases, and a
/// bound on the work a login request can ask for.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Very common passwords at least 12 characters long (shorter ones already
/// fail the length rule), international and Vietnamese. Compared after
/// lowercasing and removing whitespace. Deliberately tiny: it stops the
/// obvious choices, not a dictionary attack.
const COMMON_PASSWORDS: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789123",
    "123456123456",
    "123123123123",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "qwertyuiop12",
    "qwerty123456",
    "qwertyuiop123",
    "qwertyuiopasdf",
    "abcdefghijkl",
    "abc123456789",
    "123456789abc",
    "password1234",
    "password123!",
    "p@ssw0rd1234",
    "passwordpassword",
    "iloveyou1234",
    "administrator",
    "admin1234567",
    "welcome12345",
    "matkhau12345",
    "matkhau123456",
    "matkhaucuatoi",
    "anhyeuem1234",
    "anhyeuem123456",
    "emyeuanh1234",
    "emyeuanh123456",
    "vietnam12345",
    "vietnam123456",
    "diaban123456",
    "diaban@12345",
];

/// Why a new password was refused. The web layer shows
/// [`PolicyError::message_vi`] or [`PolicyError::message_en`], or translates
/// [`PolicyError::code`] itself. `Display` is the English message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    #[error("The password must be at least {min} characters long.")]
    TooShort {
        /// The minimum.
        min: usize,
    },
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    #[error("The password must be at most {max} characters long.")]
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// One character repeated, like `aaaaaaaaaaaa`.
    #[error("The password must not be a single character repeated.")]
    RepeatedCharacter,
    /// In the built-in list of very common passwords.
    #[error("This password is too common and easy to guess; choose another one.")]
    TooCommon,
}

impl PolicyError {
    /// Stable machine-readable code: `too_short`, `too_long`,
    /// `repeated_character` or `too_common`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::TooShort { .. } => "too_short",
            PolicyError::TooLong { .. } => "too_long",
            PolicyError::RepeatedCharacter => "repeated_character",
            PolicyError::TooCommon => "too_common",
        }
    }

    /// The message in English (same as `Display`).
    #[must_use]
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// The message in Vietnamese.
    #[must_use]
    pub fn message_vi(&self) -> String {
        match self {
            PolicyError::TooShort { min } => format!("Mật khẩu phải có ít nhất {min} ký tự."),
            PolicyError::TooLong { max } => format!("Mật khẩu không được dài quá {max} ký tự."),
            PolicyError::RepeatedCharacter => "Mật khẩu không được chỉ gồm một ký tự lặp lại.".to_owned(),
            PolicyError::TooCommon => {
                "Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác.".to_owned()
            }
        }
    }
}

/// Checks a new password against the policy: 12 to 128 characters, not one
/// character repeated, not in a short list of very common passwords.
/// Characters are counted after NFC, so a Vietnamese letter counts once
/// however it was typed.
///
/// # Errors
///
/// The first rule broken, as a [`PolicyError`].
pub fn check_password_policy(password: &str) -> Result<(), PolicyError> {
    let normalized = nfc(password);
    let chars = normalized.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PolicyError::TooShort { min: MIN_PASSWORD_CHARS });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PolicyError::TooLong { max: MAX_PASSWORD_CHARS });
    }
    let lowered = Zeroizing::new(
        normalized.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect::<String>(),
    );
    let mut letters = lowered.chars();
    if let Some(first) = letters.next()
        && letters.all(|c| c == first)
    {
        return Err(PolicyError::RepeatedCharacter);
    }
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Err(PolicyError::TooCommon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters so that most tests run fast even unoptimised.
    const FAST: PasswordParams = PasswordParams { memory_kib: 64, iterations: 1, parallelism: 1 };

    #[test]
    fn default_params_are_the_owasp_baseline() {
        let p = PasswordParams::default();
        assert_eq!((p.memory_kib, p.iterations, p.parallelism), (19_456, 2, 1));
    }

    #[test]
    fn default_hash_records_its_parameters_and_verifies() {
        let phc = hash_password("đúng mật khẩu rồi").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("đúng mật khẩu rồi", &phc).unwrap());
        assert!(!verify_password("sai mật khẩu rồi", &phc).unwrap());
        assert!(!needs_rehash(&phc, &PasswordParams::default()));
    }

    #[test]
    fn salts_differ() {
        let a = hash_password_with("correct horse battery", &FAST).unwrap();
        let b = hash_password_with("correct horse battery", &FAST).unwrap();
        assert_ne!(a, b);
        assert!(verify_password("correct horse battery", &a).unwrap());
        assert!(verify_password("correct horse battery", &b).unwrap());
    }

    #[test]
    fn composed_and_decomposed_passwords_are_the_same_password() {
        let composed = "Mật khẩu Việt Nam";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        let phc = hash_password_with(composed, &FAST).unwrap();
        assert!(verify_password(&decomposed, &phc).unwrap());
    }

    #[test]
    fn explicit_params_are_stored_and_used_for_verification() {
        let params = PasswordParams { memory_kib: 256, iterations: 3, parallelism: 2 };
        let phc = hash_password_with("some long password", &params).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=256,t=3,p=2$"), "{phc}");
        assert!(verify_password("some long password", &phc).unwrap());
        assert!(!needs_rehash(&phc, &params));
        assert!(needs_rehash(&phc, &PasswordParams::default()));
        assert!(needs_rehash("garbage", &params));
    }

    #[test]
    fn invalid_params_are_an_error() {
        let bad = PasswordParams { memory_kib: 1, iterations: 1, parallelism: 1 };
        assert!(matches!(hash_password_with("x", &bad), Err(VaultError::InvalidPasswordParams { .. })));
        dummy_verify_with(&bad); // must not panic
    }

    #[test]
    fn malformed_or_foreign_hashes_are_errors_not_false() {
        for phc in [
            "",
            "plaintext",
            "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ",
            "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        ] {
            assert!(
                matches!(verify_password("x", phc), Err(VaultError::InvalidPasswordHash { .. })),
                "{phc:?}"
            );
        }
        // A valid argon2i hash is refused: only argon2id is accepted.
        let id = hash_password_with("password here", &FAST).unwrap();
        let argon2i = id.replacen("$argon2id$", "$argon2i$", 1);
        assert!(verify_password("password here", &argon2i).is_err());
    }

    #[test]
    fn excessive_cost_in_stored_hash_is_refused_without_computing() {
        let phc = hash_password_with("password here", &FAST).unwrap();
        let greedy = phc.replacen("m=64,", "m=4194304,", 1);
        let err = verify_password("password here", &greedy).unwrap_err();
        assert!(err.to_string().contains("maximum"), "{err}");
    }

    #[test]
    fn error_messages_do_not_contain_the_password() {
        let phc = hash_password_with("hunter2-but-longer", &FAST).unwrap();
        let broken = phc.replacen("$argon2id$", "$argon2id$v=19$", 1);
        if let Err(err) = verify_password("hunter2-but-longer", &broken) {
            assert!(!err.to_string().contains("hunter2"));
        }
    }

    #[test]
    fn dummy_verify_takes_about_as_long_as_verify() {
        let params = PasswordParams { memory_kib: 4096, iterations: 2, parallelism: 1 };
        let phc = hash_password_with("the real password", &params).unwrap();
        let timed = |f: &dyn Fn()| {
            let start = std::time::Instant::now();
            f();
            start.elapsed()
        };
        // Interleaved runs see the same background load; the minimum of
        // each filters out scheduling noise. The bounds are loose on
        // purpose: they catch a dummy that skips the work or uses other
        // parameters (a factor of 5 or more), not small differences.
        let (mut real, mut dummy) = (std::time::Duration::MAX, std::time::Duration::MAX);
        for _ in 0..10 {
            real = real.min(timed(&|| {
                let _ = verify_password("a wrong password", &phc);
            }));
            dummy = dummy.min(timed(&|| dummy_verify_with(&params)));
        }
        let ratio = dummy.as_secs_f64() / real.as_secs_f64();
        assert!((1.0 / 3.0..3.0).contains(&ratio), "dummy {dummy:?} vs real {real:?}");
    }

    #[test]
    fn policy_accepts_reasonable_passwords() {
        for ok in ["correct horse battery staple", "Trời hôm nay đẹp quá", "x7#Lq9!vR2@m"] {
            assert_eq!(check_password_policy(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn policy_rejections_and_codes() {
        let cases = [
            ("short", PolicyError::TooShort { min: 12 }, "too_short"),
            ("mậtkhẩu1234", PolicyError::TooShort { min: 12 }, "too_short"),
            (&"x1".repeat(65), PolicyError::TooLong { max: 128 }, "too_long"),
            ("aaaaaaaaaaaa", PolicyError::RepeatedCharacter, "repeated_character"),
            ("ĐĐĐĐĐđđđđđđđ", PolicyError::RepeatedCharacter, "repeated_character"),
            ("Password1234", PolicyError::TooCommon, "too_common"),
            ("MATKHAU 123456", PolicyError::TooCommon, "too_common"),
            ("anhyeuem123456", PolicyError::TooCommon, "too_common"),
        ];
        for (password, expected, code) in cases {
            let err = check_password_policy(password).unwrap_err();
            assert_eq!(err, expected, "{password}");
            assert_eq!(err.code(), code);
            assert!(!err.message_en().is_empty());
            assert!(!err.message_vi().is_empty());
        }
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        // 11 characters, 20+ bytes in UTF-8, decomposed or not.
        let eleven = "ễễễễễễễễễễa";
        let decomposed: String = eleven.nfd().collect();
        assert!(decomposed.len() > 12);
        assert_eq!(check_password_policy(&decomposed), Err(PolicyError::TooShort { min: 12 }));
    }

    #[test]
    fn messages_in_both_languages() {
        let err = PolicyError::TooShort { min: 12 };
        assert_eq!(err.message_en(), "The password must be at least 12 characters long.");
        assert_eq!(err.message_vi(), "Mật khẩu phải có ít nhất 12 ký tự.");
    }

    #[test]
    fn common_list_entries_would_otherwise_pass_the_length_rule() {
        for common in COMMON_PASSWORDS {
            assert!(common.chars().count() >= MIN_PASSWORD_CHARS, "{common}");
            assert_eq!(*common, common.to_lowercase());
        }
    }
}
