//! Personal data at rest (个人信息保护): ID-card numbers are stored only as AEAD ciphertext
//! (XChaCha20-Poly1305, a random 24-byte nonce per value, the field's name as associated data
//! so a ciphertext cannot be moved to another field), with a keyed blind index (HMAC-SHA256)
//! beside it, so that "is this number registered already?" is one indexed look-up without
//! decrypting anything, and a stolen database without the key reveals neither the numbers nor
//! which rows share one.
//!
//! The key lives outside the database (the data directory's `personal-data.key`, or the
//! `KEJIYUN_PERSONAL_DATA_KEY` environment variable; see docs/operations.md): 32 random bytes,
//! from which the encryption key and the index key are derived separately. Ciphertexts carry
//! their format's version (`v1:`); a rotation (`kejiyun keys rotate`) re-seals every sealed
//! column and recomputes every blind index with a new key in one transaction.
//!
//! Who seals what: the storage layer seals the columns it reads back for the domain (users' and
//! volunteers' phones, a visit booking's contact phone, tech workers' ID-card numbers), so the
//! domain keeps plain values in memory only; the use cases seal what the domain never reads
//! back in plain (volunteers' ID-card numbers, opened only by an audited reveal; second-factor
//! secrets). [`fields`] names every sealed field, for both and for the rotation.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::DomainError;

/// The version prefix of ciphertexts sealed with the current key.
const VERSION: &str = "v1:";

/// The names of the sealed fields: bound to each ciphertext as associated data (a value
/// cannot be moved to another field) and mixed into each blind index.
pub mod fields {
    /// An account's mobile number (`users.phone`, blind index `users.phone_blind`).
    pub const USER_PHONE: &str = "user.phone";
    /// A volunteer's contact mobile (`volunteers.phone`).
    pub const VOLUNTEER_PHONE: &str = "volunteer.phone";
    /// A volunteer's ID-card number (`volunteers.id_cipher`, blind `volunteers.id_blind`).
    pub const VOLUNTEER_ID_CARD: &str = "volunteer.id_card";
    /// A sharing base visit booking's contact mobile (`base_bookings.contact_phone`).
    pub const BOOKING_PHONE: &str = "base_booking.contact_phone";
    /// A tech worker's ID-card number (`tech_workers.id_card`, blind
    /// `tech_workers.id_card_blind`).
    pub const TECH_WORKER_ID_CARD: &str = "tech_worker.id_card";
    /// A TOTP second factor's shared secret (`second_factors.secret_sealed`).
    pub const SECOND_FACTOR_SECRET: &str = "second_factor_secret";
}

/// Whether a stored value is a ciphertext (else it is a plain value written before its column
/// was sealed, which the next start seals).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(VERSION)
}

/// The personal-data key: the AEAD key and the blind-index key, both derived from one secret.
#[derive(Clone)]
pub struct PersonalDataKey {
    cipher: XChaCha20Poly1305,
    index_key: [u8; 32],
}

impl std::fmt::Debug for PersonalDataKey {
    // A key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonalDataKey(..)")
    }
}

