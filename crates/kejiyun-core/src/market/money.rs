//! Money: integer 分 (fen) everywhere; shown as 万元 with two decimals, or 元.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An amount in fen, `0..=MAX`. Sums of many amounts stay exact (i64 holds 9.2×10^18 fen).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

impl Fen {
    /// 100亿元: above this a single amount is certainly a typing error.
    pub const MAX: i64 = 10_000_000_000 * 100;
    pub const ZERO: Fen = Fen(0);

    /// An amount given in fen (API input).
    pub fn new(field: &'static str, fen: i64) -> Result<Self, DomainError> {
        if fen < 0 {
            return Err(DomainError::invalid(field, "金额不能为负数"));
        }
        if fen > Self::MAX {
            return Err(DomainError::invalid(field, "金额超出上限（100 亿元）"));
        }
        Ok(Self(fen))
    }

    /// An amount typed in 元 on a form: `12345`, `12,345.6`, `12345.67` (at most two decimals).
    pub fn parse_yuan(field: &'static str, raw: &str) -> Result<Self, DomainError> {
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let bad = || DomainError::invalid(field, "请输入金额（元），最多两位小数");
        if s.is_empty() || s.len() > 20 {
            return Err(bad());
        }
        if s.starts_with('-') {
            return Err(DomainError::invalid(field, "金额不能为负数"));
        }
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        if frac.len() > 2 {
            return Err(DomainError::invalid(field, "金额最多精确到分（两位小数）"));
        }
        let yuan: i64 = int
            .parse()
            .map_err(|_| DomainError::invalid(field, "金额超出上限（100 亿元）"))?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        let fen = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(cents))
            .ok_or_else(|| DomainError::invalid(field, "金额超出上限（100 亿元）"))?;
        Self::new(field, fen)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// `65792.06` (万元, two decimals, rounded half up) — the unit officials report in.
    pub fn wan_yuan(self) -> String {
        let hundreds_of_yuan = (self.0 + 5_000) / 10_000; // 0.01万元 = 100元 = 10,000 fen
        format!("{}.{:02}", hundreds_of_yuan / 100, hundreds_of_yuan % 100)
    }

    /// `1,234.50` 元.
    pub fn yuan(self) -> String {
        let yuan = self.0 / 100;
        let digits = yuan.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{grouped}.{:02}", self.0 % 100)
    }

    /// Exact sum; `None` on overflow (never in practice: 9.2×10^18 fen).
    pub fn sum(amounts: impl IntoIterator<Item = Fen>) -> Option<Fen> {
        amounts
            .into_iter()
            .try_fold(0i64, |acc, f| acc.checked_add(f.0))
            .map(Fen)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 元", self.yuan())
    }
}

/// The price of a service or achievement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Price {
    Free,
    Negotiable,
    Amount(Fen),
}

impl Price {
    /// From the API pair (`kind`: free | negotiable | amount, `amount_fen`).
    pub fn parse(kind: &str, amount_fen: Option<i64>) -> Result<Self, DomainError> {
        match kind.trim() {
            "free" => Ok(Self::Free),
            "negotiable" => Ok(Self::Negotiable),
            "amount" => {
                let fen =
                    amount_fen.ok_or_else(|| DomainError::invalid("price_fen", "请填写价格"))?;
                Ok(Self::Amount(Fen::new("price_fen", fen)?))
            }
            _ => Err(DomainError::invalid(
                "price_kind",
                "价格类型应为 free、negotiable 或 amount",
            )),
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Negotiable => "negotiable",
            Self::Amount(_) => "amount",
        }
    }

    pub fn amount(self) -> Option<Fen> {
        match self {
            Self::Amount(f) => Some(f),
            _ => None,
        }
    }

    pub fn label_zh(self) -> String {
        match self {
            Self::Free => "免费".into(),
            Self::Negotiable => "面议".into(),
            Self::Amount(f) => format!("{} 元", f.yuan()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_yuan_exact_to_the_fen() {
        assert_eq!(
            Fen::parse_yuan("f", "12,345.67").map(Fen::fen),
            Ok(1_234_567)
        );
        assert_eq!(Fen::parse_yuan("f", "0.5").map(Fen::fen), Ok(50));
        assert_eq!(Fen::parse_yuan("f", "100").map(Fen::fen), Ok(10_000));
        for bad in [
            "",
            "-1",
            "1.234",
            "abc",
            "1e5",
            "1.2.3",
            ".5",
            "99999999999999999999",
        ] {
            assert!(Fen::parse_yuan("f", bad).is_err(), "{bad}");
        }
        assert!(
            Fen::parse_yuan("f", "10000000000.01").is_err(),
            "above the ceiling"
        );
        assert!(
            Fen::parse_yuan("f", "10000000000").is_ok(),
            "the ceiling itself"
        );
        assert!(Fen::new("f", -1).is_err());
        assert!(Fen::new("f", Fen::MAX + 1).is_err());
    }

    #[test]
    fn display_in_wan_yuan_and_yuan() {
        assert_eq!(Fen(6_579_206_000_000 / 100).wan_yuan(), "65792.06");
        assert_eq!(Fen(123_456_789).yuan(), "1,234,567.89");
        assert_eq!(Fen(5).yuan(), "0.05");
        assert_eq!(Fen(4_999).wan_yuan(), "0.00");
        assert_eq!(Fen(5_000).wan_yuan(), "0.01");
    }

    /// 253 deals summing to 65792.06万元 add up to exactly that.
    #[test]
    fn sums_are_exact() {
        let total: i64 = 6_579_206_000_000 / 100;
        let n = 253i64;
        let mut amounts: Vec<Fen> = (0..n - 1).map(|i| Fen(total / n + i % 7)).collect();
        let so_far: i64 = amounts.iter().map(|f| f.0).sum();
        amounts.push(Fen(total - so_far));
        let sum = Fen::sum(amounts).expect("no overflow");
        assert_eq!(sum.fen(), 6_579_206_000_000 / 100);
        assert_eq!(sum.wan_yuan(), "65792.06");
    }

    #[test]
    fn prices() {
        assert_eq!(Price::parse("free", None), Ok(Price::Free));
        assert_eq!(
            Price::parse("amount", Some(100)),
            Ok(Price::Amount(Fen(100)))
        );
        assert!(Price::parse("amount", None).is_err());
        assert!(Price::parse("amount", Some(-5)).is_err());
        assert!(Price::parse("cheap", None).is_err());
    }
}
