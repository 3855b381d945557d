//! Administrative regions (GB/T 2260): six-digit codes, their levels, containment, and the
//! in-memory directory the whole national list is loaded into at start.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A six-digit administrative code: `510000` province, `511600` prefecture, `511623` county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::City => "市级",
            Self::County => "县级",
        }
    }
}

impl RegionCode {
    /// Parses exactly six ASCII digits with a plausible province prefix (11–82).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim();
        let bad = || DomainError::invalid("region", format!("无效的行政区划代码：{}", truncate(s)));
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: u32 = s.parse().map_err(|_| bad())?;
        if !(110_000..830_000).contains(&n) {
            return Err(bad());
        }
        Ok(Self(n))
    }

    /// Normalises the 2-, 4- or 6-digit codes of the `china-division` data to six digits.
    pub fn from_division_code(raw: &str) -> Result<Self, DomainError> {
        let padded = match raw.trim().len() {
            2 => format!("{}0000", raw.trim()),
            4 => format!("{}00", raw.trim()),
            _ => raw.trim().to_owned(),
        };
        Self::parse(&padded)
    }

    pub fn as_u32(self) -> u32 {
        self.0
    }

    pub fn level(self) -> RegionLevel {
        if self.0.is_multiple_of(10_000) {
            RegionLevel::Province
        } else if self.0.is_multiple_of(100) {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    pub fn province(self) -> RegionCode {
        Self(self.0 / 10_000 * 10_000)
    }

    /// The prefecture a county belongs to (itself for a prefecture; `None` for a province).
    pub fn city(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            _ => Some(Self(self.0 / 100 * 100)),
        }
    }

    pub fn parent(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::City => Some(self.province()),
            RegionLevel::County => self.city(),
        }
    }

    /// Whether `other` is this region or lies below it in the tree.
    pub fn contains(self, other: RegionCode) -> bool {
        match self.level() {
            RegionLevel::Province => other.0 / 10_000 == self.0 / 10_000,
            RegionLevel::City => other.0 / 100 == self.0 / 100,
            RegionLevel::County => other == self,
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(20).collect()
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl FromStr for RegionCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> Self {
        c.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub parent: Option<RegionCode>,
}

impl Region {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }
}

/// The whole region tree, held in memory: it is static national data (about 3,300 rows).
#[derive(Debug, Clone, Default)]
pub struct RegionDirectory {
    by_code: BTreeMap<RegionCode, Region>,
    children: BTreeMap<RegionCode, Vec<RegionCode>>,
    provinces: Vec<RegionCode>,
}

impl RegionDirectory {
    /// Builds the tree; every non-province must name a parent that is present.
    pub fn new(regions: Vec<Region>) -> Result<Self, String> {
        let mut dir = Self::default();
        for r in regions {
            dir.by_code.insert(r.code, r);
        }
        for r in dir.by_code.values() {
            match r.parent {
                None => dir.provinces.push(r.code),
                Some(p) => {
                    if !dir.by_code.contains_key(&p) {
                        return Err(format!("region {} names missing parent {}", r.code, p));
                    }
                    dir.children.entry(p).or_default().push(r.code);
                }
            }
        }
        Ok(dir)
    }

    pub fn get(&self, code: RegionCode) -> Option<&Region> {
        self.by_code.get(&code)
    }

    /// Looks a code up, failing with a 4xx-shaped error for unknown codes.
    pub fn require(&self, code: RegionCode) -> Result<&Region, DomainError> {
        self.get(code)
            .ok_or_else(|| DomainError::NotFound(format!("行政区划 {code} 不存在")))
    }

    pub fn children(&self, code: RegionCode) -> Vec<&Region> {
        self.children
            .get(&code)
            .map(|cs| cs.iter().filter_map(|c| self.by_code.get(c)).collect())
            .unwrap_or_default()
    }

    pub fn provinces(&self) -> Vec<&Region> {
        self.provinces
            .iter()
            .filter_map(|c| self.by_code.get(c))
            .collect()
    }

    /// Root first, down to `code`.
    pub fn path(&self, code: RegionCode) -> Vec<&Region> {
        let mut out = Vec::new();
        let mut cur = self.get(code);
        while let Some(r) = cur {
            out.push(r);
            cur = r.parent.and_then(|p| self.get(p));
        }
        out.reverse();
        out
    }

    /// "四川省 / 广安市 / 邻水县".
    pub fn full_name(&self, code: RegionCode) -> String {
        let path = self.path(code);
        if path.is_empty() {
            return code.to_string();
        }
        path.iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" / ")
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    pub fn count_level(&self, root: Option<RegionCode>, level: RegionLevel) -> usize {
        self.by_code
            .values()
            .filter(|r| r.level() == level && root.is_none_or(|root| root.contains(r.code)))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid code")
    }

    #[test]
    fn parses_six_digits_only() {
        assert!(RegionCode::parse("511623").is_ok());
        for bad in [
            "",
            "51162",
            "5116231",
            "51162x",
            "000000",
            "990000",
            "５１１６２３",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn normalises_division_codes() {
        assert_eq!(
            RegionCode::from_division_code("51").map(|c| c.to_string()),
            Ok("510000".into())
        );
        assert_eq!(
            RegionCode::from_division_code("5116").map(|c| c.to_string()),
            Ok("511600".into())
        );
    }

    #[test]
    fn levels_and_parents() {
        assert_eq!(code("510000").level(), RegionLevel::Province);
        assert_eq!(code("511600").level(), RegionLevel::City);
        assert_eq!(code("511623").level(), RegionLevel::County);
        assert_eq!(code("511623").parent(), Some(code("511600")));
        assert_eq!(code("511600").parent(), Some(code("510000")));
        assert_eq!(code("510000").parent(), None);
    }

    #[test]
    fn containment() {
        let (sichuan, guangan, linshui, yuechi) = (
            code("510000"),
            code("511600"),
            code("511623"),
            code("511621"),
        );
        assert!(sichuan.contains(linshui));
        assert!(guangan.contains(linshui) && guangan.contains(yuechi));
        assert!(linshui.contains(linshui));
        assert!(!linshui.contains(yuechi));
        assert!(!linshui.contains(guangan));
        assert!(!guangan.contains(code("510100")));
        assert!(!sichuan.contains(code("500000")));
    }

    #[test]
    fn directory_tree() {
        let dir = RegionDirectory::new(vec![
            Region {
                code: code("510000"),
                name: "四川省".into(),
                parent: None,
            },
            Region {
                code: code("511600"),
                name: "广安市".into(),
                parent: Some(code("510000")),
            },
            Region {
                code: code("511623"),
                name: "邻水县".into(),
                parent: Some(code("511600")),
            },
        ])
        .expect("consistent");
        assert_eq!(dir.full_name(code("511623")), "四川省 / 广安市 / 邻水县");
        assert_eq!(dir.children(code("511600")).len(), 1);
        assert!(dir.require(code("511621")).is_err());
        assert!(
            RegionDirectory::new(vec![Region {
                code: code("511623"),
                name: "x".into(),
                parent: Some(code("511600"))
            }])
            .is_err()
        );
    }
}
