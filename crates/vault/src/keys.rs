//! Data keys and the key file.
//!
//! A [`KeyRing`] holds
//!
//! - one **active data key**, used by [`KeyRing::seal`] for everything newly
//!   encrypted,
//! - any number of **older data keys**, kept only so that values sealed before
//!   a rotation can still be opened, and
//! - one **index key**, from which the blind-index keys are derived (see
//!   [`crate::blind`] for why it is separate from the data keys).
//!
//! Every key is 256 bits from the operating system's random generator and
//! carries a key id (`u32`) that sealed values record, so that opening picks
//! the right key without trial decryption.
//!
//! # File format
//!
//! UTF-8 text, one record per line:
//!
//! ```text
//! # comment lines and blank lines are ignored
//! diaban-key v1 <id> <key>
//! diaban-key v1 <id> <key>
//! diaban-index v1 <id> <key>
//! ```
//!
//! - `<id>` is a decimal `u32` without sign or leading zeros.
//! - `<key>` is standard padded base64 (RFC 4648 section 4) of exactly 32 bytes.
//! - Fields are separated by spaces or tabs; surrounding white space,
//!   including the `\r` of a file edited on Windows, is ignored.
//! - The **first** `diaban-key` line is the active key. Data-key ids are
//!   unique. There is exactly one `diaban-index` line; its id numbers index
//!   keys separately from data keys.
//! - `v1` versions the line format, so a later format can coexist.
//!
//! [`KeyRing::save`] writes the active key first, then older keys newest first,
//! then the index key, under a comment header.
//!
//! # Permissions
//!
//! On Unix the file is created with mode `0600`, and [`KeyRing::load`] refuses
//! a file whose group or other permission bits are set (any of `0o077`), as
//! `ssh` does for private keys, unless [`LoadOptions::allow_insecure_permissions`]
//! is set. On other platforms no permission check is made: protect the file
//! with the platform's own access control.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

use base64ct::{Base64, Encoding};
use zeroize::{Zeroize, Zeroizing};

use crate::VaultError;
use crate::token::fill_random;

/// Length of every key in bytes (256 bits).
pub const KEY_LEN: usize = 32;

/// Record tag of a data-key line.
const DATA_TAG: &str = "diaban-key";
/// Record tag of the index-key line.
const INDEX_TAG: &str = "diaban-index";
/// The only line-format version understood so far.
const FORMAT_VERSION: &str = "v1";
/// Length of a 32-byte key in padded base64.
const KEY_B64_LEN: usize = 44;
/// A key file is a handful of short lines; anything much bigger is not one,
/// and refusing it early avoids reading an arbitrary file into memory.
const MAX_FILE_LEN: u64 = 1024 * 1024;

/// 32 bytes of secret key material.
///
/// Boxed so that moving a `KeyMaterial` (into a map, out of a function) moves
/// a pointer and does not leave copies of the key in old stack frames; wiped
/// when dropped; `Debug` shows no bytes.
#[derive(Clone)]
pub(crate) struct KeyMaterial(Box<[u8; KEY_LEN]>);

impl KeyMaterial {
    fn random() -> Self {
        let mut bytes = Box::new([0u8; KEY_LEN]);
        fill_random(&mut bytes[..]);
        Self(bytes)
    }

    /// Decodes padded base64 of exactly [`KEY_LEN`] bytes straight into the
    /// boxed buffer, so no intermediate copy of the key needs wiping.
    fn from_base64(text: &str) -> Option<Self> {
        if text.len() != KEY_B64_LEN {
            return None;
        }
        let mut bytes = Box::new([0u8; KEY_LEN]);
        let decoded_len = Base64::decode(text, &mut bytes[..]).ok()?.len();
        // Anything shorter would leave zero bytes in the key.
        (decoded_len == KEY_LEN).then(|| Self(bytes))
    }

    fn to_base64(&self) -> Zeroizing<String> {
        let mut buf = Zeroizing::new([0u8; KEY_B64_LEN]);
        let mut out = Zeroizing::new(String::with_capacity(KEY_B64_LEN));
        // 32 bytes always encode to exactly 44 characters, so this cannot
        // fail; an error path here would only risk writing a key file with
        // an empty key.
        let text =
            Base64::encode(&self.0[..], &mut buf[..]).expect("32 bytes fit a 44-character base64 buffer");
        out.push_str(text);
        out
    }

    pub(crate) fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl Drop for KeyMaterial {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial([redacted])")
    }
}