fn derive(secret: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

impl PersonalDataKey {
    pub fn from_secret(secret: &[u8; 32]) -> Self {
        let aead = derive(secret, "kejiyun personal data: aead v1");
        Self {
            cipher: XChaCha20Poly1305::new(&Key::from(aead)),
            index_key: derive(secret, "kejiyun personal data: blind index v1"),
        }
    }

    /// Reads a key written as 64 hex digits (what `generate_hex` writes), surrounding
    /// whitespace allowed.
    pub fn from_hex(text: &str) -> Result<Self, DomainError> {
        let bytes = hex::decode(text.trim())
            .map_err(|_| DomainError::Internal("personal-data key: not hex".into()))?;
        let secret: [u8; 32] = bytes
            .try_into()
            .map_err(|_| DomainError::Internal("personal-data key: need 32 bytes".into()))?;
        Ok(Self::from_secret(&secret))
    }

    /// A new random secret, as 64 hex digits.
    pub fn generate_hex() -> String {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        hex::encode(secret)
    }

    /// Encrypts `value` of `field` (its name is bound to the ciphertext).
    pub fn seal(&self, field: &str, value: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value.as_bytes(),
                    aad: field.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any short message");
        let mut out = Vec::with_capacity(nonce.len() + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", hex::encode(out))
    }

    /// Decrypts what [`seal`](Self::seal) wrote for `field`; an error if it was altered, moved
    /// from another field or sealed with another key.
    pub fn open(&self, field: &str, sealed: &str) -> Result<String, DomainError> {
        let bad = || DomainError::Internal(format!("personal data: cannot open {field}"));
        let body = sealed.strip_prefix(VERSION).ok_or_else(bad)?;
        let bytes = hex::decode(body).map_err(|_| bad())?;
        if bytes.len() < 24 {
            return Err(bad());
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| bad())?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }

    /// A secret for another purpose (a salt), derived from the key: the same on every server
    /// that shares the key, unrelated to the key for anyone without it.
    pub fn derived_secret(&self, purpose: &str) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key).expect("any key length");
        mac.update(b"derived secret\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A short public name of the key (it says nothing about the key itself): backups record
    /// the key they need by it.
    pub fn fingerprint(&self) -> String {
        hex::encode(&self.derived_secret("backup key fingerprint")[..8])
    }

    /// The key a login name is counted, locked and sent codes under in the database
    /// (`login_attempts`, `one_time_codes`, `second_factor_challenges`): a phone's blind
    /// index — the same as its account's `users.phone_blind` —, an e-mail address as it is
    /// (addresses are not sealed). A phone typed at the login box is never stored.
    pub fn login_key(&self, login: &crate::accounts::Login) -> String {
        match login {
            crate::accounts::Login::Phone(p) => self.blind_index(fields::USER_PHONE, p.as_str()),
            crate::accounts::Login::Email(e) => e.as_str().to_owned(),
        }
    }

    /// The blind index of `value` of `field`: equal values give equal indexes, and without the
    /// key an index says nothing about its value.
    pub fn blind_index(&self, field: &str, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.index_key).expect("any key length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> PersonalDataKey {
        PersonalDataKey::from_secret(&[byte; 32])
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_field() {
        let k = key(7);
        let sealed = k.seal("id_card", "11010519491231002X");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("1101051949"));
        assert_eq!(
            k.open("id_card", &sealed).expect("opens"),
            "11010519491231002X"
        );
        assert!(k.open("phone", &sealed).is_err(), "bound to its field");
        assert!(key(8).open("id_card", &sealed).is_err(), "another key");
        let mut altered = sealed.clone();
        let last = altered.pop().expect("non-empty");
        altered.push(if last == '0' { '1' } else { '0' });
        assert!(k.open("id_card", &altered).is_err(), "altered");
        // A fresh nonce each time: the same number never gives the same ciphertext.
        assert_ne!(sealed, k.seal("id_card", "11010519491231002X"));
        assert!(sealed.len() <= 120, "fits the column: {}", sealed.len());
    }

    #[test]
    fn blind_index_is_stable_keyed_and_per_field() {
        let k = key(7);
        let a = k.blind_index("id_card", "11010519491231002X");
        assert_eq!(a, k.blind_index("id_card", "11010519491231002X"));
        assert_ne!(a, k.blind_index("id_card", "110105194912310029"));
        assert_ne!(a, k.blind_index("phone", "11010519491231002X"));
        assert_ne!(a, key(8).blind_index("id_card", "11010519491231002X"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn keys_read_from_hex() {
        let text = PersonalDataKey::generate_hex();
        assert_eq!(text.len(), 64);
        assert!(PersonalDataKey::from_hex(&format!(" {text}\n")).is_ok());
        assert!(PersonalDataKey::from_hex("abcd").is_err());
        assert!(PersonalDataKey::from_hex(&"zz".repeat(32)).is_err());
    }
}
