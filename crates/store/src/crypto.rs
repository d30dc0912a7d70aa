//! The master key and the sealing of credentials.
//!
//! Credentials are sealed with XChaCha20-Poly1305 (RustCrypto `chacha20poly1305`): a 256-bit key,
//! a fresh random 192-bit nonce per encryption (large enough that random nonces never collide in
//! practice, so no nonce counter has to be kept consistent across gateway nodes), and a 128-bit
//! tag. The stored blob is `version (1 byte) || nonce (24) || ciphertext+tag`.
//!
//! The associated data binds a blob to its row and key: `"spindle/credentials/v1" NUL
//! connection_id NUL key_id`. A blob copied into another connection's row, or relabelled with
//! another key id, fails authentication instead of decrypting into the wrong org's secret.
//!
//! The key id is the first 8 hex digits of SHA-256 of the key: it is stored beside every blob so
//! that decrypting with the wrong key is reported as a key mismatch (naming both ids) rather than
//! as tampering, and so rotation can tell old blobs from new ones.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// The environment variable [`MasterKey::from_env`] reads: base64 of 32 random bytes.
pub const MASTER_KEY_ENV: &str = "SPINDLE_MASTER_KEY";

const BLOB_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const AD_LABEL: &[u8] = b"spindle/credentials/v1";

/// The 256-bit key that encrypts every connection's credentials. `Debug` shows only its id.
pub struct MasterKey {
    key: SecretBox<[u8; 32]>,
    id: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Clone for MasterKey {
    fn clone(&self) -> Self {
        MasterKey::from_bytes(*self.key.expose_secret())
    }
}

impl MasterKey {
    /// A key from its 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        let digest = Sha256::digest(bytes);
        let id = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        MasterKey {
            key: SecretBox::new(Box::new(bytes)),
            id,
        }
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> MasterKey {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&key);
        MasterKey::from_bytes(bytes)
    }