/// Options for [`KeyRing::load_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Load the key file even if users other than its owner may access it.
    /// Meant for development set-ups (for example a bind-mounted volume whose
    /// modes cannot be changed); never for production.
    pub allow_insecure_permissions: bool,
}

/// The set of keys diaban encrypts and indexes with.
///
/// Cloning copies the key material; each copy wipes itself when dropped.
/// `Debug` shows key ids only.
#[derive(Clone)]
pub struct KeyRing {
    active_id: u32,
    // Held apart from the older keys so that "the active key exists" is a
    // property of the type, not an invariant to check at every use.
    active_key: KeyMaterial,
    /// Data keys other than the active one.
    old_keys: BTreeMap<u32, KeyMaterial>,
    index_id: u32,
    index_key: KeyMaterial,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("active_key_id", &self.active_id)
            .field("key_ids", &self.key_ids())
            .field("index_key_id", &self.index_id)
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// A new key ring with fresh random keys: data key 1 (active) and index
    /// key 1.
    ///
    /// # Panics
    ///
    /// If the operating system's random generator fails (see
    /// [`fill_random`]).
    #[must_use]
    pub fn generate() -> KeyRing {
        KeyRing {
            active_id: 1,
            active_key: KeyMaterial::random(),
            old_keys: BTreeMap::new(),
            index_id: 1,
            index_key: KeyMaterial::random(),
        }
    }

    /// Loads a key file, refusing it on Unix if its permissions let other
    /// users access it. See the [module documentation](self) for the format.
    ///
    /// # Errors
    ///
    /// [`VaultError::KeyFileMissing`], [`VaultError::InsecurePermissions`],
    /// [`VaultError::KeyFileInvalid`] or [`VaultError::KeyFileIo`].
    pub fn load(path: impl AsRef<Path>) -> Result<KeyRing, VaultError> {
        Self::load_with(path, LoadOptions::default())
    }

