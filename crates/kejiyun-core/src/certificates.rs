//! Certificates that anyone can check (证书核验): written once for every module that issues
//! them — a training's attendance certificate now, a volunteer's service hours next. A
//! certificate is a stored record with a random verification code; the PDF a holder
//! downloads carries the code and a QR code to `/verify/{code}`, a public page that shows the
//! record as stored. A forged or altered code finds no record ("not found"): nothing on the
//! paper is trusted, only the lookup.

pub mod ports;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::ids::UserId;
use crate::regions::RegionCode;
use crate::time::Timestamp;

/// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or typed from paper
/// survives the usual confusions (they are mapped back on input).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random symbols in a code: 15 × 5 = 75 bits, beyond guessing by trying codes.
const RANDOM_SYMBOLS: usize = 15;

/// What a certificate attests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 培训证书: attendance at a training's sessions.
    Training,
    /// 志愿服务证明: approved volunteer service hours.
    Volunteer,
}

impl CertificateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Training => "training",
            Self::Volunteer => "volunteer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "training" => Some(Self::Training),
            "volunteer" => Some(Self::Volunteer),
            _ => None,
        }
    }

    /// The heading printed on the certificate.
    pub fn label(self) -> &'static str {
        match self {
            Self::Training => "培训证书",
            Self::Volunteer => "志愿服务证明",
        }
    }
}

/// A verification code: 15 random symbols and a check symbol, shown in groups of four
/// (`7QK3-M9XD-2HWB-4TZC`). The check symbol catches a mistyped code before any lookup.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VerificationCode(String);

impl VerificationCode {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        let mut code: Vec<u8> = (0..RANDOM_SYMBOLS)
            .map(|_| ALPHABET[rng.random_range(0..32)])
            .collect();
        code.push(check_symbol(&code));
        Self(String::from_utf8_lossy(&code).into_owned())
    }

    /// Reads a code as a person types it: any case, with or without dashes and spaces, O for
    /// 0 and I or L for 1. Refused when the length or the check symbol is wrong.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let bad =
            || DomainError::invalid("code", "证书编号有误，请核对后重新输入（16 位字母和数字）");
        let mut code = Vec::with_capacity(RANDOM_SYMBOLS + 1);
        for c in raw.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' | '\u{3000}' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) || code.len() > RANDOM_SYMBOLS {
                return Err(bad());
            }
            code.push(c as u8);
        }
        match code.split_last() {
            Some((&check, body)) if body.len() == RANDOM_SYMBOLS && check_symbol(body) == check => {
                Ok(Self(String::from_utf8_lossy(&code).into_owned()))
            }
            _ => Err(bad()),
        }
    }

    /// As stored: 16 symbols, no dashes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed: groups of four.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// A code read back from the database (already checked when it was made).
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }
}

/// The check symbol: the symbols' values weighted by distinct powers of a generator of
/// GF(32) and summed in that field. With no zero divisors, any one changed symbol changes the
/// sum, and so does any swap of two different neighbours (their weights differ).
fn check_symbol(body: &[u8]) -> u8 {
    let mut weight = 1u8;
    let mut sum = 0u8;
    for &b in body {
        weight = gf32_mul(weight, 2);
        let v = ALPHABET.iter().position(|&a| a == b).unwrap_or(0) as u8;
        sum ^= gf32_mul(weight, v);
    }
    ALPHABET[usize::from(sum)]
}

/// Multiplication in GF(32) = GF(2)[x] / (x⁵ + x² + 1).
fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b > 0 {
        if b & 1 == 1 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0x25;
        }
    }
    product
}

