//! Protection of ID numbers at rest: AES-256-GCM for the number, a keyed hash (HMAC-SHA256)
//! to match it without decrypting, and a masked copy for display.
//!
//! The 32-byte key comes from `JICENG_KEY` (base64) or a key file; one key derives two
//! sub-keys so the hash and the cipher never share a key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use jiceng_domain::IdNumber;
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct Crypto {
    cipher_key: [u8; 32],
    hash_key: [u8; 32],
    /// Seals the audit log (`audit_mac`); never stored in the database.
    audit_key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("密钥无效：应为32字节密钥的base64编码（{0}）")]
    BadKey(String),
    #[error("密钥文件 {path} 读写失败：{reason}")]
    KeyFile { path: String, reason: String },
    #[error("无法解密身份证号（密钥不匹配或数据损坏）")]
    Decrypt,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Crypto(..)")
    }
}

impl Crypto {
    pub fn from_key(key: &[u8; 32]) -> Crypto {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update(label);
            h.update(key);
            h.finalize().into()
        };
        Crypto {
            cipher_key: derive(b"jiceng-id-cipher"),
            hash_key: derive(b"jiceng-id-hash"),
            audit_key: derive(b"jiceng-audit-mac"),
        }
    }

    pub fn from_base64(s: &str) -> Result<Crypto, CryptoError> {
        let bytes = B64
            .decode(s.trim())
            .map_err(|e| CryptoError::BadKey(e.to_string()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|v: Vec<u8>| CryptoError::BadKey(format!("长度为{}字节", v.len())))?;
        Ok(Crypto::from_key(&key))
    }

    /// The key from `JICENG_KEY`, else from `key_file` (created with a fresh random key
    /// when missing, readable only by its owner).
    pub fn load(key_file: &std::path::Path) -> Result<Crypto, CryptoError> {
        if let Ok(k) = std::env::var("JICENG_KEY") {
            return Crypto::from_base64(&k);
        }
        let err = |e: std::io::Error| CryptoError::KeyFile {
            path: key_file.display().to_string(),
            reason: e.to_string(),
        };
        match std::fs::read_to_string(key_file) {
            Ok(s) => Crypto::from_base64(&s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::getrandom(&mut key).map_err(|e| CryptoError::BadKey(e.to_string()))?;
                std::fs::write(key_file, B64.encode(key)).map_err(err)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(key_file, std::fs::Permissions::from_mode(0o600))
                        .map_err(err)?;
                }
                Ok(Crypto::from_key(&key))
            }
            Err(e) => Err(err(e)),
        }
    }

    /// The keyed hash used to match a person across imports.
    pub fn id_hash(&self, id: &IdNumber) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key).expect("any key length");
        mac.update(id.as_str().as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// The audit log's keyed MAC (HMAC-SHA256, hex) of `data`, with a key of its own.
    pub fn audit_mac(&self, data: &[u8]) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.audit_key).expect("any key length");
        mac.update(data);
        hex(&mac.finalize().into_bytes())
    }

    /// `nonce || ciphertext`, base64.
    pub fn encrypt(&self, id: &IdNumber) -> String {
        let cipher = Aes256Gcm::new_from_slice(&self.cipher_key).expect("32-byte key");
        let mut nonce = [0u8; 12];
        getrandom::getrandom(&mut nonce).expect("system randomness");
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), id.as_str().as_bytes())
            .expect("encrypt");
        let mut out = nonce.to_vec();
        out.extend(ct);
        B64.encode(out)
    }

    pub fn decrypt(&self, stored: &str) -> Result<IdNumber, CryptoError> {
        let bytes = B64.decode(stored).map_err(|_| CryptoError::Decrypt)?;
        if bytes.len() < 13 {
            return Err(CryptoError::Decrypt);
        }
        let cipher = Aes256Gcm::new_from_slice(&self.cipher_key).expect("32-byte key");
        let plain = cipher
            .decrypt(Nonce::from_slice(&bytes[..12]), &bytes[12..])
            .map_err(|_| CryptoError::Decrypt)?;
        let s = String::from_utf8(plain).map_err(|_| CryptoError::Decrypt)?;
        IdNumber::parse(&s).map_err(|_| CryptoError::Decrypt)
    }

    /// Any secret bytes (a TOTP secret), encrypted like an ID number: `nonce ||
    /// ciphertext`, base64.
    pub fn encrypt_bytes(&self, plain: &[u8]) -> String {
        let cipher = Aes256Gcm::new_from_slice(&self.cipher_key).expect("32-byte key");
        let mut nonce = [0u8; 12];
        getrandom::getrandom(&mut nonce).expect("system randomness");
        let ct = cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .expect("encrypt");
        let mut out = nonce.to_vec();
        out.extend(ct);
        B64.encode(out)
    }

    /// The bytes [`Crypto::encrypt_bytes`] encrypted.
    pub fn decrypt_bytes(&self, stored: &str) -> Result<Vec<u8>, CryptoError> {
        let bytes = B64.decode(stored).map_err(|_| CryptoError::Decrypt)?;
        if bytes.len() < 13 {
            return Err(CryptoError::Decrypt);
        }
        let cipher = Aes256Gcm::new_from_slice(&self.cipher_key).expect("32-byte key");
        cipher
            .decrypt(Nonce::from_slice(&bytes[..12]), &bytes[12..])
            .map_err(|_| CryptoError::Decrypt)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_stable_hash() {
        let c = Crypto::from_key(&[7u8; 32]);
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let e1 = c.encrypt(&id);
        let e2 = c.encrypt(&id);
        assert_ne!(e1, e2, "fresh nonce each time");
        assert_eq!(c.decrypt(&e1).unwrap(), id);
        assert_eq!(c.id_hash(&id), c.id_hash(&id));
        let other = Crypto::from_key(&[8u8; 32]);
        assert_ne!(other.id_hash(&id), c.id_hash(&id));
        assert!(other.decrypt(&e1).is_err());
    }

    #[test]
    fn audit_mac_is_keyed_and_apart_from_the_id_hash() {
        let c = Crypto::from_key(&[7u8; 32]);
        let other = Crypto::from_key(&[8u8; 32]);
        let data = b"11010519491231002X";
        assert_eq!(c.audit_mac(data), c.audit_mac(data));
        assert_ne!(c.audit_mac(data), other.audit_mac(data));
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_ne!(c.audit_mac(data), c.id_hash(&id), "a key of its own");
        assert_eq!(c.audit_mac(data).len(), 64);
    }
}