    /// [`KeyRing::load`] with options.
    ///
    /// # Errors
    ///
    /// As for [`KeyRing::load`]; [`VaultError::InsecurePermissions`] only if
    /// `options.allow_insecure_permissions` is false.
    pub fn load_with(path: impl AsRef<Path>, options: LoadOptions) -> Result<KeyRing, VaultError> {
        let path = path.as_ref();
        let io_err = |source| VaultError::KeyFileIo { path: path.to_path_buf(), source };
        let mut file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(VaultError::KeyFileMissing { path: path.to_path_buf() });
            }
            Err(e) => return Err(io_err(e)),
        };
        // Checked on the open handle, not the path, so the file checked is
        // the file read.
        let meta = file.metadata().map_err(io_err)?;
        let invalid = |reason: &str| VaultError::KeyFileInvalid {
            path: path.to_path_buf(),
            line: 0,
            reason: reason.to_owned(),
        };
        if !meta.is_file() {
            return Err(invalid("not a regular file"));
        }
        if meta.len() > MAX_FILE_LEN {
            return Err(invalid("file is far too large to be a key file"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 && !options.allow_insecure_permissions {
                return Err(VaultError::InsecurePermissions { path: path.to_path_buf(), mode });
            }
        }
        #[cfg(not(unix))]
        let _ = options;

        // Sized up front so that the string is not reallocated while reading,
        // which would leave a copy of the keys in freed memory; the `+ 1`
        // leaves room for read_to_string to detect the end of the file.
        let capacity = usize::try_from(meta.len()).unwrap_or(0) + 1;
        let mut text = Zeroizing::new(String::with_capacity(capacity));
        file.read_to_string(&mut text).map_err(|e| {
            if e.kind() == ErrorKind::InvalidData { invalid("not UTF-8 text") } else { io_err(e) }
        })?;
        Self::parse(&text).map_err(|(line, reason)| VaultError::KeyFileInvalid {
            path: path.to_path_buf(),
            line,
            reason,
        })
    }

    /// Writes the key ring to a new file, created with mode `0600` on Unix.
    ///
    /// Never overwrites: losing the old file would make data sealed under its
    /// keys unreadable. To store a rotated ring, save it under a new name,
    /// check it loads, then move it over the old file.
    ///
    /// # Errors
    ///
    /// [`VaultError::KeyFileExists`] if `path` exists (even as a dangling
    /// symbolic link), [`VaultError::KeyFileIo`] for other failures; a
    /// partly written file is removed.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), VaultError> {
        let path = path.as_ref();
        let mut options = OpenOptions::new();
        // create_new is atomic (O_EXCL): no window in which another process
        // could create the file between a check and the write.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = match options.open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Err(VaultError::KeyFileExists { path: path.to_path_buf() });
            }
            Err(source) => {
                return Err(VaultError::KeyFileIo { path: path.to_path_buf(), source });
            }
        };
        let text = self.to_text();
        let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
        if let Err(source) = written {
            drop(file);
            // Best effort: the write error is the one worth reporting.
            let _ = std::fs::remove_file(path);
            return Err(VaultError::KeyFileIo { path: path.to_path_buf(), source });
        }
        Ok(())
    }

    /// A new ring whose active key is a fresh random key; every existing
    /// data key stays available for opening, and the index key is kept, so
    /// blind indexes stay valid.
    ///
    /// The new key id is one more than the highest id in the ring.
    ///
    /// # Panics
    ///
    /// If the operating system's random generator fails.
    #[must_use]
    pub fn rotate(&self) -> KeyRing {
        let id = next_free_id(&self.key_ids());
        let mut old_keys = self.old_keys.clone();
        old_keys.insert(self.active_id, self.active_key.clone());
        KeyRing {
            active_id: id,
            active_key: KeyMaterial::random(),
            old_keys,
            index_id: self.index_id,
            index_key: self.index_key.clone(),
        }
    }

    /// A new ring with a fresh index key (id one more than the current one)
    /// and the same data keys. Every blind index must then be recomputed,
    /// from plaintexts opened with the data keys; do this only if the index
    /// key may have leaked.
    ///
    /// # Panics
    ///
    /// If the operating system's random generator fails.
    #[must_use]
    pub fn rotate_index_key(&self) -> KeyRing {
        KeyRing { index_id: self.index_id.wrapping_add(1), index_key: KeyMaterial::random(), ..self.clone() }
    }

    /// A new ring without data key `key_id`, for when every value sealed
    /// under it has been re-sealed ([`KeyRing::needs_rotation`] is false for
    /// all of them).
    ///
    /// # Errors
    ///
    /// [`VaultError::UnknownKeyId`] if the ring has no such key,
    /// [`VaultError::KeyOperation`] if it is the active key.
    pub fn retire(&self, key_id: u32) -> Result<KeyRing, VaultError> {
        if key_id == self.active_id {
            return Err(VaultError::KeyOperation {
                key_id,
                reason: "the active key cannot be retired; rotate first",
            });
        }
        let mut next = self.clone();
        if next.old_keys.remove(&key_id).is_none() {
            return Err(VaultError::UnknownKeyId { key_id });
        }
        Ok(next)
    }

    /// Id of the key new values are sealed with.
    #[must_use]
    pub fn active_key_id(&self) -> u32 {
        self.active_id
    }

    /// Ids of all data keys, the active one included, in increasing order.
    #[must_use]
    pub fn key_ids(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.old_keys.keys().copied().collect();
        ids.push(self.active_id);
        ids.sort_unstable();
        ids
    }

    /// Whether the ring holds data key `key_id`.
    #[must_use]
    pub fn has_key(&self, key_id: u32) -> bool {
        self.data_key(key_id).is_some()
    }

    /// Id of the index key. Recording it next to stored blind indexes tells
    /// which index key computed them.
    #[must_use]
    pub fn index_key_id(&self) -> u32 {
        self.index_id
    }

    pub(crate) fn active_key(&self) -> (u32, &KeyMaterial) {
        (self.active_id, &self.active_key)
    }

    pub(crate) fn data_key(&self, key_id: u32) -> Option<&KeyMaterial> {
        if key_id == self.active_id { Some(&self.active_key) } else { self.old_keys.get(&key_id) }
    }

    pub(crate) fn index_key(&self) -> &KeyMaterial {
        &self.index_key
    }

    /// Serialises the ring in the file format; the text is wiped when dropped.
    pub(crate) fn to_text(&self) -> Zeroizing<String> {
        // Reserved up front: growing the string would reallocate and leave
        // copies of the keys in freed memory. A record is at most
        // 12 + 1 + 2 + 1 + 10 + 1 + 44 + 1 = 72 bytes; the header is < 256.
        let records = self.old_keys.len() + 2;
        let mut out = Zeroizing::new(String::with_capacity(256 + 72 * records));
        out.push_str(
            "# diaban data keys. SECRET: keep this file mode 0600 and back it up safely;\n\
             # losing it makes the encrypted data unreadable.\n\
             # The first diaban-key line is the active key; later ones only decrypt older data.\n",
        );
        push_record(&mut out, DATA_TAG, self.active_id, &self.active_key);
        for (&id, key) in self.old_keys.iter().rev() {
            push_record(&mut out, DATA_TAG, id, key);
        }
        push_record(&mut out, INDEX_TAG, self.index_id, &self.index_key);
        debug_assert!(out.len() <= 256 + 72 * records, "capacity estimate too small");
        out
    }

    /// Parses the file format. Errors are `(1-based line, reason)`; reasons
    /// never quote the line, which may hold a key.
    pub(crate) fn parse(text: &str) -> Result<KeyRing, (usize, String)> {
        let mut active = None;
        let mut old_keys = BTreeMap::new();
        let mut index = None;
        for (n, raw) in text.lines().enumerate() {
            let line_no = n + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason: &str| (line_no, reason.to_owned());
            let fields: Vec<&str> = line.split([' ', '\t']).filter(|f| !f.is_empty()).collect();
            let [tag, version, id, key] = fields[..] else {
                return Err(err("expected 4 fields: <record type> v1 <id> <base64 key>"));
            };
            if tag != DATA_TAG && tag != INDEX_TAG {
                return Err(err("unknown record type (expected diaban-key or diaban-index)"));
            }
            if version != FORMAT_VERSION {
                return Err(err("unsupported format version (expected v1)"));
            }
            let id =
                parse_id(id).ok_or_else(|| err("key id is not a decimal number between 0 and 4294967295"))?;
            let key = KeyMaterial::from_base64(key)
                .ok_or_else(|| err("key is not padded base64 of exactly 32 bytes"))?;
            if tag == DATA_TAG {
                let duplicate = match &active {
                    None => {
                        active = Some((id, key));
                        false
                    }
                    Some((active_id, _)) => *active_id == id || old_keys.insert(id, key).is_some(),
                };
                if duplicate {
                    return Err((line_no, format!("duplicate data key id {id}")));
                }
            } else if index.replace((id, key)).is_some() {
                return Err(err("more than one diaban-index line"));
            }
        }
        let Some((active_id, active_key)) = active else {
            return Err((0, "no diaban-key line".to_owned()));
        };
        let Some((index_id, index_key)) = index else {
            return Err((0, "no diaban-index line".to_owned()));
        };
        Ok(KeyRing { active_id, active_key, old_keys, index_id, index_key })
    }
}