    /// Parses base64 (standard or URL-safe, padding optional) of exactly 32 bytes. Surrounding
    /// whitespace is ignored.
    ///
    /// # Errors
    /// [`StoreError::MasterKey`] when the text is not base64 or not 32 bytes long; the message
    /// never repeats the text.
    pub fn from_base64(text: &str) -> Result<MasterKey, StoreError> {
        let text = text.trim();
        let decoded = Zeroizing::new(
            STANDARD
                .decode(text)
                .or_else(|_| URL_SAFE.decode(text))
                .or_else(|_| URL_SAFE_NO_PAD.decode(text))
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
                .map_err(|_| StoreError::MasterKey {
                    reason: "not valid base64 (expected base64 of 32 random bytes, e.g. from \
                             `openssl rand -base64 32`)"
                        .into(),
                })?,
        );
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::MasterKey {
                reason: format!(
                    "decodes to {} bytes; a master key is exactly 32 bytes",
                    decoded.len()
                ),
            })?;
        Ok(MasterKey::from_bytes(bytes))
    }

    /// Reads the key from the `SPINDLE_MASTER_KEY` environment variable (base64 of 32 bytes).
    ///
    /// # Errors
    /// [`StoreError::MasterKey`] when the variable is unset or not a valid key.
    pub fn from_env() -> Result<MasterKey, StoreError> {
        let value =
            Zeroizing::new(
                std::env::var(MASTER_KEY_ENV).map_err(|_| StoreError::MasterKey {
                    reason: format!(
                        "{MASTER_KEY_ENV} is not set (or not UTF-8); set it to base64 of 32 random \
                     bytes, or use a key file"
                    ),
                })?,
            );
        MasterKey::from_base64(&value).map_err(|e| match e {
            StoreError::MasterKey { reason } => StoreError::MasterKey {
                reason: format!("{MASTER_KEY_ENV}: {reason}"),
            },
            other => other,
        })
    }

    /// Reads the key from a file holding its base64 text (or exactly 32 raw bytes).
    ///
    /// On Unix the file must not be readable or writable by group or others: a key file with
    /// mode `0640` or looser is refused, because anyone who can read it can read every stored
    /// credential.
    ///
    /// # Errors
    /// [`StoreError::MasterKey`] when the file cannot be read, is too open, or does not hold a
    /// valid key.
    pub fn from_file(path: impl AsRef<Path>) -> Result<MasterKey, StoreError> {
        let path = path.as_ref();
        let shown = path.display();
        let metadata = std::fs::metadata(path).map_err(|e| StoreError::MasterKey {
            reason: format!("cannot read key file {shown}: {e}"),
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = metadata.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(StoreError::MasterKey {
                    reason: format!(
                        "key file {shown} is accessible by group or others (mode {mode:04o}); \
                         restrict it with `chmod 600 {shown}`"
                    ),
                });
            }
        }
        #[cfg(not(unix))]
        let _ = metadata;
        let contents = Zeroizing::new(std::fs::read(path).map_err(|e| StoreError::MasterKey {
            reason: format!("cannot read key file {shown}: {e}"),
        })?);
        if let Ok(text) = std::str::from_utf8(&contents)
            && let Ok(key) = MasterKey::from_base64(text)
        {
            return Ok(key);
        }
        if let Ok(bytes) = <[u8; 32]>::try_from(contents.as_slice()) {
            return Ok(MasterKey::from_bytes(bytes));
        }
        Err(StoreError::MasterKey {
            reason: format!("key file {shown} holds neither base64 of 32 bytes nor 32 raw bytes"),
        })
    }

    /// Writes the key as base64 to a new file with mode `0600` (Unix). Refuses to overwrite an
    /// existing file.
    ///
    /// # Errors
    /// [`StoreError::MasterKey`] when the file exists or cannot be written.
    pub fn write_new_file(&self, path: impl AsRef<Path>) -> Result<(), StoreError> {
        use std::io::Write as _;
        let path = path.as_ref();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| StoreError::MasterKey {
            reason: format!("cannot create key file {}: {e}", path.display()),
        })?;
        let text = self.to_base64();
        file.write_all(text.expose_secret().as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all())
            .map_err(|e| StoreError::MasterKey {
                reason: format!("cannot write key file {}: {e}", path.display()),
            })
    }

    /// The key as standard base64, the form [`MasterKey::from_base64`] and
    /// `SPINDLE_MASTER_KEY` take.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.key.expose_secret()))
    }

    /// The key's public fingerprint: the first 8 hex digits of SHA-256 of the key.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.key.expose_secret().into())
    }

    /// Seals `plaintext` for the row of `connection_id`.
    pub(crate) fn seal(
        &self,
        connection_id: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = associated_data(connection_id, &self.id);
        let ciphertext = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Crypto {
                connection: connection_id.to_owned(),
            })?;
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        blob.push(BLOB_VERSION);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        Ok(blob)
    }

    /// Opens a blob stored for `connection_id` under `stored_key_id`.
    pub(crate) fn open(
        &self,
        connection_id: &str,
        stored_key_id: &str,
        blob: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        if stored_key_id != self.id {
            return Err(StoreError::KeyMismatch {
                connection: connection_id.to_owned(),
                stored_key_id: stored_key_id.to_owned(),
                current_key_id: self.id.clone(),
            });
        }
        let crypto_err = || StoreError::Crypto {
            connection: connection_id.to_owned(),
        };
        let (&version, rest) = blob.split_first().ok_or_else(crypto_err)?;
        if version != BLOB_VERSION || rest.len() < NONCE_LEN {
            return Err(crypto_err());
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| crypto_err())?;
        let aad = associated_data(connection_id, &self.id);
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| crypto_err())
    }
}

fn associated_data(connection_id: &str, key_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AD_LABEL.len() + 2 + connection_id.len() + key_id.len());
    aad.extend_from_slice(AD_LABEL);
    aad.push(0);
    aad.extend_from_slice(connection_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(key_id.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_blob_opens_only_for_its_row_and_key() {
        let key = MasterKey::generate();
        let blob = key.seal("conn_A", b"secret").expect("seal");
        assert_eq!(
            key.open("conn_A", key.id(), &blob)
                .expect("open")
                .as_slice(),
            b"secret"
        );
        assert!(matches!(
            key.open("conn_B", key.id(), &blob),
            Err(StoreError::Crypto { .. })
        ));
        let other = MasterKey::generate();
        assert!(matches!(
            other.open("conn_A", key.id(), &blob),
            Err(StoreError::KeyMismatch { .. })
        ));
        // Same id forged onto another key: authentication still fails.
        assert!(matches!(
            other.open("conn_A", other.id(), &blob),
            Err(StoreError::Crypto { .. })
        ));
    }

    #[test]
    fn nonces_differ_between_encryptions() {
        let key = MasterKey::generate();
        assert_ne!(
            key.seal("conn_A", b"x").expect("seal"),
            key.seal("conn_A", b"x").expect("seal")
        );
    }

    #[test]
    fn base64_round_trip_and_id_is_stable() {
        let key = MasterKey::generate();
        let again = MasterKey::from_base64(key.to_base64().expose_secret()).expect("parse");
        assert_eq!(key.id(), again.id());
        assert_eq!(key.id().len(), 8);
        assert!(!format!("{key:?}").contains(key.to_base64().expose_secret()));
    }
}
