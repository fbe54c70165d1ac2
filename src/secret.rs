//! The server's secret key, used to encrypt secrets (calendar URLs) at rest.

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use rand::RngCore;
use std::path::Path;

/// Name of the key file inside the data directory.
pub const KEY_FILE_NAME: &str = "secret.key";

/// Where the key in use came from, so startup can log it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Given by flag or environment.
    Given,
    /// Read from the data directory.
    File,
    /// Generated now and written to the data directory.
    Generated,
}

/// A secret text (a password or its hash, a session token, an encrypted feed address, an
/// API key): `Debug` prints `Secret(***)`, so a stray `{:?}` in a log line cannot leak it.
/// Read it with [`Secret::expose`], where it is really needed.
#[derive(Clone, PartialEq, Eq, Default, sqlx::Type)]
#[sqlx(transparent)]
pub struct Secret(String);

impl Secret {
    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Self(text.to_string())
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_string()))
    }
}

/// A Fernet key: 32 bytes, URL-safe base64 (the format Python's `cryptography` uses).
#[derive(Clone)]
pub struct SecretKey(String);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// Parses a key, checking it decodes to 32 bytes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match URL_SAFE.decode(text) {
            Ok(bytes) if bytes.len() == 32 => Ok(Self(text.to_string())),
            _ => Err(
                "the secret key must be 32 bytes in URL-safe base64 (44 characters), \
                      e.g. the output of `openssl rand -base64 32 | tr '+/' '-_'`"
                    .into(),
            ),
        }
    }

    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(URL_SAFE.encode(bytes))
    }

    /// The key text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The key given, else the one in `data_dir`, else a new one written there (mode 0600).
    pub fn load_or_generate(
        given: Option<&str>,
        data_dir: &Path,
    ) -> Result<(Self, KeySource), String> {
        if let Some(text) = given {
            return Ok((Self::parse(text)?, KeySource::Given));
        }
        let path = data_dir.join(KEY_FILE_NAME);
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            return Ok((Self::parse(&text)?, KeySource::File));
        }
        create_private_dir(data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let key = Self::generate();
        write_private(&path, key.expose())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok((key, KeySource::Generated))
    }
}

/// Encrypts and decrypts secrets at rest (calendar URLs) with the server's key.
#[derive(Clone)]
pub struct SecretBox {
    /// Fernet: AES-128-CBC + HMAC-SHA256, the same tokens Python's `cryptography` makes.
    fernet: std::sync::Arc<fernet::Fernet>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(***)")
    }
}

impl SecretBox {
    /// A box using `key`.
    pub fn new(key: &SecretKey) -> Result<Self, String> {
        fernet::Fernet::new(key.expose())
            .map(|f| Self {
                fernet: std::sync::Arc::new(f),
            })
            .ok_or_else(|| "the secret key is not a valid Fernet key".to_string())
    }

    /// Encrypts `plain` into a Fernet token.
    pub fn seal(&self, plain: &str) -> Secret {
        Secret(self.fernet.encrypt(plain.as_bytes()))
    }

    /// Decrypts a Fernet token; fails when the key differs or the token was altered.
    pub fn open(&self, token: &str) -> Result<String, String> {
        let bytes = self.fernet.decrypt(token).map_err(|_| {
            "cannot decrypt a stored secret: was the server's secret key changed? Paste the calendar address again".to_string()
        })?;
        String::from_utf8(bytes).map_err(|_| "a stored secret is not text".to_string())
    }
}

/// Mode of every file roomcal writes into its data directory, and of backups: the owner's
/// alone. The database holds password hashes, session hashes and sealed feed addresses.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of the data directory (and any directory roomcal creates for its files).
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Writes a file only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = create_private_file(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}

/// Creates `path` exclusively (it must not exist: no check-then-write race) with mode
/// [`PRIVATE_FILE_MODE`], whatever the umask.
pub fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_FILE_MODE);
    }
    let file = options.open(path)?;
    // The umask can only take bits away from the mode asked for; set it exactly.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    }
    Ok(file)
}

/// Sets an existing file to [`PRIVATE_FILE_MODE`] (files an older roomcal made 0644).
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `dir` and its missing parents, each new one with mode [`PRIVATE_DIR_MODE`]
/// whatever the umask. Directories that exist already are left as they are: the parent
/// of a database file may be shared (`/var/lib`, `/tmp`).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(PRIVATE_DIR_MODE);
    }
    builder.create(dir)?;
    #[cfg(unix)]
    for created in missing.iter().filter(|d| !d.as_os_str().is_empty()) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(created, std::fs::Permissions::from_mode(PRIVATE_DIR_MODE))?;
    }
    #[cfg(not(unix))]
    let _ = missing;
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let login = (Secret::from("hunter2-password"), "ada@example.com");
        let printed = format!("{login:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("Secret(***)"));
        assert_eq!(login.0.expose(), "hunter2-password");
    }
    use super::*;

    #[test]
    fn a_key_is_generated_once_and_then_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (first, source) = SecretKey::load_or_generate(None, dir.path()).expect("generate");
        assert_eq!(source, KeySource::Generated);
        let (second, source) = SecretKey::load_or_generate(None, dir.path()).expect("read");
        assert_eq!(source, KeySource::File);
        assert_eq!(first.expose(), second.expose());
    }

    #[cfg(unix)]
    #[test]
    fn a_generated_key_and_its_new_data_dir_are_the_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let data_dir = dir.path().join("new").join("data");
        SecretKey::load_or_generate(None, &data_dir).expect("generate");
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&data_dir), 0o700);
        assert_eq!(mode(&dir.path().join("new")), 0o700);
        assert_eq!(mode(&data_dir.join(KEY_FILE_NAME)), 0o600);
    }

    #[test]
    fn a_malformed_key_is_refused_with_advice() {
        let err = SecretKey::parse("short").expect_err("must fail");
        assert!(err.contains("32 bytes"));
    }

    #[test]
    fn sealed_secrets_open_with_the_same_key_only() {
        let secret_box = SecretBox::new(&SecretKey::generate()).expect("box");
        let token = secret_box.seal("https://calendar.google.com/private-abc/basic.ics");
        assert!(!token.expose().contains("private-abc"));
        assert_eq!(
            secret_box.open(token.expose()).as_deref(),
            Ok("https://calendar.google.com/private-abc/basic.ics")
        );
        let other = SecretBox::new(&SecretKey::generate()).expect("box");
        assert!(other.open(token.expose()).is_err());
    }

    #[test]
    fn the_key_is_not_printed_in_debug_output() {
        let key = SecretKey::generate();
        assert!(!format!("{key:?}").contains(key.expose()));
    }
}