fn push_record(out: &mut String, tag: &str, id: u32, key: &KeyMaterial) {
    out.push_str(tag);
    out.push(' ');
    out.push_str(FORMAT_VERSION);
    out.push(' ');
    out.push_str(&id.to_string());
    out.push(' ');
    out.push_str(&key.to_base64());
    out.push('\n');
}

/// Strict decimal: digits only, no sign, no leading zeros, fits in `u32`.
/// One spelling per id keeps files and sealed values canonical.
pub(crate) fn parse_id(text: &str) -> Option<u32> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

/// One more than the highest id in use; if that overflows (only possible
/// with a hand-edited file using id 4294967295), the lowest unused id.
/// `used` is sorted in increasing order.
fn next_free_id(used: &[u32]) -> u32 {
    let highest = used.last().copied().unwrap_or(0);
    if let Some(id) = highest.checked_add(1) {
        return id;
    }
    // A ring cannot hold 2^32 keys (the file would be hundreds of GB), so an
    // unused id exists and the loop ends.
    let mut id = 0u32;
    while used.binary_search(&id).is_ok() {
        id = id.wrapping_add(1);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let mut suffix = [0u8; 8];
            fill_random(&mut suffix);
            let dir = std::env::temp_dir()
                .join(format!("diaban-vault-{name}-{}", crate::encoding::hex_lower(&suffix)));
            std::fs::create_dir(&dir).unwrap();
            TempDir(dir)
        }
        fn path(&self, file: &str) -> PathBuf {
            self.0.join(file)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn key_b64(byte: u8) -> String {
        Base64::encode_string(&[byte; KEY_LEN])
    }

    #[test]
    fn key_ring_can_be_shared_between_threads() {
        // The web layer keeps one ring in its shared state.
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<KeyRing>();
    }

    #[test]
    fn generate_gives_distinct_random_keys() {
        let a = KeyRing::generate();
        let b = KeyRing::generate();
        assert_eq!(a.active_key_id(), 1);
        assert_eq!(a.index_key_id(), 1);
        assert_ne!(a.active_key().1.expose(), b.active_key().1.expose());
        assert_ne!(a.active_key().1.expose(), a.index_key().expose());
    }

    #[test]
    fn debug_output_contains_no_key_material() {
        let ring = KeyRing::generate();
        let debug = format!("{ring:?} {:?}", ring.index_key());
        let key_text = ring.active_key().1.to_base64();
        assert!(!debug.contains(key_text.as_str()));
        assert!(!debug.contains(&crate::encoding::hex_lower(ring.active_key().1.expose())));
        assert!(debug.contains("active_key_id: 1"));
        assert!(debug.contains("redacted"));
    }

    #[test]
    fn text_roundtrip_keeps_keys_and_active_choice() {
        let ring = KeyRing::generate().rotate().rotate();
        let parsed = KeyRing::parse(&ring.to_text()).unwrap();
        assert_eq!(parsed.active_key_id(), 3);
        assert_eq!(parsed.key_ids(), vec![1, 2, 3]);
        for id in [1, 2, 3] {
            assert_eq!(parsed.data_key(id).unwrap().expose(), ring.data_key(id).unwrap().expose());
        }
        assert_eq!(parsed.index_key().expose(), ring.index_key().expose());
    }

    #[test]
    fn first_data_line_is_active_whatever_its_id() {
        let text = format!(
            "diaban-key v1 2 {}\r\n\n# old key\ndiaban-key\tv1 7 {}\ndiaban-index v1 1 {}\n",
            key_b64(2),
            key_b64(7),
            key_b64(9)
        );
        let ring = KeyRing::parse(&text).unwrap();
        assert_eq!(ring.active_key_id(), 2);
        assert_eq!(ring.key_ids(), vec![2, 7]);
        assert_eq!(ring.data_key(7).unwrap().expose(), &[7; KEY_LEN]);
        // Rotation goes past the highest id, not the active one.
        assert_eq!(ring.rotate().active_key_id(), 8);
    }

    #[test]
    fn parse_errors_name_the_line_and_never_echo_it() {
        let good_index = format!("diaban-index v1 1 {}", key_b64(1));
        let cases: Vec<(String, usize, &str)> = vec![
            (format!("diaban-key v1 1 {}", key_b64(1)), 0, "no diaban-index"),
            (good_index.clone(), 0, "no diaban-key"),
            (format!("diaban-key v1 1\n{good_index}"), 1, "4 fields"),
            (format!("diaban-kee v1 1 {}\n{good_index}", key_b64(1)), 1, "record type"),
            (format!("diaban-key v2 1 {}\n{good_index}", key_b64(1)), 1, "version"),
            (format!("diaban-key v1 01 {}\n{good_index}", key_b64(1)), 1, "key id"),
            (format!("diaban-key v1 +1 {}\n{good_index}", key_b64(1)), 1, "key id"),
            (format!("diaban-key v1 4294967296 {}\n{good_index}", key_b64(1)), 1, "key id"),
            ("diaban-key v1 1 c2VjcmV0\n".to_owned() + &good_index, 1, "32 bytes"),
            (format!("diaban-key v1 1 {}\n{good_index}", &key_b64(1)[..43]), 1, "32 bytes"),
            (
                format!("diaban-key v1 1 {}\n\ndiaban-key v1 1 {}\n{good_index}", key_b64(1), key_b64(2)),
                3,
                "duplicate data key id 1",
            ),
            (format!("diaban-key v1 1 {}\n{good_index}\n{good_index}", key_b64(1)), 3, "more than one"),
        ];
        for (text, line, reason) in cases {
            let (got_line, got_reason) = KeyRing::parse(&text).unwrap_err();
            assert_eq!(got_line, line, "{text}");
            assert!(got_reason.contains(reason), "{got_reason:?} for {text}");
            assert!(!got_reason.contains("AQEB"), "reason quotes key material");
        }
    }

    #[test]
    fn save_then_load_roundtrip_with_mode_0600() {
        let dir = TempDir::new("save");
        let path = dir.path("keys.txt");
        let ring = KeyRing::generate().rotate();
        ring.save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let loaded = KeyRing::load(&path).unwrap();
        assert_eq!(loaded.active_key_id(), 2);
        assert_eq!(loaded.key_ids(), vec![1, 2]);
        assert_eq!(loaded.active_key().1.expose(), ring.active_key().1.expose());
    }

    #[test]
    fn save_refuses_to_overwrite() {
        let dir = TempDir::new("overwrite");
        let path = dir.path("keys.txt");
        std::fs::write(&path, "precious").unwrap();
        let err = KeyRing::generate().save(&path).unwrap_err();
        assert!(matches!(err, VaultError::KeyFileExists { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
    }

    #[test]
    fn load_missing_file_is_a_clear_error() {
        let dir = TempDir::new("missing");
        let err = KeyRing::load(dir.path("nope.txt")).unwrap_err();
        assert!(matches!(err, VaultError::KeyFileMissing { .. }));
        assert!(err.to_string().contains("does not exist"));
    }

    #[test]
    fn load_reports_format_errors_with_path_and_line() {
        let dir = TempDir::new("format");
        let path = dir.path("keys.txt");
        KeyRing::generate().save(&path).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("garbage\n");
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let err = KeyRing::load(&path).unwrap_err();
        match &err {
            VaultError::KeyFileInvalid { line, .. } => assert_eq!(*line, 6),
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("keys.txt"));
    }

    #[cfg(unix)]
    #[test]
    fn load_refuses_group_or_world_accessible_file_unless_allowed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("perms");
        let path = dir.path("keys.txt");
        KeyRing::generate().save(&path).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o620] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = KeyRing::load(&path).unwrap_err();
            match err {
                VaultError::InsecurePermissions { mode: got, .. } => assert_eq!(got, mode),
                other => panic!("unexpected {other:?}"),
            }
            let allowed = LoadOptions { allow_insecure_permissions: true };
            assert!(KeyRing::load_with(&path, allowed).is_ok());
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(KeyRing::load(&path).is_ok(), "read-only for the owner is fine");
        let msg = VaultError::InsecurePermissions { path: path.clone(), mode: 0o644 }.to_string();
        assert!(msg.contains("mode 644") && msg.contains("chmod 600"), "{msg}");
    }

    #[test]
    fn load_refuses_a_directory() {
        let dir = TempDir::new("dir");
        let err = KeyRing::load_with(&dir.0, LoadOptions { allow_insecure_permissions: true }).unwrap_err();
        assert!(matches!(err, VaultError::KeyFileInvalid { .. } | VaultError::KeyFileIo { .. }), "{err:?}");
    }

    #[test]
    fn rotate_keeps_old_keys_and_index_key() {
        let ring = KeyRing::generate();
        let rotated = ring.rotate();
        assert_eq!(rotated.active_key_id(), 2);
        assert_eq!(rotated.key_ids(), vec![1, 2]);
        assert_eq!(rotated.data_key(1).unwrap().expose(), ring.active_key().1.expose());
        assert_ne!(rotated.active_key().1.expose(), ring.active_key().1.expose());
        assert_eq!(rotated.index_key_id(), ring.index_key_id());
        assert_eq!(rotated.index_key().expose(), ring.index_key().expose());
        // The original is untouched.
        assert_eq!(ring.key_ids(), vec![1]);
    }

    #[test]
    fn rotate_index_key_changes_only_the_index_key() {
        let ring = KeyRing::generate();
        let next = ring.rotate_index_key();
        assert_eq!(next.index_key_id(), 2);
        assert_ne!(next.index_key().expose(), ring.index_key().expose());
        assert_eq!(next.active_key().1.expose(), ring.active_key().1.expose());
    }

    #[test]
    fn next_id_survives_the_top_of_the_range() {
        let text = format!(
            "diaban-key v1 4294967295 {}\ndiaban-key v1 0 {}\ndiaban-index v1 1 {}\n",
            key_b64(1),
            key_b64(2),
            key_b64(3)
        );
        let ring = KeyRing::parse(&text).unwrap();
        assert_eq!(ring.rotate().active_key_id(), 1);
    }

    #[test]
    fn retire_removes_old_keys_but_not_the_active_one() {
        let ring = KeyRing::generate().rotate();
        let err = ring.retire(2).unwrap_err();
        assert!(matches!(err, VaultError::KeyOperation { key_id: 2, .. }));
        assert!(matches!(ring.retire(9).unwrap_err(), VaultError::UnknownKeyId { key_id: 9 }));
        let retired = ring.retire(1).unwrap();
        assert_eq!(retired.key_ids(), vec![2]);
        assert!(!retired.has_key(1));
    }
}