/// What a module asks to certify. The module checks eligibility (attended a session, hours
/// approved) before asking; the engine stores, numbers and serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCertificate {
    pub kind: CertificateKind,
    /// The record certified, e.g. `training:12`: with `kind` and `holder`, at most one
    /// certificate (asking again returns the one issued).
    pub subject: String,
    pub holder: UserId,
    /// The holder's real name as of issuing (a certificate does not change afterwards).
    pub holder_name: String,
    /// What was done: the training's or activity's title.
    pub title: String,
    /// The attested figure in words: `出勤 2 次（共 2 次课）`, `服务时长 12.5 小时`.
    pub detail: String,
    /// The issuing association, e.g. `邻水县科学技术协会`.
    pub issuer: String,
    pub region: RegionCode,
    pub issued_at: Timestamp,
}

/// An issued certificate: its code and what was asked to certify, unchanged since.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    pub code: VerificationCode,
    pub of: NewCertificate,
}

impl Certificate {
    /// What the public verify page shows: the name masked (张*三), everything else as issued.
    pub fn public_view(&self) -> CertificateView {
        CertificateView {
            holder_name: mask_name(&self.of.holder_name),
            ..self.full_view()
        }
    }

    /// What its holder (and the region's admins) see: the name in full.
    pub fn full_view(&self) -> CertificateView {
        let c = &self.of;
        CertificateView {
            code: self.code.display(),
            kind: c.kind,
            kind_label: c.kind.label(),
            holder_name: c.holder_name.clone(),
            title: c.title.clone(),
            detail: c.detail.clone(),
            issuer: c.issuer.clone(),
            issued_at: c.issued_at,
        }
    }
}

/// A certificate as anyone may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateView {
    pub code: String,
    pub kind: CertificateKind,
    pub kind_label: &'static str,
    pub holder_name: String,
    pub title: String,
    pub detail: String,
    pub issuer: String,
    pub issued_at: Timestamp,
}

/// A person's name with everything but the first and the last character hidden (two
/// characters: the second hidden): 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut s = String::new();
            s.push(chars[0]);
            s.extend(std::iter::repeat_n('*', n - 2));
            s.push(chars[n - 1]);
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_back_in_any_written_form() {
        for _ in 0..200 {
            let code = VerificationCode::generate();
            assert_eq!(code.as_str().len(), 16);
            assert_eq!(
                VerificationCode::parse(code.as_str()).ok(),
                Some(code.clone())
            );
            assert_eq!(
                VerificationCode::parse(&code.display()).ok(),
                Some(code.clone())
            );
            let lower = code.display().to_lowercase().replace('-', " ");
            assert_eq!(VerificationCode::parse(&lower).ok(), Some(code));
        }
    }

    #[test]
    fn a_changed_or_swapped_symbol_is_caught_by_the_check_symbol() {
        let code = VerificationCode::generate();
        let bytes = code.as_str().as_bytes().to_vec();
        for i in 0..bytes.len() {
            for &other in ALPHABET {
                if other == bytes[i] {
                    continue;
                }
                let mut altered = bytes.clone();
                altered[i] = other;
                let s = String::from_utf8(altered).unwrap_or_default();
                assert!(VerificationCode::parse(&s).is_err(), "{s} passed");
            }
        }
        for i in 0..bytes.len() - 2 {
            if bytes[i] == bytes[i + 1] {
                continue;
            }
            let mut swapped = bytes.clone();
            swapped.swap(i, i + 1);
            let s = String::from_utf8(swapped).unwrap_or_default();
            assert!(VerificationCode::parse(&s).is_err(), "{s} passed");
        }
    }

    #[test]
    fn confusable_letters_read_as_digits_and_bad_input_is_refused() {
        let code = VerificationCode::generate();
        let typed = code.as_str().replace('0', "O").replace('1', "l");
        assert_eq!(VerificationCode::parse(&typed).ok(), Some(code.clone()));
        for bad in [
            "",
            "ABC",
            "证书编号",
            "<script>",
            &format!("{}0", code.as_str()),
        ] {
            assert!(VerificationCode::parse(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn names_are_masked_but_keep_their_ends() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张小三"), "张*三");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_name(""), "");
    }
}
