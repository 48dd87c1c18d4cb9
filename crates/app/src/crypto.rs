//! Protection of personal data at rest (ID numbers and phone numbers): an authenticated
//! cipher for the value, a keyed hash to match an ID number without decrypting, and a
//! masked copy for display; the same suite keys the audit chain's MAC.
//!
//! Two suites ([`Suite`]): `aes` (AES-256-GCM, HMAC-SHA256, sub-keys by SHA-256) and the
//! 国密 suite `sm` (SM4-GCM, HMAC-SM3, sub-keys by SM3). The suite is chosen when the
//! database is initialised and recorded there (`privacy::check_key`).
//!
//! The 32-byte key comes from `JICENG_KEY` (base64) or a key file; one key derives one
//! sub-key per use so the hash, the cipher and the audit MAC never share a key.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use jiceng_domain::IdNumber;
use sha2::{Digest, Sha256};
use sm3::Sm3;

/// SM4 in Galois/Counter Mode with a 96-bit nonce (GB/T 36624 names SM4-GCM).
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The algorithms protecting personal data and keying the audit chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Suite {
    /// AES-256-GCM + HMAC-SHA256.
    #[default]
    Aes,
    /// 国密: SM4-GCM + HMAC-SM3.
    Sm,
}

impl Suite {
    pub const ALL: [Suite; 2] = [Suite::Aes, Suite::Sm];

    /// The code stored in the database and given on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Suite::Aes => "aes",
            Suite::Sm => "sm",
        }
    }

    pub fn from_code(s: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|x| x.code() == s.trim())
    }

    /// How messages name it.
    pub fn label(self) -> &'static str {
        match self {
            Suite::Aes => "AES-256-GCM + HMAC-SHA256",
            Suite::Sm => "国密 SM4-GCM + HMAC-SM3",
        }
    }
}

#[derive(Clone)]
pub struct Crypto {
    suite: Suite,
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
    #[error("无法解密身份证号或联系电话（密钥不匹配或数据损坏）")]
    Decrypt,
    /// The key file is not there and may not be created here (only `jiceng init` makes
    /// a key, for a database that records none).
    #[error("密钥文件不存在：{0}")]
    KeyFileMissing(String),
    /// The database's key changed while this process ran (a rotation beside a running
    /// server): nothing is written with the key this process holds.
    #[error("数据库的密钥已在本进程运行期间更换（数据库现用密钥 {recorded}，本进程持有 {held}）：已拒绝写入，请用新密钥重启服务")]
    KeyChanged { recorded: String, held: String },
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crypto({}, ..)", self.suite.code())
    }
}

impl Crypto {
    /// The `aes` suite with `key`.
    pub fn from_key(key: &[u8; 32]) -> Crypto {
        Crypto::with_suite(key, Suite::Aes)
    }

    /// `suite` with `key`. Sub-keys are the suite's hash of a label and the key.
    pub fn with_suite(key: &[u8; 32], suite: Suite) -> Crypto {
        let derive = |label: &[u8]| -> [u8; 32] {
            match suite {
                Suite::Aes => {
                    let mut h = Sha256::new();
                    h.update(label);
                    h.update(key);
                    h.finalize().into()
                }
                Suite::Sm => {
                    let mut h = Sm3::new();
                    h.update(label);
                    h.update(key);
                    h.finalize().into()
                }
            }
        };
        Crypto {
            suite,
            cipher_key: derive(b"jiceng-id-cipher"),
            hash_key: derive(b"jiceng-id-hash"),
            audit_key: derive(b"jiceng-audit-mac"),
        }
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    pub fn from_base64(s: &str) -> Result<Crypto, CryptoError> {
        Crypto::from_base64_with(s, Suite::Aes)
    }

    pub fn from_base64_with(s: &str, suite: Suite) -> Result<Crypto, CryptoError> {
        Ok(Crypto::with_suite(&key_from_base64(s)?, suite))
    }

    /// The `aes` suite with the key of [`Crypto::load_with`].
    pub fn load(key_file: &std::path::Path) -> Result<Crypto, CryptoError> {
        Crypto::load_with(key_file, Suite::Aes)
    }

    /// The key from `JICENG_KEY`, else from `key_file` (created with a fresh random key
    /// when missing, readable only by its owner: mode 0600 from its creation on). A key
    /// file that others may read is used, with a warning on stderr.
    pub fn load_with(key_file: &std::path::Path, suite: Suite) -> Result<Crypto, CryptoError> {
        if let Ok(k) = std::env::var("JICENG_KEY") {
            return Crypto::from_base64_with(&k, suite);
        }
        let err = |e: std::io::Error| CryptoError::KeyFile {
            path: key_file.display().to_string(),
            reason: e.to_string(),
        };
        match std::fs::read_to_string(key_file) {
            Ok(s) => {
                if let Some(w) = jiceng_store::files::loose_mode_warning(key_file, "密钥文件") {
                    eprintln!("{w}");
                }
                Crypto::from_base64_with(&s, suite)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::getrandom(&mut key).map_err(|e| CryptoError::BadKey(e.to_string()))?;
                jiceng_store::files::write_private(key_file, B64.encode(key).as_bytes())
                    .map_err(err)?;
                Ok(Crypto::with_suite(&key, suite))
            }
            Err(e) => Err(err(e)),
        }
    }

    /// The key from `JICENG_KEY`, else from `key_file`, which must exist
    /// ([`CryptoError::KeyFileMissing`]): never a new key.
    pub fn load_existing(key_file: &std::path::Path, suite: Suite) -> Result<Crypto, CryptoError> {
        let missing = matches!(std::fs::metadata(key_file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound);
        if missing && std::env::var("JICENG_KEY").is_err() {
            return Err(CryptoError::KeyFileMissing(key_file.display().to_string()));
        }
        Crypto::load_with(key_file, suite)
    }

    fn keyed_hash(&self, key: &[u8], data: &[u8]) -> String {
        match self.suite {
            Suite::Aes => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
                mac.update(data);
                hex(&mac.finalize().into_bytes())
            }
            Suite::Sm => {
                let mut mac = <Hmac<Sm3> as Mac>::new_from_slice(key).expect("any key length");
                mac.update(data);
                hex(&mac.finalize().into_bytes())
            }
        }
    }

    /// The keyed hash used to match a person across imports.
    pub fn id_hash(&self, id: &IdNumber) -> String {
        self.keyed_hash(&self.hash_key, id.as_str().as_bytes())
    }

    /// The MAC of an audit entry (hex): HMAC-SHA256, or HMAC-SM3 under the `sm` suite,
    /// with a sub-key of its own (label `jiceng-audit-mac`).
    pub fn audit_mac(&self, data: &[u8]) -> String {
        self.keyed_hash(&self.audit_key, data)
    }

    /// An ID number encrypted: `nonce || ciphertext`, base64.
    pub fn encrypt(&self, id: &IdNumber) -> String {
        self.encrypt_text(id.as_str())
    }

    pub fn decrypt(&self, stored: &str) -> Result<IdNumber, CryptoError> {
        let s = self.decrypt_text(stored)?;
        IdNumber::parse(&s).map_err(|_| CryptoError::Decrypt)
    }

    /// Any text encrypted with a fresh random nonce: `nonce || ciphertext`, base64.
    pub fn encrypt_text(&self, plain: &str) -> String {
        self.encrypt_bytes(plain.as_bytes())
    }

    pub fn decrypt_text(&self, stored: &str) -> Result<String, CryptoError> {
        String::from_utf8(self.decrypt_bytes(stored)?).map_err(|_| CryptoError::Decrypt)
    }

    /// Any secret bytes (a TOTP secret), encrypted like an ID number under the suite:
    /// `nonce || ciphertext`, base64.
    pub fn encrypt_bytes(&self, plain: &[u8]) -> String {
        let mut nonce = [0u8; 12];
        getrandom::getrandom(&mut nonce).expect("system randomness");
        let nonce_ref = Nonce::from_slice(&nonce);
        let ct = match self.suite {
            Suite::Aes => Aes256Gcm::new_from_slice(&self.cipher_key)
                .expect("32-byte key")
                .encrypt(nonce_ref, plain),
            Suite::Sm => Sm4Gcm::new_from_slice(&self.cipher_key[..16])
                .expect("16-byte key")
                .encrypt(nonce_ref, plain),
        }
        .expect("encrypt");
        let mut out = nonce.to_vec();
        out.extend(ct);
        B64.encode(out)
    }

    /// The bytes [`Crypto::encrypt_bytes`] (or [`Crypto::encrypt_text`]) encrypted.
    pub fn decrypt_bytes(&self, stored: &str) -> Result<Vec<u8>, CryptoError> {
        let bytes = B64.decode(stored).map_err(|_| CryptoError::Decrypt)?;
        if bytes.len() < 13 {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce = Nonce::from_slice(nonce);
        match self.suite {
            Suite::Aes => Aes256Gcm::new_from_slice(&self.cipher_key)
                .expect("32-byte key")
                .decrypt(nonce, ct),
            Suite::Sm => Sm4Gcm::new_from_slice(&self.cipher_key[..16])
                .expect("16-byte key")
                .decrypt(nonce, ct),
        }
        .map_err(|_| CryptoError::Decrypt)
    }

    /// A phone number as stored: its ciphertext and its masked copy (`138****0012`).
    pub fn protect_phone(&self, phone: &str) -> (String, String) {
        let phone = phone.trim();
        (self.encrypt_text(phone), crate::privacy::mask_phone(phone))
    }
}

fn key_from_base64(s: &str) -> Result<[u8; 32], CryptoError> {
    let bytes = B64
        .decode(s.trim())
        .map_err(|e| CryptoError::BadKey(e.to_string()))?;
    bytes
        .try_into()
        .map_err(|v: Vec<u8>| CryptoError::BadKey(format!("长度为{}字节", v.len())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_stable_hash() {
        for suite in Suite::ALL {
            let c = Crypto::with_suite(&[7u8; 32], suite);
            let id = IdNumber::parse("11010519491231002X").unwrap();
            let e1 = c.encrypt(&id);
            let e2 = c.encrypt(&id);
            assert_ne!(e1, e2, "fresh nonce each time");
            assert_eq!(c.decrypt(&e1).unwrap(), id);
            assert_eq!(c.id_hash(&id), c.id_hash(&id));
            let other = Crypto::with_suite(&[8u8; 32], suite);
            assert_ne!(other.id_hash(&id), c.id_hash(&id));
            assert!(other.decrypt(&e1).is_err());
            let (cipher, masked) = c.protect_phone(" 13800000012 ");
            assert_eq!(masked, "138****0012");
            assert!(!cipher.contains("13800000012"));
            assert_eq!(c.decrypt_text(&cipher).unwrap(), "13800000012");
        }
    }

    #[test]
    fn the_suites_differ_in_every_output() {
        let aes = Crypto::with_suite(&[7u8; 32], Suite::Aes);
        let sm = Crypto::with_suite(&[7u8; 32], Suite::Sm);
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_ne!(aes.id_hash(&id), sm.id_hash(&id));
        assert_ne!(aes.audit_mac(b"entry"), sm.audit_mac(b"entry"));
        assert_ne!(aes.audit_mac(b"entry"), aes.id_hash(&id));
        assert!(sm.decrypt(&aes.encrypt(&id)).is_err());
        assert!(aes.decrypt(&sm.encrypt(&id)).is_err());
        // The aes suite's sub-keys are unchanged: HMAC-SHA256 under SHA-256(label || key).
        let mut h = Sha256::new();
        h.update(b"jiceng-id-hash");
        h.update([7u8; 32]);
        let k: [u8; 32] = h.finalize().into();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&k).unwrap();
        mac.update(id.as_str().as_bytes());
        assert_eq!(aes.id_hash(&id), hex(&mac.finalize().into_bytes()));
    }

    /// GB/T 32907 (SM4) and GB/T 32905 (SM3) example vectors: the crates are the standard.
    #[test]
    fn sm_primitives_match_the_standards() {
        use aes_gcm::aead::generic_array::GenericArray;
        use sm4::cipher::BlockEncrypt;
        let key: [u8; 16] = [
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
            0x32, 0x10,
        ];
        let c = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = GenericArray::clone_from_slice(&key);
        c.encrypt_block(&mut block);
        assert_eq!(hex(&block), "681edf34d206965e86b3e94f536e4246");
        assert_eq!(
            hex(&Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
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
